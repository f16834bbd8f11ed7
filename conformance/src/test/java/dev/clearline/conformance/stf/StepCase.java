package dev.clearline.conformance.stf;

import dev.clearline.tree.Bytes32;
import java.util.Map;
import java.util.TreeMap;

/**
 * One differential case: a pre-state (every leaf, key to value) and the encoding of one transition,
 * with the batch index of the step's context. {@code seed} regenerates it.
 */
public record StepCase(long seed, TreeMap<Bytes32, byte[]> preState, byte[] transition, long batchIndex) {
    public StepCase {
        preState = new TreeMap<>(preState);
        transition = transition.clone();
    }

    public int type() {
        return transition.length == 0 ? 0 : transition[0] & 0xff;
    }

    StepCase withPreState(Map<Bytes32, byte[]> leaves) {
        return new StepCase(seed, new TreeMap<>(leaves), transition, batchIndex);
    }
}
