package dev.clearline.tree.bench;

import dev.clearline.tree.Bytes32;
import dev.clearline.tree.SparseMerkleTree;
import dev.clearline.tree.WriteSet;
import dev.clearline.tree.hash.Keccak256;
import dev.clearline.tree.store.MemoryNodeStore;
import dev.clearline.tree.store.NodeStore;
import dev.clearline.tree.store.RocksDbNodeStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.bouncycastle.crypto.digests.KeccakDigest;

/**
 * The state tree's benchmark: update throughput (batched and root-per-update) in memory and on
 * RocksDB, proof generation and size, the keccak bound, memory per leaf, and Apache Tuweni's Merkle
 * Patricia trie on the same keys and values as the reference. Writes bench-results/state-tree.md and .json.
 *
 * <p>It also measures what syncing each version commit costs on RocksDB ({@link RocksDbNodeStore.Durability}):
 * two stores built alike, one synced and one not, take the same work in alternating blocks.
 * {@code --sync-cost-only} runs just that and writes bench-results/state-tree-sync.md and .json.
 *
 * <p>Args: {@code [--leaves 1000000[,10000000]] [--no-memory] [--no-rocks] [--no-tuweni] [--sync-cost-only] [--out ../bench-results]}.
 */
public final class TreeBenchmark {
    private static final int BATCH = 10_000;
    private static final int VALUE_BYTES = 64;

