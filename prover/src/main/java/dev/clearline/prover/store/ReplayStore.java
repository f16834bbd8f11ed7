package dev.clearline.prover.store;

import dev.clearline.tree.store.NodeStore;
import dev.clearline.tree.store.RocksDbNodeStore;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * A watcher's persistent state: the L2 state tree (state-tree's {@link RocksDbNodeStore}, in
 * {@code dir/tree}) and its progress through L1 (a second RocksDB, in {@code dir/progress}): the
 * block marks it can resume from and its note on every batch it judged.
 *
 * <p>Crash safety: the tree commits a batch's version first (not synced), the progress records it
 * after: one sync of the tree's log, then one synced write per poll step. A mark therefore never
 * names a tree version that is not on disk, even after a power loss. A process killed between the
 * two leaves a tree version no mark names; {@link #open} rewinds the tree to the last mark's version,
 * so the state and the progress always agree and the interrupted range is simply read again.
 *
 * <p>Rewinding (after a crash or an L1 reorg) commits a new tree version whose root is an older
 * version's root ({@link RocksDbNodeStore#rewind}): nodes are immutable and keyed by the version
 * that wrote them, so the old root's nodes are all still there; the rewind also fixes the stale-node
 * records, so pruning stays safe after it. The replay prunes the versions no dispute and no rewind
 * can ask for any more ({@link #prune}): it kept every version for good before, some 250 MB an hour
 * on {@code ./clearline up}.
 */
public final class ReplayStore implements AutoCloseable {
    private static final byte[] DEPLOYMENT = "d".getBytes(StandardCharsets.US_ASCII);
    private static final byte MARK = 'k';
    private static final byte BATCH = 'b';

    private final Path dir;
    private final RocksDbNodeStore nodes;
    private final RocksDB progress;
    private final Options options;
    private final WriteOptions synced = new WriteOptions().setSync(true);

    private ReplayStore(Path dir, RocksDbNodeStore nodes, RocksDB progress, Options options) {
        this.dir = dir;
        this.nodes = nodes;
        this.progress = progress;
        this.options = options;
    }

    /**
     * Decoded tree nodes a store keeps in memory unless told otherwise: about 250 MB of heap once full
     * (an internal node with its key is about 250 B, a leaf more). A state of millions of orders
     * outgrows it, and each first read of a leaf then walks through RocksDB (watch --node-cache).
     */
    public static final int DEFAULT_CACHED_NODES = 1 << 20;
    /** The fewest cached nodes a store takes: one set of the cache's ways. */
    public static final int MIN_CACHED_NODES = 8;
    /** The most: the cache's arrays are indexed by int. */
    public static final int MAX_CACHED_NODES = 1 << 29;

    /**
     * Opens (or creates) the store in {@code dir} for {@code deployment} (for example
     * {@code chain=31337 rollup=0x...}) with {@link #DEFAULT_CACHED_NODES}; a store written for another
     * deployment is refused.
     *
     * @throws StoreMismatchException when the store belongs to another deployment
     */
    public static ReplayStore open(Path dir, String deployment) {
        return open(dir, deployment, DEFAULT_CACHED_NODES);
    }

    /**
     * {@link #open(Path, String)} keeping up to {@code cachedNodes} decoded tree nodes in memory
     * (rounded up to a power of two); what is replayed does not depend on it, only how often a read
     * goes to RocksDB.
     *
     * @throws IllegalArgumentException when {@code cachedNodes} is outside {@link #MIN_CACHED_NODES} to {@link #MAX_CACHED_NODES}
     */
    public static ReplayStore open(Path dir, String deployment, int cachedNodes) {
        if (cachedNodes < MIN_CACHED_NODES || cachedNodes > MAX_CACHED_NODES) {
            throw new IllegalArgumentException("cachedNodes is " + cachedNodes + "; pass " + MIN_CACHED_NODES + " to " + MAX_CACHED_NODES);
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the replay store directory " + dir + ": " + e.getMessage(), e);
        }
        // Tree versions are not synced one by one: record() syncs them all before it writes the mark
        // that names them, so one fsync covers every batch of a poll step.
        RocksDbNodeStore nodes = RocksDbNodeStore.open(dir.resolve("tree"),
                RocksDbNodeStore.Settings.defaults().withCachedNodes(cachedNodes)
                        .withDurability(RocksDbNodeStore.Durability.PROCESS_CRASH_ONLY));
        Options options = new Options().setCreateIfMissing(true);
        RocksDB progress;
        try {
            progress = RocksDB.open(options, dir.resolve("progress").toString());
        } catch (RocksDBException e) {
            nodes.close();
            options.close();
            throw new IllegalStateException("cannot open the replay progress at " + dir.resolve("progress") + ": " + e.getMessage()
                    + " (is another watcher using this --data-dir?)", e);
        }
        ReplayStore store = new ReplayStore(dir, nodes, progress, options);
        try {
            store.claim(deployment);
            store.rewindTreeToLastMark();
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        return store;
    }

    private void claim(String deployment) {
        byte[] stored = get(DEPLOYMENT);
        if (stored == null) {
            put(DEPLOYMENT, deployment.getBytes(StandardCharsets.UTF_8));
        } else if (!new String(stored, StandardCharsets.UTF_8).equals(deployment)) {
            throw new StoreMismatchException(dir, new String(stored, StandardCharsets.UTF_8), deployment);
        }
    }

    /** The tree the verified state lives in. */
    public NodeStore nodes() {
        return nodes;
    }

    /** The newest mark, or empty before the first poll finished. */
    public Optional<BlockMark> lastMark() {
        try (RocksIterator it = progress.newIterator()) {
            it.seekForPrev(markKey(Long.MAX_VALUE));
            if (!it.isValid() || it.key()[0] != MARK) return Optional.empty();
            return Optional.of(decodeMark(it.value()));
        }
    }

    /** Every kept mark, newest first. */
    public List<BlockMark> marksNewestFirst() {
        List<BlockMark> out = new ArrayList<>();
        try (RocksIterator it = progress.newIterator()) {
            for (it.seekForPrev(markKey(Long.MAX_VALUE)); it.isValid() && it.key()[0] == MARK; it.prev()) out.add(decodeMark(it.value()));
        }
        return out;
    }

    /** Every batch judged, in L1 order. */
    public List<BatchRecord> batches() {
        List<BatchRecord> out = new ArrayList<>();
        try (RocksIterator it = progress.newIterator()) {
            for (it.seek(batchKey(0)); it.isValid() && it.key()[0] == BATCH; it.next()) out.add(decodeBatch(it.value()));
        }
        return out;
    }

    /** The latest judgement of batch {@code batchIndex} (the last posting of that index), if it was read. */
    public Optional<BatchRecord> batch(long batchIndex) {
        BatchRecord found = null;
        for (BatchRecord r : batches()) if (r.batchIndex() == batchIndex) found = r;
        return Optional.ofNullable(found);
    }

    /**
     * Records one poll step: syncs the tree versions committed so far, then one synced write of the batches it judged and the mark it reached.
     * Marks older than {@code keepBlocks} blocks before {@code mark} are dropped, except the newest
     * of them (so a reorg up to that depth always finds a mark to resume from).
     */
    public void record(BlockMark mark, List<BatchRecord> judged, long keepBlocks) {
        nodes.sync();
        try (WriteBatch batch = new WriteBatch()) {
            for (BatchRecord r : judged) batch.put(batchKey(r.sequence()), encodeBatch(r));
            batch.put(markKey(mark.block()), encodeMark(mark));
            List<BlockMark> old = marksNewestFirst().stream().filter(m -> m.block() < mark.block() - keepBlocks).toList();
            for (int i = 1; i < old.size(); i++) batch.delete(markKey(old.get(i).block()));
            progress.write(synced, batch);
        } catch (RocksDBException e) {
            throw new IllegalStateException("cannot write the replay progress to " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Forgets everything after {@code mark} (its later marks and the batches judged after it) and
     * brings the tree back to the mark's version; {@code null} goes back to genesis.
     */
    public void rewindTo(BlockMark mark) {
        long keepBatches = mark == null ? 0 : mark.batchesJudged();
        long keepBlock = mark == null ? -1 : mark.block();
        try (WriteBatch batch = new WriteBatch()) {
            for (BlockMark m : marksNewestFirst()) if (m.block() > keepBlock) batch.delete(markKey(m.block()));
            for (BatchRecord r : batches()) if (r.sequence() >= keepBatches) batch.delete(batchKey(r.sequence()));
            progress.write(synced, batch);
        } catch (RocksDBException e) {
            throw new IllegalStateException("cannot rewind the replay progress in " + dir + ": " + e.getMessage(), e);
        }
        rewindTree(mark == null ? -1 : mark.treeVersion());
    }

    private void rewindTreeToLastMark() {
        rewindTree(lastMark().map(BlockMark::treeVersion).orElse(-1L));
    }

    /** Makes the latest tree version hold {@code version}'s state (a new version with its root), unless it already is that version. */
    private void rewindTree(long version) {
        long latest = nodes.latestVersion();
        if (latest == version) return;
        if (latest < version) {
            throw new IllegalStateException("the replay store " + dir + " is damaged: its progress names tree version " + version
                    + " but the tree ends at " + latest + "; delete the directory and replay again");
        }
        if (version >= 0 && nodes.root(version).isEmpty()) {
            throw new IllegalStateException("tree version " + version + " is gone from " + dir + " (pruned?); delete the directory and replay again");
        }
        nodes.rewind(version);
    }

    /**
     * Drops the tree versions before {@code keepFrom} (a version of the replay's lineage no dispute or rewind will ask
     * for anything older than). Not synced: a crash at worst leaves some of them for the next prune.
     */
    public void prune(long keepFrom) {
        if (keepFrom > nodes.oldestVersion() && keepFrom <= nodes.latestVersion()) nodes.prune(keepFrom);
    }

    /**
     * The latest judgement of batch {@code batchIndex}, looked for from the newest record back and no further than the
     * first record of a lower index (what comes before that is older history): cheap for a batch near the end.
     */
    public Optional<BatchRecord> recentJudgementOf(long batchIndex) {
        try (RocksIterator it = progress.newIterator()) {
            for (it.seekForPrev(batchKey(Long.MAX_VALUE)); it.isValid() && it.key()[0] == BATCH; it.prev()) {
                BatchRecord r = decodeBatch(it.value());
                if (r.batchIndex() == batchIndex) return Optional.of(r);
                if (r.batchIndex() < batchIndex) return Optional.empty();
            }
        }
        return Optional.empty();
    }

    @Override
    public void close() {
        synced.close();
        progress.close();
        options.close();
        nodes.close();
    }

    // ------------------------------------------------------------------ encoding

    private byte[] get(byte[] key) {
        try {
            return progress.get(key);
        } catch (RocksDBException e) {
            throw new IllegalStateException("cannot read the replay progress in " + dir + ": " + e.getMessage(), e);
        }
    }

    private void put(byte[] key, byte[] value) {
        try {
            progress.put(synced, key, value);
        } catch (RocksDBException e) {
            throw new IllegalStateException("cannot write the replay progress to " + dir + ": " + e.getMessage(), e);
        }
    }

    private static byte[] markKey(long block) {
        return ByteBuffer.allocate(9).put(MARK).putLong(block).array();
    }

    private static byte[] batchKey(long sequence) {
        return ByteBuffer.allocate(9).put(BATCH).putLong(sequence).array();
    }

    private static byte[] encodeMark(BlockMark m) {
        return encode(out -> {
            out.writeLong(m.block());
            out.writeUTF(m.blockHash());
            out.writeLong(m.treeVersion());
            out.writeLong(m.batchesJudged());
        });
    }

    private static BlockMark decodeMark(byte[] b) {
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(b))) {
            return new BlockMark(in.readLong(), in.readUTF(), in.readLong(), in.readLong());
        } catch (IOException e) {
            throw new IllegalStateException("a block mark in the replay store does not decode: " + e.getMessage(), e);
        }
    }

    private static byte[] encodeBatch(BatchRecord r) {
        return encode(out -> {
            out.writeLong(r.sequence());
            out.writeLong(r.batchIndex());
            out.writeLong(r.block());
            out.writeUTF(r.transactionHash());
            out.writeLong(r.preVersion());
            out.writeLong(r.postVersion());
            out.writeBoolean(r.honest());
            out.writeUTF(r.verdict());
        });
    }

    private static BatchRecord decodeBatch(byte[] b) {
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(b))) {
            return new BatchRecord(in.readLong(), in.readLong(), in.readLong(), in.readUTF(), in.readLong(), in.readLong(),
                    in.readBoolean(), in.readUTF());
        } catch (IOException e) {
            throw new IllegalStateException("a batch record in the replay store does not decode: " + e.getMessage(), e);
        }
    }

    private interface Writer {
        void write(DataOutputStream out) throws IOException;
    }

    private static byte[] encode(Writer w) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            w.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
