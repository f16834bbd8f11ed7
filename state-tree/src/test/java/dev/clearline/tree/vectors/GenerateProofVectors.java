package dev.clearline.tree.vectors;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clearline.tree.Bytes32;
import dev.clearline.tree.SparseMerkleTree;
import dev.clearline.tree.WriteSet;
import dev.clearline.tree.hash.Keccak256;
import dev.clearline.tree.hash.TreeHash;
import dev.clearline.tree.proof.Proof;
import dev.clearline.tree.proof.ProofError;
import dev.clearline.tree.proof.ProofVerifier;
import dev.clearline.tree.proof.Terminal;
import dev.clearline.tree.store.MemoryNodeStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes test-vectors/smt-proofs.json: trees, proofs and root updates, valid and tampered, each
 * with the error code both verifiers must return. The expected code is stated here by intent and
 * checked against the Java verifier as the file is written, so a generator run cannot silently
 * record a verifier bug.
 *
 * <p>Run: {@code ./mvnw -B -q -pl state-tree -Pvectors test-compile exec:exec@vectors}
 */
public final class GenerateProofVectors {
    private static final HexFormat HEX = HexFormat.of();

    private GenerateProofVectors() {}

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args.length > 0 ? args[0] : "test-vectors/smt-proofs.json");
        Files.writeString(out, generate(), StandardCharsets.UTF_8);
        System.out.println("wrote " + out.toAbsolutePath().normalize());
    }

    static Bytes32 key(String label) {
        return Bytes32.of(Keccak256.hash(label.getBytes(StandardCharsets.UTF_8)));
    }

    static byte[] value(String label) {
        return ("value of " + label).getBytes(StandardCharsets.UTF_8);
    }

    /** The whole file, deterministically. */
    public static String generate() throws IOException {
        Map<String, Object> file = new LinkedHashMap<>();
        file.put("description", "Compact sparse Merkle tree proofs (docs/protocol.md section 2). Both the Java verifier "
                + "and Solidity's SparseMerkleProof must return expectedErrorCode for every case; for update cases with "
                + "code 0 they must also return expectedNewRoot. A value hash of zero claims the key is absent.");
        file.put("command", "./mvnw -B -q -pl state-tree -Pvectors test-compile exec:exec@vectors");
        file.put("errorCodes", Arrays.stream(ProofError.values()).collect(
                LinkedHashMap::new, (m, e) -> m.put(e.name(), e.code()), Map::putAll));
        List<Map<String, Object>> trees = new ArrayList<>();
        List<Map<String, Object>> cases = new ArrayList<>();

        // Tree "forty": 40 leaves with keccak("key-i") keys.
        SparseMerkleTree forty = new SparseMerkleTree(new MemoryNodeStore());
        WriteSet ws = new WriteSet();
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            labels.add("key-" + i);
            ws.put(key("key-" + i), value("key-" + i));
        }
        forty.commit(ws);
        trees.add(tree("forty", labels, forty));

        SparseMerkleTree single = new SparseMerkleTree(new MemoryNodeStore());
        single.put(key("only"), value("only"));
        trees.add(tree("single-leaf", List.of("only"), single));

        SparseMerkleTree empty = new SparseMerkleTree(new MemoryNodeStore());
        empty.commit(new WriteSet());
        trees.add(tree("empty", List.of(), empty));

        Bytes32 root = forty.root(0);
        Bytes32 member = key("key-7");
        Bytes32 absent = absentWithNeighbourLeaf(forty);
        Bytes32 absentEmpty = absentInEmptySubtree(forty);
        List<Bytes32> five = sorted(key("key-1"), key("key-2"), key("key-30"), absent, absentEmpty);

        // Valid proofs.
        byte[] pMember = forty.prove(0, List.of(member)).encode();
        cases.add(verifyCase("single membership", "forty", root, List.of(member), forty, pMember, ProofError.OK));
        cases.add(verifyCase("single non-membership ending at a neighbour leaf", "forty", root, List.of(absent), forty,
                forty.prove(0, List.of(absent)).encode(), ProofError.OK));
        cases.add(verifyCase("single non-membership ending at an empty subtree", "forty", root, List.of(absentEmpty),
                forty, forty.prove(0, List.of(absentEmpty)).encode(), ProofError.OK));
        byte[] pFive = forty.prove(0, five).encode();
        cases.add(verifyCase("five keys, members and non-members", "forty", root, five, forty, pFive, ProofError.OK));
        List<Bytes32> all = new ArrayList<>();
        for (String l : labels) {
            all.add(key(l));
        }
        all = sorted(all.toArray(Bytes32[]::new));
        cases.add(verifyCase("all forty keys", "forty", root, all, forty, forty.prove(0, all).encode(), ProofError.OK));
        cases.add(verifyCase("single-leaf tree, membership at depth 0", "single-leaf", single.root(0),
                List.of(key("only")), single, single.prove(0, List.of(key("only"))).encode(), ProofError.OK));
        cases.add(verifyCase("single-leaf tree, non-membership", "single-leaf", single.root(0), List.of(member), single,
                single.prove(0, List.of(member)).encode(), ProofError.OK));
        cases.add(verifyCase("empty tree, non-membership", "empty", empty.root(0), List.of(member), empty,
                empty.prove(0, List.of(member)).encode(), ProofError.OK));

        // Wrong claims.
        cases.add(custom("wrong value for a member", "forty", root, List.of(member),
                List.of(Bytes32.of(TreeHash.value(value("key-8")))), pMember, ProofError.ROOT_MISMATCH));
        cases.add(custom("member claimed absent", "forty", root, List.of(member), List.of(Bytes32.ZERO), pMember,
                ProofError.VALUE_MISMATCH));
        cases.add(custom("absent key claimed present", "forty", root, List.of(absent),
                List.of(Bytes32.of(TreeHash.value(value("x")))), forty.prove(0, List.of(absent)).encode(),
                ProofError.VALUE_MISMATCH));
        cases.add(verifyCase("wrong key: a member's proof used for another member", "forty", root, List.of(key("key-8")),
                forty, pMember, ProofError.ROOT_MISMATCH, List.of(Bytes32.of(TreeHash.value(value("key-7"))))));
        cases.add(verifyCase("wrong root", "forty", single.root(0), List.of(member), forty, pMember, ProofError.ROOT_MISMATCH));
        cases.add(verifyCase("keys not ascending", "forty", root, List.of(key("key-2"), key("key-1")).stream()
                .sorted((a, b) -> b.compareTo(a)).toList(), forty, forty.prove(0, List.of(key("key-1"), key("key-2"))).encode(),
                ProofError.KEYS_NOT_SORTED));
        cases.add(verifyCase("a key left out of a multi-proof", "forty", root, List.of(five.get(0), five.get(1),
                five.get(2), five.get(3)), forty, pFive, ProofError.TERMINAL_MISMATCH));

        // Tampered bytes.
        byte[] flipped = pMember.clone();
        flipped[flipped.length - 1] ^= 1;
        cases.add(verifyCase("a sibling byte flipped", "forty", root, List.of(member), forty, flipped, ProofError.ROOT_MISMATCH));
        cases.add(verifyCase("truncated bitmap", "forty", root, List.of(member), forty,
                Arrays.copyOf(pMember, 2 + 3 + 2 + 1 - 1), ProofError.MALFORMED));
        cases.add(verifyCase("truncated by one byte", "forty", root, List.of(member), forty,
                Arrays.copyOf(pMember, pMember.length - 1), ProofError.MALFORMED));
        byte[] longer = Arrays.copyOf(pMember, pMember.length + 1);
        cases.add(verifyCase("one trailing byte", "forty", root, List.of(member), forty, longer, ProofError.MALFORMED));
        byte[] badKind = pMember.clone();
        badKind[4] = 7;
        cases.add(verifyCase("unknown terminal kind", "forty", root, List.of(member), forty, badKind, ProofError.MALFORMED));
        byte[] deep = pMember.clone();
        deep[2] = 1;
        deep[3] = 1;
        cases.add(verifyCase("terminal depth 257", "forty", root, List.of(member), forty, deep, ProofError.MALFORMED));
        cases.add(verifyCase("empty proof", "forty", root, List.of(member), forty, new byte[0], ProofError.MALFORMED));
        Proof decoded = ((Proof.Decoded.Valid) Proof.decode(pMember)).proof();
        List<byte[]> fewer = new ArrayList<>(decoded.siblings());
        fewer.remove(fewer.size() - 1);
        cases.add(verifyCase("a sibling slot missing", "forty", root, List.of(member), forty,
                new Proof(decoded.terminals(), fewer).encode(), ProofError.SIBLINGS_MISMATCH));
        List<byte[]> more = new ArrayList<>(decoded.siblings());
        more.add(new byte[32]);
        cases.add(verifyCase("an extra empty sibling slot", "forty", root, List.of(member), forty,
                new Proof(decoded.terminals(), more).encode(), ProofError.SIBLINGS_MISMATCH));
        Terminal t0 = decoded.terminals().get(0);
        cases.add(verifyCase("terminal moved one level up", "forty", root, List.of(member), forty,
                new Proof(List.of(new Terminal.QueriedLeaf(t0.depth() - 1)), decoded.siblings().subList(1,
                        decoded.siblings().size())).encode(), ProofError.ROOT_MISMATCH));
        byte[] neighbour = forty.prove(0, List.of(absent)).encode();
        Proof nb = ((Proof.Decoded.Valid) Proof.decode(neighbour)).proof();
        Terminal.NeighbourLeaf nl = (Terminal.NeighbourLeaf) nb.terminals().get(0);
        byte[] offPath = nl.key().clone();
        offPath[0] ^= (byte) 0x80;
        cases.add(verifyCase("neighbour leaf off the key's path", "forty", root, List.of(absent), forty,
                new Proof(List.of(new Terminal.NeighbourLeaf(nl.depth(), offPath, nl.valueHash())), nb.siblings()).encode(),
                ProofError.TERMINAL_MISMATCH));
        cases.add(verifyCase("non-membership shown with the queried key as neighbour", "forty", root, List.of(member), forty,
                new Proof(List.of(new Terminal.NeighbourLeaf(t0.depth(), member.toArray(),
                        TreeHash.value(value("key-7")))), decoded.siblings()).encode(), ProofError.VALUE_MISMATCH,
                List.of(Bytes32.ZERO)));

        // Root updates, checked against committing the same writes to the tree.
        cases.add(updateCase("replace two values and insert two keys", forty, sorted(key("key-3"), key("key-4"),
                absent, absentEmpty), List.of("new-3", "new-4", "new-a", "new-b"), ProofError.OK));
        cases.add(updateCase("insert into the empty tree", empty, List.of(member), List.of("first"), ProofError.OK));
        cases.add(updateCase("insert beside the single leaf", single, List.of(member), List.of("second"), ProofError.OK));
        // Deletions: the sibling a deleted leaf leaves alone is opened, and moves up when it is a leaf.
        cases.add(updateCase("delete a member, its sibling opened", forty, List.of(member), List.of(""), ProofError.OK));
        cases.add(updateCase("delete the single leaf", single, List.of(key("only")), List.of(""), ProofError.OK));
        List<Bytes32> allForty = labels.stream().map(GenerateProofVectors::key).sorted().toList();
        cases.add(updateCase("delete every leaf", forty, allForty, allForty.stream().map(k -> "").toList(), ProofError.OK));
        List<Bytes32> fiveSorted = sorted(five.toArray(Bytes32[]::new));
        cases.add(updateCase("delete five, keep nothing else touched", forty, fiveSorted,
                fiveSorted.stream().map(k -> "").toList(), ProofError.OK));
        // Many leaves meeting in one terminal: three new keys beside a neighbour leaf, and a mix.
        List<Bytes32> crowd = crowdAround(absent, 3);
        cases.add(updateCase("three new keys beside a neighbour leaf in one terminal", forty, crowd,
                List.of("c-0", "c-1", "c-2"), ProofError.OK));
        List<Bytes32> mixed = new ArrayList<>(crowd);
        mixed.add(member);
        mixed.add(key("key-11"));
        mixed = sorted(mixed.toArray(Bytes32[]::new));
        cases.add(updateCase("insert three in one terminal, delete two members, anywhere", forty, mixed,
                mixed.stream().map(k -> k.equals(member) || k.equals(key("key-11")) ? "" : "m-" + k.toHex().substring(2, 6)).toList(),
                ProofError.OK));
        cases.add(updateCase("delete without the opening", forty, List.of(member), List.of(""), ProofError.SIBLINGS_MISMATCH,
                p -> p.withOpenings(List.of()).encode()));
        cases.add(updateCase("delete with the opening of the wrong kind", forty, List.of(member), List.of(""),
                ProofError.SIBLINGS_MISMATCH, p -> p.withOpenings(List.of(new Proof.Opening(
                        3 - p.openings().get(0).kind(), p.openings().get(0).first(), p.openings().get(0).second()))).encode()));
        cases.add(updateCase("delete with an opening too many", forty, List.of(member), List.of(""),
                ProofError.SIBLINGS_MISMATCH, p -> p.withOpenings(List.of(p.openings().get(0), p.openings().get(0))).encode()));
        byte[] withOpening = forty.proveUpdate(0, List.of(member), List.of(Bytes32.ZERO)).encode();
        cases.add(verifyCase("a verification with an opening it never uses", "forty", root, List.of(member), forty,
                withOpening, ProofError.SIBLINGS_MISMATCH));
        byte[] noOpenings = Arrays.copyOf(withOpening, withOpening.length - Proof.OPENING_BYTES);
        noOpenings[noOpenings.length - 1] = 0;
        noOpenings[noOpenings.length - 2] = 0;
        cases.add(verifyCase("an opening section holding no openings", "forty", root, List.of(member), forty,
                noOpenings, ProofError.MALFORMED));
        byte[] badOpeningKind = withOpening.clone();
        badOpeningKind[withOpening.length - Proof.OPENING_BYTES] = 3;
        cases.add(verifyCase("an opening of unknown kind", "forty", root, List.of(member), forty, badOpeningKind, ProofError.MALFORMED));
        cases.add(verifyCase("an opening cut short", "forty", root, List.of(member), forty,
                Arrays.copyOf(withOpening, withOpening.length - 1), ProofError.MALFORMED));

        file.put("trees", trees);
        file.put("cases", cases);
        DefaultPrettyPrinter pp = new DefaultPrettyPrinter().withObjectIndenter(new DefaultIndenter("  ", "\n"));
        return new ObjectMapper().writer(pp).writeValueAsString(file) + "\n";
    }

    private static List<Bytes32> sorted(Bytes32... keys) {
        return Arrays.stream(keys).sorted().distinct().toList();
    }

    /** {@code n} keys that share all but their last bits with {@code k} (so one terminal covers them all), {@code k} first. */
    private static List<Bytes32> crowdAround(Bytes32 k, int n) {
        List<Bytes32> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] b = k.toArray();
            b[31] = (byte) ((b[31] & 0xF0) | i);
            out.add(Bytes32.of(b));
        }
        return sorted(out.toArray(Bytes32[]::new));
    }

    private static Bytes32 absentWithNeighbourLeaf(SparseMerkleTree t) {
        for (int i = 0; ; i++) {
            Bytes32 k = key("absent-" + i);
            Proof p = t.prove(0, List.of(k));
            if (p.terminals().get(0) instanceof Terminal.NeighbourLeaf) {
                return k;
            }
        }
    }

    private static Bytes32 absentInEmptySubtree(SparseMerkleTree t) {
        for (int i = 0; ; i++) {
            Bytes32 k = key("absent-" + i);
            Proof p = t.prove(0, List.of(k));
            if (p.terminals().get(0) instanceof Terminal.Empty) {
                return k;
            }
        }
    }

    private static Map<String, Object> tree(String name, List<String> labels, SparseMerkleTree t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        List<Map<String, String>> leaves = new ArrayList<>();
        for (String l : labels) {
            leaves.add(Map.of("key", key(l).toHex(), "value", "0x" + HEX.formatHex(value(l))));
        }
        leaves.sort((a, b) -> a.get("key").compareTo(b.get("key")));
        List<Map<String, String>> ordered = new ArrayList<>();
        for (var leaf : leaves) {
            Map<String, String> o = new LinkedHashMap<>();
            o.put("key", leaf.get("key"));
            o.put("value", leaf.get("value"));
            ordered.add(o);
        }
        m.put("leaves", ordered);
        m.put("root", t.root(0).toHex());
        return m;
    }

    private static Map<String, Object> verifyCase(String name, String tree, Bytes32 root, List<Bytes32> keys,
            SparseMerkleTree t, byte[] proof, ProofError expected) {
        List<Bytes32> claims = keys.stream().map(k -> t.get(0, k).map(v -> Bytes32.of(TreeHash.value(v)))
                .orElse(Bytes32.ZERO)).toList();
        return custom(name, tree, root, keys, claims, proof, expected);
    }

    private static Map<String, Object> verifyCase(String name, String tree, Bytes32 root, List<Bytes32> keys,
            SparseMerkleTree t, byte[] proof, ProofError expected, List<Bytes32> claims) {
        return custom(name, tree, root, keys, claims, proof, expected);
    }

    private static Map<String, Object> custom(String name, String tree, Bytes32 root, List<Bytes32> keys,
            List<Bytes32> valueHashes, byte[] proof, ProofError expected) {
        ProofError actual = ProofVerifier.verify(root, keys, valueHashes, proof);
        if (actual != expected) {
            throw new IllegalStateException("vector '" + name + "': expected " + expected + " but the verifier says " + actual);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("op", "verify");
        m.put("tree", tree);
        m.put("root", root.toHex());
        m.put("keys", keys.stream().map(Bytes32::toHex).toList());
        m.put("valueHashes", valueHashes.stream().map(Bytes32::toHex).toList());
        m.put("proof", "0x" + HEX.formatHex(proof));
        m.put("expectedError", expected.name());
        m.put("expectedErrorCode", expected.code());
        return m;
    }

    private static Map<String, Object> updateCase(String name, SparseMerkleTree t, List<Bytes32> keys,
            List<String> newValues, ProofError expected) {
        return updateCase(name, t, keys, newValues, expected, Proof::encode);
    }

    private static Map<String, Object> updateCase(String name, SparseMerkleTree t, List<Bytes32> keys,
            List<String> newValues, ProofError expected, java.util.function.Function<Proof, byte[]> tamper) {
        Bytes32 root = t.root(0);
        List<Bytes32> oldVh = keys.stream().map(k -> t.get(0, k).map(v -> Bytes32.of(TreeHash.value(v)))
                .orElse(Bytes32.ZERO)).toList();
        List<Bytes32> newVh = newValues.stream().map(v -> v.isEmpty() ? Bytes32.ZERO
                : Bytes32.of(TreeHash.value(v.getBytes(StandardCharsets.UTF_8)))).toList();
        byte[] proof = tamper.apply(t.proveUpdate(0, keys, newVh));
        ProofVerifier.Result r = ProofVerifier.update(root, keys, oldVh, newVh, proof);
        if (r.error() != expected) {
            throw new IllegalStateException("vector '" + name + "': expected " + expected + " but got " + r.error());
        }
        WriteSet ws = new WriteSet();
        for (int i = 0; i < keys.size(); i++) {
            if (newValues.get(i).isEmpty()) {
                ws.delete(keys.get(i));
            } else {
                ws.put(keys.get(i), newValues.get(i).getBytes(StandardCharsets.UTF_8));
            }
        }
        long v = t.commit(ws);
        Bytes32 committed = t.root(v);
        WriteSet undo = new WriteSet(); // back to version 0's leaves, so the next case starts from them
        for (Bytes32 k : keys) {
            var before = t.get(0, k);
            if (before.isPresent()) {
                undo.put(k, before.get());
            } else {
                undo.delete(k);
            }
        }
        if (!t.root(t.commit(undo)).equals(root)) {
            throw new IllegalStateException("vector '" + name + "': undoing the writes does not give the tree's root back");
        }
        if (expected == ProofError.OK && !committed.equals(r.newRoot())) {
            throw new IllegalStateException("vector '" + name + "': proof update gives " + r.newRoot()
                    + " but committing gives " + committed);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("op", "update");
        m.put("root", root.toHex());
        m.put("keys", keys.stream().map(Bytes32::toHex).toList());
        m.put("valueHashes", oldVh.stream().map(Bytes32::toHex).toList());
        m.put("newValueHashes", newVh.stream().map(Bytes32::toHex).toList());
        m.put("proof", "0x" + HEX.formatHex(proof));
        m.put("expectedError", expected.name());
        m.put("expectedErrorCode", expected.code());
        m.put("expectedNewRoot", expected == ProofError.OK ? committed.toHex() : null);
        return m;
    }
}