    private final Random random = new Random(2026);
    private final Map<String, Object> json = new LinkedHashMap<>();
    private final List<String> rows = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        List<Long> sizes = List.of(1_000_000L);
        boolean rocks = true;
        boolean tuweni = true;
        boolean memory = true;
        boolean syncOnly = false;
        Path out = Path.of("..", "bench-results");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--leaves" -> sizes = Stream.of(args[++i].split(",")).map(Long::parseLong).toList();
                case "--no-rocks" -> rocks = false;
                case "--no-tuweni" -> tuweni = false;
                case "--no-memory" -> memory = false;
                case "--out" -> out = Path.of(args[++i]);
                case "--sync-cost-only" -> syncOnly = true;
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + "; use --leaves N[,M] --no-memory --no-rocks --no-tuweni --sync-cost-only --out DIR");
            }
        }
        if (syncOnly) {
            TreeBenchmark b = new TreeBenchmark();
            for (long n : sizes) {
                Map<String, Object> size = new LinkedHashMap<>();
                b.json.put("leaves" + n, size);
                b.syncCost(n, size);
            }
            b.write(out, String.join(" ", args), "state-tree-sync");
            return;
        }
        // Tuweni's trie asks the JCA for KECCAK-256, which only Bouncy Castle's provider offers.
        java.security.Security.addProvider(new org.bouncycastle.jce.provider.BouncyCastleProvider());
        new TreeBenchmark().run(sizes, memory, rocks, tuweni, out, String.join(" ", args));
    }

    private void run(List<Long> sizes, boolean memory, boolean rocks, boolean tuweni, Path out, String argLine) throws Exception {
        double keccakNs = keccakNanos();
        double bcNs = bouncyCastleNanos();
        row("keccak256 of 65 bytes, this library's Keccak256", fmt(keccakNs) + " ns");
        row("keccak256 of 64 bytes, Bouncy Castle KeccakDigest", fmt(bcNs) + " ns");
        json.put("keccakNs", keccakNs);
        json.put("bouncyCastleKeccakNs", bcNs);
        for (long n : sizes) {
            Map<String, Object> size = new LinkedHashMap<>();
            json.put("leaves" + n, size);
            // Without the in-memory run (a quicker look at one store) the ratios to it are left out.
            Measured mem = memory ? measure("memory", n, new CountingStore(new MemoryNodeStore()), size, keccakNs, bcNs, true) : null;
            if (rocks) {
                Path dir = Files.createTempDirectory("clearline-tree-bench");
                // Unsynced, as the published figures have always been: the sync rows below give its cost.
                try (RocksDbNodeStore store = RocksDbNodeStore.open(dir,
                        RocksDbNodeStore.Settings.defaults().withDurability(RocksDbNodeStore.Durability.PROCESS_CRASH_ONLY))) {
                    Measured disk = measure("rocksdb", n, new CountingStore(store), size, keccakNs, bcNs, false);
                    if (mem != null) {
                        ratio(n, "RocksDB / memory, batched", disk.batched / mem.batched);
                    }
                } finally {
                    deleteRecursively(dir);
                }
                syncCost(n, size);
            }
            if (tuweni && mem != null) {
                tuweni(n, size, mem);
            }
        }
        write(out, argLine, "state-tree");
    }

    /**
     * The cost of {@link RocksDbNodeStore.Durability#SYNCED} commits: two stores of {@code n} leaves
     * (same keys), one synced and one not, take batched versions (10k keys each) and single-update
     * versions (one key each) in alternating blocks, so load on the machine falls on both alike.
     */
    private void syncCost(long n, Map<String, Object> size) throws IOException {
        RocksDbNodeStore.Durability[] kinds = RocksDbNodeStore.Durability.values();
        Path[] dirs = new Path[kinds.length];
        RocksDbNodeStore[] stores = new RocksDbNodeStore[kinds.length];
        SparseMerkleTree[] trees = new SparseMerkleTree[kinds.length];
        List<List<byte[]>> keys = new ArrayList<>();
        try {
            for (int i = 0; i < kinds.length; i++) {
                dirs[i] = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "clearline-sync-bench");
                stores[i] = RocksDbNodeStore.open(dirs[i], RocksDbNodeStore.Settings.defaults().withDurability(kinds[i]));
                trees[i] = new SparseMerkleTree(stores[i]);
                Random r = new Random(2027); // the same keys in both stores
                List<byte[]> k = new ArrayList<>();
                for (long done = 0; done < n; done += BATCH) {
                    WriteSet ws = new WriteSet();
                    for (int j = 0; j < BATCH && done + j < n; j++) {
                        byte[] key = new byte[32];
                        r.nextBytes(key);
                        k.add(key);
                        ws.put(Bytes32.of(key), randomBytes(VALUE_BYTES));
                    }
                    trees[i].prune(trees[i].commit(ws));
                    if ((done / BATCH) % 10 == 9) {
                        System.out.printf(Locale.ROOT, "sync cost: building the %s store, %,d of %,d leaves%n", kinds[i], done + BATCH, n);
                    }
                }
                keys.add(k);
            }
            int rounds = 6;
            int batchedPerBlock = 3;
            int singlesPerBlock = 300;
            long[] batchedNanos = new long[kinds.length];
            long[] singleNanos = new long[kinds.length];
            CpuTimes[] cpu = {CpuTimes.ZERO, CpuTimes.ZERO};
            for (int i = 0; i < kinds.length; i++) { // warm-up, untimed
                batchedUpdates(trees[i], keys.get(i), 2);
                singleUpdates(trees[i], keys.get(i), 100);
            }
            for (int round = 0; round < rounds; round++) {
                for (int j = 0; j < kinds.length; j++) {
                    int i = (round + j) % kinds.length; // alternate which store goes first
                    CpuTimes before = CpuTimes.now();
                    long t0 = System.nanoTime();
                    batchedUpdates(trees[i], keys.get(i), batchedPerBlock);
                    long t1 = System.nanoTime();
                    singleUpdates(trees[i], keys.get(i), singlesPerBlock);
                    long t2 = System.nanoTime();
                    cpu[i] = cpu[i].plus(CpuTimes.now().minus(before));
                    batchedNanos[i] += t1 - t0;
                    singleNanos[i] += t2 - t1;
                }
            }
            double[] batchedMs = new double[kinds.length];
            double[] singleMs = new double[kinds.length];
            for (int i = 0; i < kinds.length; i++) {
                Map<String, Object> m = new LinkedHashMap<>();
                size.put("rocksdb " + kinds[i], m);
                batchedMs[i] = batchedNanos[i] / 1e6 / (rounds * batchedPerBlock);
                singleMs[i] = singleNanos[i] / 1e6 / (rounds * singlesPerBlock);
                m.put("msPerBatchedVersion", batchedMs[i]);
                m.put("msPerSingleUpdateVersion", singleMs[i]);
                m.put("batchedUpdatesPerSecond", BATCH * 1000.0 / batchedMs[i]);
                m.put("singleUpdatesPerSecond", 1000.0 / singleMs[i]);
                m.put("idleShare", cpu[i].idleShare());
                String label = "rocksdb " + kinds[i] + " @" + n;
                String idle = " (machine idle " + pct(cpu[i].idleShare()) + ")";
                row(label + ": ms per batched version (10k keys)", fmt(batchedMs[i]) + " ms = " + rate(BATCH * 1000.0 / batchedMs[i]) + idle);
                row(label + ": ms per single-update version", fmt(singleMs[i]) + " ms = " + rate(1000.0 / singleMs[i]) + idle);
            }
            int synced = RocksDbNodeStore.Durability.SYNCED.ordinal();
            int unsynced = RocksDbNodeStore.Durability.PROCESS_CRASH_ONLY.ordinal();
            double batchedCost = batchedMs[synced] - batchedMs[unsynced];
            double singleCost = singleMs[synced] - singleMs[unsynced];
            json.put("syncCostMsPerBatchedVersion @" + n, batchedCost);
            json.put("syncCostMsPerSingleUpdateVersion @" + n, singleCost);
            row("sync cost @" + n + ": per batched version (synced - unsynced)", fmt(batchedCost) + " ms");
            row("sync cost @" + n + ": per single-update version (synced - unsynced)", fmt(singleCost) + " ms");
            ratio(n, "synced / unsynced RocksDB, batched throughput", batchedMs[unsynced] / batchedMs[synced]);
            ratio(n, "synced / unsynced RocksDB, root-per-update throughput", singleMs[unsynced] / singleMs[synced]);
        } finally {
            for (int i = 0; i < kinds.length; i++) {
                if (stores[i] != null) stores[i].close();
                if (dirs[i] != null) deleteRecursively(dirs[i]);
            }
        }
    }

    /** The machine's CPU time split from /proc/stat (all cores), in clock ticks; zero where it cannot be read. */
    private record CpuTimes(long idle, long total) {
        static final CpuTimes ZERO = new CpuTimes(0, 0);

        static CpuTimes now() {
            try {
                String[] f = Files.readAllLines(Path.of("/proc/stat")).getFirst().trim().split("\\s+");
                long total = 0;
                for (int i = 1; i < f.length; i++) total += Long.parseLong(f[i]);
                return new CpuTimes(Long.parseLong(f[4]) + Long.parseLong(f[5]), total); // idle + iowait
            } catch (IOException | RuntimeException e) {
                return ZERO;
            }
        }

        CpuTimes plus(CpuTimes o) {
            return new CpuTimes(idle + o.idle, total + o.total);
        }

        CpuTimes minus(CpuTimes o) {
            return new CpuTimes(idle - o.idle, total - o.total);
        }

        double idleShare() {
            return total == 0 ? Double.NaN : idle / (double) total;
        }
    }

    private record Measured(double batched, double single, double proofsPerSecond, double proofBytes) {}

    private Measured measure(String label, long n, CountingStore store, Map<String, Object> size, double keccakNs,
            double bcNs, boolean memory) {
        Map<String, Object> m = new LinkedHashMap<>();
        size.put(label, m);
        SparseMerkleTree tree = new SparseMerkleTree(store);
        List<byte[]> keys = new ArrayList<>((int) Math.min(n, Integer.MAX_VALUE));
        long t0 = System.nanoTime();
        for (long done = 0; done < n; done += BATCH) {
            WriteSet ws = new WriteSet();
            for (int i = 0; i < BATCH && done + i < n; i++) {
                byte[] k = randomBytes(32);
                keys.add(k);
                ws.put(Bytes32.of(k), randomBytes(VALUE_BYTES));
            }
            tree.prune(tree.commit(ws));
        }
        double buildSeconds = (System.nanoTime() - t0) / 1e9;
        m.put("buildSeconds", buildSeconds);
        row(label + " @" + n + ": build by 10k-key batches (inserts)", rate(n / buildSeconds));
        if (memory) {
            double bytesPerLeaf = usedHeap() / (double) n;
            m.put("heapBytesPerLeaf", bytesPerLeaf);
            row(label + " @" + n + ": heap per leaf (nodes of one version, 64-byte values)", fmt(bytesPerLeaf) + " B");
        }

        int batches = memory ? 30 : 10;
        batchedUpdates(tree, keys, 3); // warm-up
        long internalBefore = store.internalNodesWritten;
        long t1 = System.nanoTime();
        batchedUpdates(tree, keys, batches);
        double batchedSeconds = (System.nanoTime() - t1) / 1e9;
        double batched = batches * (double) BATCH / batchedSeconds;
        double hashesBatched = (store.internalNodesWritten - internalBefore) / (batches * (double) BATCH) + 2;
        m.put("batchedUpdatesPerSecond", batched);
        m.put("hashesPerBatchedUpdate", hashesBatched);
        row(label + " @" + n + ": batched updates (10k keys per root)", rate(batched));
        row(label + " @" + n + ": keccak per batched update", fmt(hashesBatched));

        int singles = memory ? 50_000 : 5_000;
        singleUpdates(tree, keys, singles / 10);
        internalBefore = store.internalNodesWritten;
        long t2 = System.nanoTime();
        singleUpdates(tree, keys, singles);
        double single = singles / ((System.nanoTime() - t2) / 1e9);
        double hashesSingle = (store.internalNodesWritten - internalBefore) / (double) singles + 2;
        m.put("singleUpdatesPerSecond", single);
        m.put("hashesPerSingleUpdate", hashesSingle);
        row(label + " @" + n + ": root after each update", rate(single));
        row(label + " @" + n + ": keccak per single update", fmt(hashesSingle));

        if (memory) {
            double bound = 1e9 / (hashesBatched * keccakNs);
            double bcBound = 1e9 / (hashesBatched * bcNs);
            m.put("keccakBoundBatched", bound);
            m.put("bouncyCastleBoundBatched", bcBound);
            row(label + " @" + n + ": keccak bound, batched (hashes x this Keccak256)", rate(bound)
                    + " (measured = " + pct(batched / bound) + ")");
            row(label + " @" + n + ": keccak bound, batched (hashes x Bouncy Castle)", rate(bcBound)
                    + " (measured = " + pct(batched / bcBound) + ")");
        }

        int proofs = memory ? 100_000 : 20_000;
        long version = tree.latestVersion();
        for (int i = 0; i < proofs / 10; i++) {
            tree.prove(version, List.of(Bytes32.of(keys.get(random.nextInt(keys.size())))));
        }
        long t3 = System.nanoTime();
        long bytes = 0;
        for (int i = 0; i < proofs; i++) {
            bytes += tree.prove(version, List.of(Bytes32.of(keys.get(random.nextInt(keys.size()))))).encode().length;
        }
        double proofRate = proofs / ((System.nanoTime() - t3) / 1e9);
        double proofBytes = bytes / (double) proofs;
        long multiBytes = 0;
        for (int i = 0; i < 1000; i++) {
            List<Bytes32> five = new ArrayList<>();
            for (int j = 0; j < 5; j++) {
                five.add(Bytes32.of(keys.get(random.nextInt(keys.size()))));
            }
            multiBytes += tree.prove(version, five).encode().length;
        }
        m.put("proofsPerSecond", proofRate);
        m.put("singleProofBytes", proofBytes);
        m.put("fiveKeyProofBytes", multiBytes / 1000.0);
        row(label + " @" + n + ": single-key proofs generated + encoded", rate(proofRate));
        row(label + " @" + n + ": proof size, 1 key / 5 keys", fmt(proofBytes) + " B / " + fmt(multiBytes / 1000.0) + " B");
        return new Measured(batched, single, proofRate, proofBytes);
    }

    private void batchedUpdates(SparseMerkleTree tree, List<byte[]> keys, int batches) {
        for (int b = 0; b < batches; b++) {
            WriteSet ws = new WriteSet();
            for (int i = 0; i < BATCH; i++) {
                ws.put(Bytes32.of(keys.get(random.nextInt(keys.size()))), randomBytes(VALUE_BYTES));
            }
            tree.prune(tree.commit(ws));
        }
    }

    private void singleUpdates(SparseMerkleTree tree, List<byte[]> keys, int count) {
        for (int i = 0; i < count; i++) {
            long v = tree.put(Bytes32.of(keys.get(random.nextInt(keys.size()))), randomBytes(VALUE_BYTES));
            if (v % 1000 == 0) {
                tree.prune(v);
            }
        }
    }

    private void tuweni(long n, Map<String, Object> size, Measured mem) throws ReflectiveOperationException {
        Map<String, Object> m = new LinkedHashMap<>();
        size.put("tuweniMpt", m);
        Random r = new Random(2026); // same keys and values as the tree's build
        TuweniReference trie = new TuweniReference();
        List<byte[]> keys = new ArrayList<>();
        long t0 = System.nanoTime();
        for (long done = 0; done < n; done += BATCH) {
            for (int i = 0; i < BATCH && done + i < n; i++) {
                byte[] k = new byte[32];
                r.nextBytes(k);
                byte[] v = new byte[VALUE_BYTES];
                r.nextBytes(v);
                keys.add(k);
                trie.put(k, v);
            }
            trie.rootHash();
        }
        double build = n / ((System.nanoTime() - t0) / 1e9);
        row("tuweni MPT @" + n + ": build by 10k-key batches (inserts)", rate(build));
        int batches = 2; // the MPT is slow at 1M leaves: few samples keep the run bounded
        long t1 = System.nanoTime();
        for (int b = 0; b < batches; b++) {
            for (int i = 0; i < BATCH; i++) {
                trie.put(keys.get(random.nextInt(keys.size())), randomBytes(VALUE_BYTES));
            }
            trie.rootHash();
        }
        double batched = batches * (double) BATCH / ((System.nanoTime() - t1) / 1e9);
        int singles = 1_000;
        long t2 = System.nanoTime();
        for (int i = 0; i < singles; i++) {
            trie.put(keys.get(random.nextInt(keys.size())), randomBytes(VALUE_BYTES));
            trie.rootHash();
        }
        double single = singles / ((System.nanoTime() - t2) / 1e9);
        long bytes = 0;
        for (int i = 0; i < 2000; i++) {
            bytes += trie.proofBytes(keys.get(random.nextInt(keys.size())));
        }
        double proofBytes = bytes / 2000.0;
        m.put("buildPerSecond", build);
        m.put("batchedUpdatesPerSecond", batched);
        m.put("singleUpdatesPerSecond", single);
        m.put("proofBytes", proofBytes);
        row("tuweni MPT @" + n + ": batched updates (10k keys per root)", rate(batched));
        row("tuweni MPT @" + n + ": root after each update", rate(single));
        row("tuweni MPT @" + n + ": proof size, 1 key (RLP nodes on the path)", fmt(proofBytes) + " B");
        ratio(n, "this tree / Tuweni MPT, batched throughput", mem.batched / batched);
        ratio(n, "this tree / Tuweni MPT, root-per-update throughput", mem.single / single);
        ratio(n, "this tree / Tuweni MPT, proof size", mem.proofBytes / proofBytes);
    }

    private void ratio(long n, String what, double ratio) {
        json.put("ratio " + what + " @" + n, ratio);
        row("ratio @" + n + ": " + what, String.format(Locale.ROOT, "%.2fx", ratio));
    }

    private static double keccakNanos() {
        byte[] a = new byte[32];
        byte[] b = new byte[32];
        long sink = 0;
        for (int round = 0; round < 2; round++) {
            long t = System.nanoTime();
            for (int i = 0; i < 2_000_000; i++) {
                a[0] = (byte) i;
                sink += Keccak256.hashPrefixed((byte) 1, a, b)[0];
            }
            if (round == 1) {
                return (System.nanoTime() - t) / 2e6 + (sink == 42 ? 1e-9 : 0);
            }
        }
        throw new AssertionError();
    }

    private static double bouncyCastleNanos() {
        byte[] in = new byte[64];
        byte[] out = new byte[32];
        long sink = 0;
        for (int round = 0; round < 2; round++) {
            long t = System.nanoTime();
            for (int i = 0; i < 2_000_000; i++) {
                in[0] = (byte) i;
                KeccakDigest d = new KeccakDigest(256);
                d.update(in, 0, 64);
                d.doFinal(out, 0);
                sink += out[0];
            }
            if (round == 1) {
                return (System.nanoTime() - t) / 2e6 + (sink == 42 ? 1e-9 : 0);
            }
        }
        throw new AssertionError();
    }

    private static long usedHeap() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return rt.totalMemory() - rt.freeMemory();
    }

    private byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private void row(String what, String value) {
        rows.add("| " + what + " | " + value + " |");
        System.out.println(what + ": " + value);
    }

    private static String rate(double perSecond) {
        return String.format(Locale.ROOT, "%,.0f /s", perSecond);
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%,.2f", v);
    }

    private static String pct(double v) {
        return String.format(Locale.ROOT, "%.0f%%", 100 * v);
    }

    private void write(Path dir, String argLine, String name) throws IOException {
        Files.createDirectories(dir);
        String command = "./clearline bench state-tree" + (argLine.isBlank() ? "" : " " + argLine);
        StringBuilder md = new StringBuilder();
        md.append(name.equals("state-tree") ? "# state-tree benchmark\n\n" : "# state-tree benchmark: cost of synced version commits\n\n");
        md.append("- command: `").append(command).append("`\n");
        md.append("- date: ").append(LocalDate.now()).append(", cores: ").append(Runtime.getRuntime().availableProcessors())
                .append(", JDK: ").append(System.getProperty("java.version")).append(", max heap: ")
                .append(Runtime.getRuntime().maxMemory() >> 20).append(" MiB\n");
        md.append("- keys: uniformly random 32 bytes; values: 64 random bytes; updates hit random existing keys; "
                + "old versions pruned as the run goes (one version retained); rocksdb rows: commits not synced "
                + "(PROCESS_CRASH_ONLY), the sync rows give what the synced default costs per version\n\n");
        md.append("| measure | value |\n| --- | --- |\n");
        rows.forEach(r -> md.append(r).append('\n'));
        Files.writeString(dir.resolve(name + ".md"), md.toString());
        json.put("command", command);
        json.put("cores", Runtime.getRuntime().availableProcessors());
        json.put("jdk", System.getProperty("java.version"));
        json.put("date", LocalDate.now().toString());
        Files.writeString(dir.resolve(name + ".json"), toJson(json, "") + "\n");
    }

    private static String toJson(Object o, String indent) {
        if (o instanceof Map<?, ?> map) {
            StringBuilder b = new StringBuilder("{\n");
            int i = 0;
            for (var e : map.entrySet()) {
                b.append(indent).append("  \"").append(e.getKey()).append("\": ").append(toJson(e.getValue(), indent + "  "));
                b.append(++i < map.size() ? ",\n" : "\n");
            }
            return b.append(indent).append("}").toString();
        }
        if (o instanceof Number num) {
            return String.format(Locale.ROOT, "%.3f", num.doubleValue());
        }
        return "\"" + o + "\"";
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
