package dev.clearline.evm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.clearline.evm.revert.Revert;
import java.math.BigInteger;
import org.junit.jupiter.api.Test;

class DeploymentFailureTest {
    static final Address ALICE = Address.ofLong(0xa11ce);
    static final BlockContext BLOCK = BlockContext.of(1, 1, 1);

    @Test
    void deployThatRevertsReportsTheReasonAndLeavesNoAccountBehind() {
        try (WorldState state = WorldState.inMemory()) {
            Evm evm = new Evm(state);
            state.setBalance(ALICE, BigInteger.TEN.pow(18));
            Address wouldBe = Address.ofCreate(ALICE, 0);

            ExecutionResult r = evm.transact(Message.create(ALICE, Asm.reverting(Abi.errorString("constructor says no")))
                    .withValue(BigInteger.valueOf(99)), BLOCK);

            assertThat(r.failure()).get().isInstanceOfSatisfying(Failure.Reverted.class,
                    f -> assertThat(f.reason()).isEqualTo(new Revert.ErrorMessage("constructor says no")));
            assertThat(r.createdAddress()).isEmpty();
            assertThat(state.exists(wouldBe)).isFalse();
            assertThat(state.code(wouldBe)).isEmpty();
            assertThat(state.balance(wouldBe)).isZero();
            assertThat(state.balance(ALICE)).isEqualTo(BigInteger.TEN.pow(18));
            assertThatThrownBy(r::contractAddress).hasMessage("execution reverted: Error(\"constructor says no\")");
        }
    }

    @Test
    void tracedDeployThatRevertsStillReportsTheReason() {
        try (WorldState state = WorldState.inMemory()) {
            Evm evm = new Evm(state);

            var traced = evm.trace(Message.create(ALICE, Asm.reverting(Abi.panic(0x01))), BLOCK, ExecutionOptions.DEFAULT,
                    dev.clearline.evm.trace.TraceRequest.steps(), true);

            assertThat(traced.result().failure()).get().isInstanceOfSatisfying(Failure.Reverted.class,
                    f -> assertThat(f.reason().describe()).isEqualTo("Panic(0x1: assertion failed)"));
            assertThat(traced.trace().failed()).isTrue();
            assertThat(traced.trace().ops()).endsWith("REVERT");
            assertThat(state.exists(Address.ofCreate(ALICE, 0))).isFalse();
            assertThat(state.nonce(ALICE)).isEqualTo(1);
        }
    }

    @Test
    void deployThatRunsOutOfGasLeavesNoAccountBehind() {
        try (WorldState state = WorldState.inMemory()) {
            Evm evm = new Evm(state);
            // Init code that loops forever: JUMPDEST PUSH1 0 JUMP
            byte[] spin = Asm.code().op("JUMPDEST").push(0).op("JUMP").bytes();

            ExecutionResult r = evm.transact(Message.create(ALICE, spin).withGasLimit(100_000), BLOCK);

            assertThat(r.failure()).get().isInstanceOf(Failure.Halted.class);
            assertThat(r.gasUsed()).isEqualTo(100_000);
            assertThat(state.exists(Address.ofCreate(ALICE, 0))).isFalse();
        }
    }
}
