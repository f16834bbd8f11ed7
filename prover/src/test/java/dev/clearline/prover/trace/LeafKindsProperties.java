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
        Property.forAll(ReplaysAgreeProperties.histories()).tries(4).check(h -> {
            Stf stf = TestBatches.stf();
            MemoryNodeStore nodes = new MemoryNodeStore();
            BatchVerifier verifier = new BatchVerifier(stf, nodes);
            StepCases cases = new StepCases(stf);
            int orders = 0;
            for (PostedBatch p : h.batches()) {
                long pre = nodes.latestVersion();
                int steps = CalldataReplay.decode(p.calldata()).pieces().size();
                for (int step = 0; step < steps; step++) {
                    StepCase c = cases.of(nodes, pre, p, step);
                    for (StepCase.Leaf l : c.leaves()) {
                        assertThat(l.kind()).as("batch %d step %d leaf %s (written %s)", p.header().batchIndex(), step, l.key(), l.written())
                                .isNotEqualTo(LeafKind.UNKNOWN);
                    }
                    if (c.leaves().stream().anyMatch(l -> l.kind() == LeafKind.ORDER && l.before().isEmpty() && l.written())) orders++;
                }
                assertThat(verifier.verify(p).honest()).isTrue();
            }
            assertThat(orders).as("new ORDER leaves seen (a history posts orders)").isPositive();
        });
    }
}
