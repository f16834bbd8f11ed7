package dev.clearline.engine.exchange;

import dev.clearline.engine.stf.LeafStore;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A scratch layer over a leaf store: reads see the writes made here first, writes never reach the
 * store below. Lets the exchange try a whole fill-or-kill on the STF and drop it if any fill is
 * refused. Meant for a handful of transitions, not the hot path.
 */
final class OverlayStore implements LeafStore {
    private final LeafStore below;
    private final Map<ByteBuffer, byte[]> written = new HashMap<>();

    OverlayStore(LeafStore below) {
        this.below = below;
    }

    @Override
    public byte[] get(byte[] key) {
        byte[] v = written.get(ByteBuffer.wrap(key));
        if (v == null) return below.get(key);
        return v.length == 0 ? null : v; // empty: deleted here
    }

    @Override
    public void putAll(List<Write> writes) {
        for (Write w : writes) written.put(ByteBuffer.wrap(w.key().clone()), w.bytes());
    }
}
