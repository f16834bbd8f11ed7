package dev.clearline.prover.trace;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.engine.stf.Stf;
import dev.clearline.prover.replay.BatchVerifier;
import dev.clearline.prover.replay.CalldataReplay;
import dev.clearline.prover.replay.PostedBatch;
import dev.clearline.prover.replay.ReplaysAgreeProperties;
import dev.clearline.prover.replay.TestBatches;
import dev.clearline.testkit.property.Property;
import dev.clearline.tree.store.MemoryNodeStore;
import org.junit.jupiter.api.Test;

/**
 * Every leaf a one-step proof witnesses is named by its kind in the trace (docs/trace-format.md), so
 * the dispute report can decode it field by field. A PostOrder's new ORDER leaf is written without
 * being read first; it was labelled UNKNOWN, and the report showed the posted order as raw hex.
 */
class LeafKindsProperties {
    @Test
    void everyWitnessedLeafOfEveryStepHasItsKind() {
        int[] orders = {0};
        Property.forAll(ReplaysAgreeProperties.histories()).tries(4).check(h -> {
            Stf stf = TestBatches.stf();
            MemoryNodeStore nodes = new MemoryNodeStore();
            BatchVerifier verifier = new BatchVerifier(stf, nodes);
            StepCases cases = new StepCases(stf);
            for (PostedBatch p : h.batches()) {
                long pre = nodes.latestVersion();
                int steps = CalldataReplay.decode(p.calldata()).pieces().size();
                for (int step = 0; step < steps; step++) {
                    StepCase c = cases.of(nodes, pre, p, step);
                    for (StepCase.Leaf l : c.leaves()) {
                        assertThat(l.kind()).as("batch %d step %d leaf %s (written %s)", p.header().batchIndex(), step, l.key(), l.written())
                                .isNotEqualTo(LeafKind.UNKNOWN);
                    }
                    if (c.leaves().stream().anyMatch(l -> l.kind() == LeafKind.ORDER && l.before().isEmpty() && l.written())) orders[0]++;
                }
                assertThat(verifier.verify(p).honest()).isTrue();
            }
        });
        // over all the tries, not each: a short history may post no order (2 batches of 7 and 1 transitions did, at 15x tries)
        if (System.getProperty("clearline.seed", "").isEmpty()) {
            assertThat(orders[0]).as("new ORDER leaves seen (the histories post orders)").isPositive();
        }
    }
}
