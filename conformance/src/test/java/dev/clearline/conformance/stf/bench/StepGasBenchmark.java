package dev.clearline.conformance.stf.bench;

import dev.clearline.testkit.bench.MachineIdle;
import dev.clearline.conformance.stf.CaseGenerator;
import dev.clearline.conformance.stf.CodeTally;
import dev.clearline.conformance.stf.Differential;
import dev.clearline.conformance.stf.StepCase;
import dev.clearline.conformance.stf.StepHarness;
import dev.clearline.engine.order.BouncyCastleVerifier;
import dev.clearline.engine.stf.ForkedNodeStore;
import dev.clearline.engine.stf.Stf;
import dev.clearline.engine.witness.StepWitness;
import dev.clearline.engine.witness.WitnessBuilder;
import dev.clearline.tree.Bytes32;
import dev.clearline.tree.SparseMerkleTree;
import dev.clearline.tree.WriteSet;
import dev.clearline.tree.store.MemoryNodeStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Gas of one step (StepVerifier.step: dispatch, rule, witness parse, one multi-proof verify or
 * update) per transition type, with its witness, in a state tree of {@code --leaves} random leaves
 * (default 1,000,000) under each case's own leaves. Cases come from the differential generator; a
 * type's figures are over the cases that applied (the full path) and over all its cases. Writes
 * bench-results/stf-gas.md and .json.
 *
 * <p>{@code ./clearline bench conformance stf-gas [--leaves 1000000] [--samples 200]}
 */
public final class StepGasBenchmark {
    private StepGasBenchmark() {}

    /** Running mean and max. */
    static final class Stat {
        long n;
        double sum;
        long max;

        void add(long v) {
            n++;
            sum += v;
            max = Math.max(max, v);
        }

        String cell() {
            return n == 0 ? "-" : String.format(Locale.ROOT, "%,.0f / %,d", sum / n, max);
        }

        String json() {
            return n == 0 ? "null" : String.format(Locale.ROOT, "{\"n\": %d, \"mean\": %.0f, \"max\": %d}", n, sum / n, max);
        }
    }

