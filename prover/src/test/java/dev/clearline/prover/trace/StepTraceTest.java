package dev.clearline.prover.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clearline.prover.replay.BatchVerifier;
import dev.clearline.prover.replay.PostedBatch;
import dev.clearline.prover.replay.TestBatches;
import dev.clearline.tree.store.MemoryNodeStore;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A one-step proof replayed in the embedded EVM: the real StepVerifier and step families run the
 * Java witness builder's witness, and the trace lines the opcode steps up with the call tree.
 */
class StepTraceTest {
    private static StepVm vm;

    @BeforeAll
    static void deploy() {
        vm = new StepVm(31337);
    }

    @AfterAll
    static void close() {
        vm.close();
    }

    @Test
    void aDepositStepTracedThroughTheRealVerifierAgreesWithJavaAndItsStepsSitInTheirFrames() throws Exception {
        List<PostedBatch> batches = TestBatches.honest(2, 3, 7);
        MemoryNodeStore nodes = new MemoryNodeStore();
        BatchVerifier verifier = new BatchVerifier(TestBatches.stf(), nodes);
        assertThat(verifier.verify(batches.get(0)).honest()).isTrue();
        long pre = nodes.latestVersion();

        StepCase c = new StepCases(TestBatches.stf()).of(nodes, pre, batches.get(1), 1);
        assertThat(c.preRoot()).isEqualTo(new BatchVerifier(TestBatches.stf(), nodes).rootAfterPrefix(batches.get(1), 1));
        StepTrace trace = StepTrace.of(vm, 31337, TestBatches.DOMAIN.domainSeparator().bytes(), c);
        assertThat(trace.run().revert()).as("the step reverted").isEmpty();
        assertThat(trace.agree()).as("Solidity returns Java's verdict and post-root").isTrue();
        assertThat(c.javaPostRoot()).isEqualTo(new BatchVerifier(TestBatches.stf(), nodes).rootAfterPrefix(batches.get(1), 2));

        JsonNode json = new ObjectMapper().readTree(trace.toJson());
        assertThat(json.path("format").asText()).isEqualTo(StepTrace.FORMAT);
        assertThat(json.path("transition").path("name").asText()).isEqualTo("Deposit");
        assertThat(json.path("java").path("codeName").asText()).isEqualTo("APPLIED");
        assertThat(json.path("solidity").path("postRoot").asText()).isEqualTo(c.javaPostRoot().toString());
        assertThat(json.path("gasUsed").asLong()).isPositive();
        JsonNode frames = json.path("frames");
        assertThat(frames.get(0).path("contract").asText()).isEqualTo("StepVerifier");
        assertThat(frames.get(1).path("contract").asText()).isEqualTo("PriorityStep");
        assertThat(frames.get(1).path("parent").asInt()).isZero();
        JsonNode steps = json.path("steps");
        assertThat(steps.size()).isGreaterThan(100);
        int counted = 0;
        for (JsonNode f : frames) counted += f.path("stepCount").asInt();
        assertThat(counted).isEqualTo(steps.size());
        for (JsonNode s : steps) {
            assertThat(s.path("depth").asInt()).as("step %s", s).isEqualTo(frames.get(s.path("frame").asInt()).path("depth").asInt());
        }
        assertThat(steps.get(0).path("op").asText()).isEqualTo("PUSH1");
        assertThat(json.path("witness").path("leaves").size()).isPositive();
        assertThat(json.path("witness").path("leaves").findValuesAsText("written")).contains("true");
    }

    @Test
    void aStepOutsideTheBatchIsRefusedWithTheRangeItHas() {
        List<PostedBatch> batches = TestBatches.honest(1, 2, 8);
        assertThatThrownBy(() -> new StepCases(TestBatches.stf()).of(new MemoryNodeStore(), -1, batches.get(0), 5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("steps 0 to 1");
    }
}
