package dev.clearline.tree.vectors;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clearline.tree.Bytes32;
import dev.clearline.tree.SparseMerkleTree;
import dev.clearline.tree.WriteSet;
import dev.clearline.tree.proof.ProofError;
import dev.clearline.tree.proof.ProofVerifier;
import dev.clearline.tree.store.MemoryNodeStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProofVectorsTest {
    static final Path FILE = Path.of("..", "test-vectors", "smt-proofs.json");

    @Test
    void checkedInVectorsAreExactlyWhatTheGeneratorWrites() throws Exception {
        assertThat(Files.readString(FILE, StandardCharsets.UTF_8))
                .as("regenerate with: ./mvnw -B -q -pl state-tree -Pvectors test-compile exec:exec@vectors")
                .isEqualTo(GenerateProofVectors.generate());
    }

    @Test
    void everyTreeInTheFileRebuildsToItsStatedRoot() throws Exception {
        for (JsonNode tree : new ObjectMapper().readTree(FILE.toFile()).get("trees")) {
            SparseMerkleTree t = new SparseMerkleTree(new MemoryNodeStore());
            WriteSet ws = new WriteSet();
            for (JsonNode leaf : tree.get("leaves")) {
                ws.put(Bytes32.fromHex(leaf.get("key").asText()), hex(leaf.get("value").asText()));
            }
            t.commit(ws);
            assertThat(t.root().toHex()).as(tree.get("name").asText()).isEqualTo(tree.get("root").asText());
        }
    }

    @Test
    void theJavaVerifierReturnsEveryCasesExpectedCode() throws Exception {
        for (JsonNode c : new ObjectMapper().readTree(FILE.toFile()).get("cases")) {
            String name = c.get("name").asText();
            Bytes32 root = Bytes32.fromHex(c.get("root").asText());
            List<Bytes32> keys = list(c.get("keys"));
            List<Bytes32> vhs = list(c.get("valueHashes"));
            byte[] proof = hex(c.get("proof").asText());
            ProofError expected = ProofError.ofCode(c.get("expectedErrorCode").asInt());
            if (c.get("op").asText().equals("verify")) {
                assertThat(ProofVerifier.verify(root, keys, vhs, proof)).as(name).isEqualTo(expected);
            } else {
                ProofVerifier.Result r = ProofVerifier.update(root, keys, vhs, list(c.get("newValueHashes")), proof);
                assertThat(r.error()).as(name).isEqualTo(expected);
                if (expected == ProofError.OK) {
                    assertThat(r.newRoot().toHex()).as(name).isEqualTo(c.get("expectedNewRoot").asText());
                }
            }
        }
    }

    static List<Bytes32> list(JsonNode array) {
        List<Bytes32> out = new ArrayList<>();
        array.forEach(n -> out.add(Bytes32.fromHex(n.asText())));
        return out;
    }

    static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.substring(2));
    }
}