    public static void main(String[] args) throws Exception {
        long leaves = 1_000_000;
        int samples = 200;
        Path out = Path.of("..", "bench-results");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--leaves" -> leaves = Long.parseLong(args[++i]);
                case "--samples" -> samples = Integer.parseInt(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i] + "; use --leaves N --samples N --out DIR");
            }
        }
        MachineIdle idle = new MachineIdle();
        MemoryNodeStore store = new MemoryNodeStore();
        SparseMerkleTree base = new SparseMerkleTree(store);
        Random random = new Random(11);
        for (long done = 0; done < leaves; done += 10_000) {
            WriteSet ws = new WriteSet();
            for (int i = 0; i < 10_000 && done + i < leaves; i++) {
                byte[] k = new byte[32];
                random.nextBytes(k);
                byte[] v = new byte[64 + 32 * random.nextInt(4)];
                random.nextBytes(v);
                ws.put(Bytes32.of(k), v);
            }
            base.prune(base.commit(ws));
        }
        long baseVersion = base.latestVersion();
        System.out.printf(Locale.ROOT, "stf-gas tree_leaves=%d built%n", leaves);

        WitnessBuilder builder = new WitnessBuilder(new Stf(Differential.DOMAIN, new BouncyCastleVerifier()));
        CaseGenerator generator = new CaseGenerator(Differential.DOMAIN);
        TreeMap<Integer, Stat> applied = new TreeMap<>();
        TreeMap<Integer, Stat> all = new TreeMap<>();
        TreeMap<Integer, Stat> witnessBytes = new TreeMap<>();
        TreeMap<Integer, Stat> calldataGas = new TreeMap<>();
        TreeMap<Integer, Stat> transitionBytes = new TreeMap<>();
        long t0 = System.nanoTime();
        long cases = 0;
        try (StepHarness evm = new StepHarness()) {
            for (long seed = 1; seed < 200L * samples; seed++) {
                StepCase c = generator.generate(seed);
                int type = c.type() < CodeTally.TYPE_NAMES.length ? c.type() : 0;
                if (applied.getOrDefault(type, new Stat()).n >= samples && all.getOrDefault(type, new Stat()).n >= samples) continue;
                SparseMerkleTree tree = new SparseMerkleTree(new ForkedNodeStore(store, baseVersion), 1 << 10);
                WriteSet ws = new WriteSet();
                for (Map.Entry<Bytes32, byte[]> e : c.preState().entrySet()) ws.put(e.getKey(), e.getValue());
                long v = tree.commit(ws);
                StepWitness w = builder.build(tree, v, c.transition(), c.batchIndex());
                byte[] witness = w.witness().encode();
                StepHarness.Outcome o = evm.step(tree.root(v).toArray(), c.transition(), witness, c.batchIndex(),
                        Differential.DOMAIN.domainSeparator().bytes());
                cases++;
                if (o.reverted()) { // a bad witness: a bug that the differential tests would fail on
                    System.out.println("stf-gas reverted seed=" + seed + " revert=" + o.revert());
                    continue;
                }
                all.computeIfAbsent(type, k -> new Stat()).add(o.gas());
                if (o.result().reject() == 0) {
                    applied.computeIfAbsent(type, k -> new Stat()).add(o.gas());
                    witnessBytes.computeIfAbsent(type, k -> new Stat()).add(witness.length);
                    transitionBytes.computeIfAbsent(type, k -> new Stat()).add(c.transition().length);
                    calldataGas.computeIfAbsent(type, k -> new Stat()).add(calldataGas(c.transition()) + calldataGas(witness));
                }
                if (allDone(applied, all, samples)) break;
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        String command = "./clearline bench conformance stf-gas --leaves " + leaves + " --samples " + samples;
        StringBuilder md = new StringBuilder("# One-step gas of the Solidity STF (StepVerifier.step) at " + String.format(Locale.ROOT, "%,d", leaves)
                + " leaves\n\n- command: `" + command + "`\n- date: " + Instant.now() + ", cores: "
                + Runtime.getRuntime().availableProcessors() + ", JDK: " + Runtime.version()
                + String.format(Locale.ROOT, ", machine idle share during the run: %.0f %%%n", idle.share() * 100)
                + "- execution gas of the call (without the 21,000 intrinsic and calldata gas; it includes the dispatcher's"
                + " forwarding call, ABI decoding, the rule, signature recovery and the multi-proof update); `applied` ="
                + " cases the rule accepted (the full path), `all` = every well-formed case of the type; goal: Trade under"
                + " 250k, every type under 400k\n"
                + String.format(Locale.ROOT, "- %d cases in %.0f s%n%n", cases, seconds)
                + "| type | applied: gas mean / max | all: gas mean / max | transition bytes | witness bytes mean / max | calldata gas mean / max (transition + witness) |\n"
                + "| --- | ---: | ---: | ---: | ---: | ---: |\n");
        StringBuilder json = new StringBuilder("{\"command\": \"" + command + "\", \"leaves\": " + leaves + ", \"types\": {");
        boolean first = true;
        for (int type = 1; type < CodeTally.TYPE_NAMES.length; type++) {
            Stat a = applied.getOrDefault(type, new Stat());
            md.append("| ").append(CodeTally.TYPE_NAMES[type]).append(" | ").append(a.cell()).append(" | ")
                    .append(all.getOrDefault(type, new Stat()).cell()).append(" | ")
                    .append(transitionBytes.getOrDefault(type, new Stat()).max).append(" | ")
                    .append(witnessBytes.getOrDefault(type, new Stat()).cell()).append(" | ")
                    .append(calldataGas.getOrDefault(type, new Stat()).cell()).append(" |\n");
            json.append(first ? "" : ", ").append('"').append(CodeTally.TYPE_NAMES[type]).append("\": {\"applied\": ")
                    .append(a.json()).append(", \"all\": ").append(all.getOrDefault(type, new Stat()).json())
                    .append(", \"witnessBytes\": ").append(witnessBytes.getOrDefault(type, new Stat()).json()).append('}');
            first = false;
        }
        json.append("}}\n");
        md.append("\n").append(calldataPerFill(out)).append("\n");
        Files.createDirectories(out);
        Files.writeString(out.resolve("stf-gas.md"), md);
        Files.writeString(out.resolve("stf-gas.json"), json);
        System.out.print(md);
    }

    private static boolean allDone(Map<Integer, Stat> applied, Map<Integer, Stat> all, int samples) {
        for (int type = 1; type < CodeTally.TYPE_NAMES.length; type++) {
            if (applied.getOrDefault(type, new Stat()).n < samples || all.getOrDefault(type, new Stat()).n < samples) return false;
        }
        return true;
    }

    /**
     * Calldata bytes per fill on the engine benchmark's order flow (Trade plus the amortised PostOrders):
     * the engine benchmark replays that flow through the exchange, so its figure is quoted from its
     * result file with its date, not recomputed here.
     */
    static String calldataPerFill(Path out) {
        Path file = out.resolve("engine-core.json");
        try {
            com.fasterxml.jackson.databind.JsonNode n = new com.fasterxml.jackson.databind.ObjectMapper().readTree(file.toFile());
            for (com.fasterxml.jackson.databind.JsonNode row : n.get("results")) {
                if (row.path("benchmark").asText().equals("L1 calldata") && row.path("metric").asText().equals("bytes per fill")) {
                    return String.format(Locale.ROOT, "Calldata per fill on the engine benchmark's order flow: **%.1f bytes** (Trade %d"
                            + " bytes plus the PostOrders and PruneOrders amortised over their fills; from `%s` of %s, `bench-results/engine-core.json`: %s)",
                            row.get("value").asDouble(), dev.clearline.engine.transition.TransitionCodec.encodedLength(
                                    new dev.clearline.engine.transition.Transition.Trade(1, 1, 1)),
                            n.path("command").asText(), n.path("date").asText(), row.path("notes").asText());
                }
            }
            return "Calldata per fill: no `L1 calldata` row in " + file + "; run `./clearline bench engine core` first.";
        } catch (java.io.IOException | RuntimeException e) {
            return "Calldata per fill: " + file + " not readable (" + e.getMessage() + "); run `./clearline bench engine core` first.";
        }
    }

    static long calldataGas(byte[] b) {
        long g = 0;
        for (byte x : b) g += x == 0 ? 4 : 16;
        return g;
    }
}
