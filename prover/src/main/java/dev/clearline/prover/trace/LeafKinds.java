package dev.clearline.prover.trace;

import dev.clearline.engine.stf.LeafStore;
import dev.clearline.engine.stf.Stf;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Which kind of leaf each key of a step is. Keys are hashes, so the kind cannot be read off them;
 * the STF says it as it reads (every read is typed, {@link LeafStore#get(byte[], Class, Function)}),
 * so the step is run once more over the pre-state with a store that notes the types and applies
 * nothing. A leaf written without a read first (a PostOrder's new ORDER, a Withdraw's new
 * WITHDRAWAL) takes its kind from the record its write carries.
 */
final class LeafKinds {
    private LeafKinds() {}

    /** Hex key ({@code 0x...}) to kind, for every key the step reads or writes. */
    static Map<String, LeafKind> of(Stf stf, LeafStore preState, byte[] transition, long batchIndex) {
        Map<String, LeafKind> kinds = new TreeMap<>();
        LeafStore noting = new LeafStore() {
            @Override
            public byte[] get(byte[] key) {
                kinds.putIfAbsent(hex(key), LeafKind.UNKNOWN);
                return preState.get(key);
            }

            @Override
            public <T> T get(byte[] key, Class<T> type, Function<byte[], T> decoder) {
                kinds.put(hex(key), LeafKind.of(type));
                byte[] v = preState.get(key);
                return v == null ? null : decoder.apply(v);
            }

            @Override
            public void putAll(List<Write> writes) {
                for (Write w : writes) {
                    LeafKind written = w.decoded() == null ? LeafKind.UNKNOWN : LeafKind.of(w.decoded().getClass());
                    kinds.merge(hex(w.key()), written, (read, write) -> read == LeafKind.UNKNOWN ? write : read);
                }
            }
        };
        stf.applyEncoded(noting, transition, batchIndex);
        return kinds;
    }

    static String hex(byte[] b) {
        return "0x" + HexFormat.of().formatHex(b);
    }
}
