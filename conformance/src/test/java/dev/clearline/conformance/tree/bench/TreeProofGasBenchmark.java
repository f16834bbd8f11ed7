package dev.clearline.conformance.tree.bench;

import dev.clearline.conformance.tree.ProofHarness;
import dev.clearline.tree.Bytes32;
import dev.clearline.tree.SparseMerkleTree;
import dev.clearline.tree.WriteSet;
import dev.clearline.tree.hash.TreeHash;
import dev.clearline.tree.proof.ProofError;
import dev.clearline.tree.store.MemoryNodeStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Gas of SparseMerkleProof in the embedded EVM on a tree of realistic size: a single-key proof and
 * a 5-key multi-proof (verify, and root update). Writes bench-results/state-tree-gas.md and .json.
 *
 * <p>Args: {@code [--leaves 1000000] [--samples 100] [--out ../bench-results]}.
 */
public final class TreeProofGasBenchmark {
    private TreeProofGasBenchmark() {}

    public static void main(String[] args) throws Exception {
        long leaves = 1_000_000;
        int samples = 100;
        Path out = Path.of("..", "bench-results");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--leaves" -> leaves = Long.parseLong(args[++i]);
                case "--samples" -> samples = Integer.parseInt(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i] + "; use --leaves N --samples N --out DIR");
            }
        }
        Random random = new Random(7);
        SparseMerkleTree tree = new SparseMerkleTree(new MemoryNodeStore());
        List<Bytes32> keys = new ArrayList<>();
        for (long done = 0; done < leaves; done += 10_000) {
            WriteSet ws = new WriteSet();
            for (int i = 0; i < 10_000 && done + i < leaves; i++) {
                byte[] k = new byte[32];
                random.nextBytes(k);
                byte[] v = new byte[64];
                random.nextBytes(v);
                keys.add(Bytes32.of(k));
                ws.put(Bytes32.of(k), v);
            }
            tree.prune(tree.commit(ws));
        }
        long version = tree.latestVersion();
        Bytes32 root = tree.root(version);
        Stats single = new Stats();
        Stats five = new Stats();
        Stats fiveUpdate = new Stats();
        try (ProofHarness evm = new ProofHarness()) {
            for (int s = 0; s < samples; s++) {
                Bytes32 k = keys.get(random.nextInt(keys.size()));
                List<Bytes32> one = List.of(k);
                byte[] proof = tree.prove(version, one).encode();
                List<Bytes32> vh = List.of(Bytes32.of(TreeHash.value(tree.get(version, k).orElseThrow())));
                single.add(evm.verify(root, one, vh, proof), proof.length);

                List<Bytes32> several = new ArrayList<>();
                while (several.size() < 5) {
                    Bytes32 x = keys.get(random.nextInt(keys.size()));
                    if (!several.contains(x)) {
                        several.add(x);
                    }
                }
                several.sort(null);
                byte[] multi = tree.prove(version, several).encode();
                List<Bytes32> hashes = several.stream()
                        .map(x -> Bytes32.of(TreeHash.value(tree.get(version, x).orElseThrow()))).toList();
                five.add(evm.verify(root, several, hashes, multi), multi.length);
                List<Bytes32> newHashes = hashes.stream().map(h -> Bytes32.of(TreeHash.value(h.toArray()))).toList();
                fiveUpdate.add(evm.update(root, several, hashes, newHashes, multi), multi.length);
            }
        }
        String command = "./mvnw -B -q -pl conformance -Pbench exec:exec@bench" + (args.length == 0 ? "" : " -Dbench.args=\"" + String.join(" ", args) + "\"");
        StringBuilder md = new StringBuilder("# state-tree proof gas (SparseMerkleProof in the embedded EVM)\n\n");
        md.append("- command: `").append(command).append("`\n");
        md.append("- date: ").append(LocalDate.now()).append(", cores: ").append(Runtime.getRuntime().availableProcessors())
                .append(", JDK: ").append(System.getProperty("java.version")).append("\n");
        md.append("- tree: ").append(leaves).append(" random leaves; ").append(samples).append(" random samples each; "
                + "execution gas = the harness call without the 21,000 intrinsic and the calldata gas "
                + "(it includes the ABI decoding of the arguments into memory); calldata gas at 16/4 per non-zero/zero byte\n\n");
        md.append("| measure | execution gas (mean / max) | proof bytes (mean) | calldata gas (mean) |\n| --- | --- | --- | --- |\n");
        md.append(single.row("verify, 1 key (membership)"));
        md.append(five.row("verify, 5 keys (multi-proof)"));
        md.append(fiveUpdate.row("update root, 5 keys (multi-proof, new values)"));
        Files.createDirectories(out);
        Files.writeString(out.resolve("state-tree-gas.md"), md.toString());
        Files.writeString(out.resolve("state-tree-gas.json"), String.format(Locale.ROOT,
                "{\n  \"leaves\": %d,\n  \"samples\": %d,\n  \"singleVerifyGasMean\": %.0f,\n  \"singleVerifyGasMax\": %d,\n"
                        + "  \"singleProofBytesMean\": %.1f,\n  \"singleCalldataGasMean\": %.0f,\n"
                        + "  \"fiveKeyVerifyGasMean\": %.0f,\n  \"fiveKeyVerifyGasMax\": %d,\n  \"fiveKeyProofBytesMean\": %.1f,\n"
                        + "  \"fiveKeyUpdateGasMean\": %.0f,\n  \"command\": \"%s\",\n  \"date\": \"%s\"\n}\n",
                leaves, samples, single.mean(), single.max, single.bytesMean(), single.calldataMean(), five.mean(), five.max,
                five.bytesMean(), fiveUpdate.mean(), command.replace("\"", "\\\""), LocalDate.now()));
        System.out.print(md);
    }

    private static final class Stats {
        long count;
        long total;
        long max;
        long bytes;
        long calldataGas;

        void add(ProofHarness.Verdict v, int proofBytes) {
            if (v.error() != ProofError.OK) {
                throw new IllegalStateException("a valid proof was rejected on-chain: " + v.error());
            }
            count++;
            total += v.executionGas();
            max = Math.max(max, v.executionGas());
            bytes += proofBytes;
            calldataGas += v.calldataGas();
        }

        double mean() {
            return total / (double) count;
        }

        double bytesMean() {
            return bytes / (double) count;
        }

        double calldataMean() {
            return calldataGas / (double) count;
        }

        String row(String what) {
            return String.format(Locale.ROOT, "| %s | %,.0f / %,d | %,.0f | %,.0f |%n", what, mean(), max, bytesMean(), calldataMean());
        }
    }
}
