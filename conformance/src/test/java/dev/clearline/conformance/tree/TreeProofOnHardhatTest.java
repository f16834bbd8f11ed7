package dev.clearline.conformance.tree;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clearline.contracts.Artifacts;
import dev.clearline.devnet.compat.HardhatNode;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import dev.clearline.tree.Bytes32;
import dev.clearline.tree.SparseMerkleTree;
import dev.clearline.tree.WriteSet;
import dev.clearline.tree.hash.TreeHash;
import dev.clearline.tree.proof.ProofError;
import dev.clearline.tree.store.MemoryNodeStore;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.DynamicArray;
import org.web3j.abi.datatypes.DynamicBytes;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.Type;

/**
 * The second EVM for the tree library: SparseMerkleProof (behind its harness) deployed on Hardhat's
 * node and called with eth_call must give what the embedded EVM gives, on every shared vector
 * (deletions with openings, crowded terminals, tampering) and on random updates with deletions and
 * many leaves in one small subtree.
 */
class TreeProofOnHardhatTest {
    private static final String FROM = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266";
    private static final HexFormat HEX = HexFormat.of();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private static HardhatNode node;
    private static ProofHarness embedded;
    private static String harness;
    private static long id;

    @BeforeAll
    static void start() throws Exception {
        node = HardhatNode.start();
        embedded = new ProofHarness();
        byte[] code = Artifacts.onClasspath().load("SparseMerkleProofHarness").creationBytecode();
        String tx = rpc("eth_sendTransaction", "[{\"from\":\"" + FROM + "\",\"gas\":\"0x1c9c380\",\"data\":\"0x" + HEX.formatHex(code) + "\"}]")
                .get("result").asText();
        harness = rpc("eth_getTransactionReceipt", "[\"" + tx + "\"]").get("result").get("contractAddress").asText();
    }

    @AfterAll
    static void stop() {
        if (embedded != null) embedded.close();
        if (node != null) node.close();
    }

    private static JsonNode rpc(String method, String params) throws IOException, InterruptedException {
        String body = "{\"jsonrpc\":\"2.0\",\"id\":" + (++id) + ",\"method\":\"" + method + "\",\"params\":" + params + "}";
        HttpRequest req = HttpRequest.newBuilder(URI.create(node.url())).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return JSON.readTree(HTTP.send(req, HttpResponse.BodyHandlers.ofString()).body());
    }

    /** (error code, new root or null) from Hardhat. */
    private static ProofHarness.Verdict call(Function f) throws IOException, InterruptedException {
        JsonNode r = rpc("eth_call", "[{\"from\":\"" + FROM + "\",\"to\":\"" + harness + "\",\"gas\":\"0x1c9c380\",\"data\":\""
                + FunctionEncoder.encode(f) + "\"},\"latest\"]");
        assertThat(r.has("result")).as("eth_call answered " + r).isTrue();
        byte[] out = HEX.parseHex(r.get("result").asText().substring(2));
        ProofError e = ProofError.ofCode(new BigInteger(1, java.util.Arrays.copyOfRange(out, 0, 32)).intValueExact());
        Bytes32 root = out.length >= 64 ? Bytes32.of(java.util.Arrays.copyOfRange(out, 32, 64)) : null;
        return new ProofHarness.Verdict(e, root, 0, 0);
    }

    private static ProofHarness.Verdict update(Bytes32 root, List<Bytes32> keys, List<Bytes32> old, List<Bytes32> nv, byte[] proof)
            throws IOException, InterruptedException {
        return call(new Function("update", List.of(b32(root), array(keys), array(old), array(nv), new DynamicBytes(proof)), List.of()));
    }

    private static ProofHarness.Verdict verify(Bytes32 root, List<Bytes32> keys, List<Bytes32> vh, byte[] proof)
            throws IOException, InterruptedException {
        return call(new Function("verify", List.of(b32(root), array(keys), array(vh), new DynamicBytes(proof)), List.of()));
    }

