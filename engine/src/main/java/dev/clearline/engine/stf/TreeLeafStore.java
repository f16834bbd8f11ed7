package dev.clearline.engine.stf;

import dev.clearline.engine.order.Hash32;
import dev.clearline.tree.Bytes32;
import dev.clearline.tree.SparseMerkleTree;
import dev.clearline.tree.WriteSet;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The state tree as the STF's leaf store. Writes collect in memory and become one tree version
 * when {@link #root()} is asked for, so a caller chooses the root granularity: per transition (a
 * dispute's intermediate roots) or per batch (the sequencer's hot path).
 */
public final class TreeLeafStore implements LeafStore {
    private final SparseMerkleTree tree;
    private final Map<ByteBuffer, byte[]> pending = new HashMap<>();
    private WriteSet pendingWrites = new WriteSet();

    public TreeLeafStore(SparseMerkleTree tree) {
        this.tree = tree;
    }

    public SparseMerkleTree tree() {
        return tree;
    }

    @Override
    public byte[] get(byte[] key) {
        byte[] v = pending.get(ByteBuffer.wrap(key));
        if (v != null) return v;
        return tree.get(Bytes32.of(key)).orElse(null);
    }

    @Override
    public void putAll(List<Write> writes) {
        for (Write w : writes) {
            pending.put(ByteBuffer.wrap(w.key()), w.value());
            pendingWrites.put(Bytes32.of(w.key()), w.value());
        }
    }

    /** Commits pending writes as one tree version (if there are any) and returns the latest root. */
    public Hash32 root() {
        commit();
        return new Hash32(tree.root().toArray());
    }

    /** Commits pending writes; returns the tree version that now holds the state. */
    public long commit() {
        if (pendingWrites.size() > 0) {
            tree.commit(pendingWrites);
            pending.clear();
            pendingWrites = new WriteSet();
        }
        return tree.latestVersion();
    }
}
