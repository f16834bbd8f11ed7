package dev.clearline.conformance.tree;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clearline.conformance.DeployedOnce;
import dev.clearline.tree.Bytes32;
import dev.clearline.tree.proof.ProofError;
import dev.clearline.tree.proof.ProofVerifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** test-vectors/smt-proofs.json through Solidity's SparseMerkleProof in the embedded EVM and through Java's verifier. */
@ExtendWith(DeployedOnce.class)
class SharedProofVectorsConformanceTest {
    private static final Path FILE = Path.of("..", "test-vectors", "smt-proofs.json");

    private final ProofHarness solidity;

    SharedProofVectorsConformanceTest(ProofHarness solidity) {
        this.solidity = solidity;
    }

    @Test
    void everyVectorGetsItsExpectedCodeOnBothSidesAndUpdatesGiveTheExpectedRoot() throws Exception {
        JsonNode cases = new ObjectMapper().readTree(FILE.toFile()).get("cases");
        assertThat(cases.size()).isGreaterThan(20);
        for (JsonNode c : cases) {
            String name = c.get("name").asText();
            Bytes32 root = Bytes32.fromHex(c.get("root").asText());
            List<Bytes32> keys = list(c.get("keys"));
            List<Bytes32> vhs = list(c.get("valueHashes"));
            byte[] proof = HexFormat.of().parseHex(c.get("proof").asText().substring(2));
            ProofError expected = ProofError.ofCode(c.get("expectedErrorCode").asInt());
            if (c.get("op").asText().equals("verify")) {
                assertThat(solidity.verify(root, keys, vhs, proof).error()).as("solidity: " + name).isEqualTo(expected);
                assertThat(ProofVerifier.verify(root, keys, vhs, proof)).as("java: " + name).isEqualTo(expected);
            } else {
                List<Bytes32> nv = list(c.get("newValueHashes"));
                ProofHarness.Verdict v = solidity.update(root, keys, vhs, nv, proof);
                assertThat(v.error()).as("solidity: " + name).isEqualTo(expected);
                if (expected == ProofError.OK) {
                    assertThat(v.newRoot().toHex()).as("solidity: " + name).isEqualTo(c.get("expectedNewRoot").asText());
                }
            }
        }
    }

    private static List<Bytes32> list(JsonNode array) {
        List<Bytes32> out = new ArrayList<>();
        array.forEach(n -> out.add(Bytes32.fromHex(n.asText())));
        return out;
    }
}
