package dev.clearline.prover.trace;

import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.stf.LeafStore;
import dev.clearline.engine.witness.StepWitness;
import dev.clearline.engine.witness.WitnessLeaf;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One transition of a posted batch as a one-step proof sees it: the transition's bytes, the agreed
 * state root before it, the witness the Java witness builder made for it and what the Java STF did
 * (its verdict and the root after it).
 *
 * @param step 0-based index of the transition in the batch
 * @param javaPostRoot the root after the step by the Java STF (the pre-root when the step is refused or malformed)
 * @param kinds the kind of each leaf the step touches, by hex key (a key not listed is {@link LeafKind#UNKNOWN})
 */
public record StepCase(long batchIndex, int step, byte[] transition, Hash32 preRoot, StepWitness witness, Hash32 javaPostRoot,
                       Map<String, LeafKind> kinds) {
    public StepCase {
        transition = transition.clone();
        kinds = Map.copyOf(kinds);
    }

    @Override
    public byte[] transition() {
        return transition.clone();
    }

    /** One leaf the step reads or writes: its value before (from the witness) and after (from the Java STF's writes). */
    public record Leaf(String key, LeafKind kind, Optional<String> before, Optional<String> after, boolean written) {}

    /** Every witnessed leaf, ascending by key, with its value after the step (unchanged unless written). */
    public List<Leaf> leaves() {
        Map<String, byte[]> writes = new LinkedHashMap<>();
        if (witness.verdict() instanceof StepWitness.Verdict.Applied a) {
            for (LeafStore.Write w : a.writes()) writes.put(hex(w.key()), w.bytes());
        }
        List<Leaf> out = new ArrayList<>();
        for (WitnessLeaf l : witness.witness().leaves()) {
            String key = l.key().toString();
            String k = key.startsWith("0x") ? key : "0x" + key;
            Optional<String> before = l.present() ? Optional.of(hex(l.value())) : Optional.empty();
            boolean written = writes.containsKey(k);
            Optional<String> after = written ? Optional.ofNullable(writes.get(k)).filter(v -> v.length > 0).map(StepCase::hex) : before;
            out.add(new Leaf(k, kinds.getOrDefault(k, LeafKind.UNKNOWN), before, after, written && !after.equals(before)));
        }
        return out;
    }

    static String hex(byte[] b) {
        return "0x" + HexFormat.of().formatHex(b);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StepCase c && c.batchIndex == batchIndex && c.step == step && Arrays.equals(c.transition, transition)
                && c.preRoot.equals(preRoot) && c.javaPostRoot.equals(javaPostRoot);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(batchIndex) * 31 + step;
    }
}
