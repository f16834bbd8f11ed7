package dev.clearline.engine.witness;

import dev.clearline.engine.stf.LeafStore;
import dev.clearline.tree.Bytes32;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * A read-only view of a pre-state that remembers every key the STF reads and collects the writes
 * it hands over, without applying them: the touched set is the witness's key set.
 */
final class RecordingLeafStore implements LeafStore {
    private final Function<Bytes32, byte[]> preState;
    private final TreeSet<Bytes32> touched = new TreeSet<>();
    private final List<Write> writes = new ArrayList<>();

    RecordingLeafStore(Function<Bytes32, byte[]> preState) {
        this.preState = preState;
    }

    @Override
    public byte[] get(byte[] key) {
        Bytes32 k = Bytes32.of(key);
        touched.add(k);
        return preState.apply(k);
    }

    @Override
    public void putAll(List<Write> ws) {
        for (Write w : ws) {
            touched.add(Bytes32.of(w.key()));
            writes.add(w);
        }
    }

    /** Every key read or written, ascending. */
    TreeSet<Bytes32> touched() {
        return touched;
    }

    List<Write> writes() {
        return writes;
    }
}