    @Test
    void everySharedVectorGivesOnHardhatWhatItGivesInTheEmbeddedEvm() throws Exception {
        JsonNode cases = JSON.readTree(Path.of("..", "test-vectors", "smt-proofs.json").toFile()).get("cases");
        for (JsonNode c : cases) {
            String name = c.get("name").asText();
            Bytes32 root = Bytes32.fromHex(c.get("root").asText());
            List<Bytes32> keys = list(c.get("keys"));
            List<Bytes32> vhs = list(c.get("valueHashes"));
            byte[] proof = HEX.parseHex(c.get("proof").asText().substring(2));
            ProofError expected = ProofError.ofCode(c.get("expectedErrorCode").asInt());
            if (c.get("op").asText().equals("verify")) {
                assertThat(verify(root, keys, vhs, proof).error()).as("hardhat: " + name).isEqualTo(expected);
            } else {
                ProofHarness.Verdict v = update(root, keys, vhs, list(c.get("newValueHashes")), proof);
                assertThat(v.error()).as("hardhat: " + name).isEqualTo(expected);
                if (expected == ProofError.OK) {
                    assertThat(v.newRoot().toHex()).as("hardhat: " + name).isEqualTo(c.get("expectedNewRoot").asText());
                }
            }
        }
    }

    @Test
    void randomUpdatesWithDeletionsAndCrowdedSubtreesAgreeOnBothEvms() {
        Property.forAll(Gens.seeds(), Gens.ints(1, 120)).tries(25).check((seed, size) -> {
            Random r = new Random(seed);
            SparseMerkleTree tree = new SparseMerkleTree(new MemoryNodeStore());
            WriteSet ws = new WriteSet();
            List<Bytes32> members = new ArrayList<>();
            byte[] base = new byte[32];
            r.nextBytes(base);
            for (int i = 0; i < size; i++) {
                Bytes32 k = key(r, base);
                members.add(k);
                ws.put(k, new byte[] {(byte) i, 7});
            }
            long v = tree.commit(ws);
            TreeMap<Bytes32, Bytes32> edits = new TreeMap<>();
            for (int i = 0; i < 1 + r.nextInt(10); i++) {
                Bytes32 k = r.nextBoolean() ? members.get(r.nextInt(members.size())) : key(r, base);
                edits.put(k, r.nextBoolean() ? Bytes32.ZERO : Bytes32.of(TreeHash.value(new byte[] {(byte) i, 9})));
            }
            List<Bytes32> keys = new ArrayList<>(edits.keySet());
            List<Bytes32> old = keys.stream().map(k -> tree.get(v, k).map(x -> Bytes32.of(TreeHash.value(x))).orElse(Bytes32.ZERO)).toList();
            List<Bytes32> nv = new ArrayList<>(edits.values());
            byte[] proof = tree.proveUpdate(v, keys, nv).encode();
            ProofHarness.Verdict here = embedded.update(tree.root(v), keys, old, nv, proof);
            ProofHarness.Verdict there;
            try {
                there = update(tree.root(v), keys, old, nv, proof);
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
            assertThat(here.error()).isEqualTo(ProofError.OK);
            assertThat(there.error()).isEqualTo(here.error());
            assertThat(there.newRoot()).isEqualTo(here.newRoot());
        });
    }

    /** Half the keys crowd one small subtree (they share 250 bits with {@code base}). */
    private static Bytes32 key(Random r, byte[] base) {
        byte[] k = new byte[32];
        r.nextBytes(k);
        if (r.nextBoolean()) {
            k = base.clone();
            k[31] = (byte) ((k[31] & 0xC0) | r.nextInt(64));
        }
        return Bytes32.of(k);
    }

    private static List<Bytes32> list(JsonNode array) {
        List<Bytes32> out = new ArrayList<>();
        array.forEach(n -> out.add(Bytes32.fromHex(n.asText())));
        return out;
    }

    private static org.web3j.abi.datatypes.generated.Bytes32 b32(Bytes32 b) {
        return new org.web3j.abi.datatypes.generated.Bytes32(b.toArray());
    }

    @SuppressWarnings({"rawtypes", "unchecked"})
    private static Type array(List<Bytes32> values) {
        return new DynamicArray(org.web3j.abi.datatypes.generated.Bytes32.class,
                values.stream().map(TreeProofOnHardhatTest::b32).toList());
    }
}
