package dev.clearline.engine.stf;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Leaves in a hash map, no Merkle root: the exchange's mirror of the state, run through the same STF. */
public final class MemoryLeafStore implements LeafStore {
    private final Map<ByteBuffer, byte[]> leaves = new HashMap<>();

    @Override
    public byte[] get(byte[] key) {
        return leaves.get(ByteBuffer.wrap(key));
    }

    @Override
    public void putAll(List<Write> writes) {
        for (Write w : writes) leaves.put(ByteBuffer.wrap(w.key()), w.value());
    }

    /** Visits every leaf (key, value), in no particular order. */
    public void forEach(java.util.function.BiConsumer<byte[], byte[]> visitor) {
        leaves.forEach((k, v) -> visitor.accept(k.array(), v));
    }

    public int size() {
        return leaves.size();
    }
}
