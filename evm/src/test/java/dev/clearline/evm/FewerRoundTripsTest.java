package dev.clearline.evm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.evm.revert.Revert;
import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The executor skips native round trips whose outcome it can infer (nonce and balance reads, journal
 * snapshots of kept transactions, tx hashes with no logs under them, code checks of calls, tracers on
 * deployments, blind bisection in gas estimation). These cases pin down that results stay exact.
 */
class FewerRoundTripsTest {
    static final Address ALICE = Address.ofLong(0xa11ce);
    static final Address BOB = Address.ofLong(0xb0b);
    static final BigInteger ETHER = BigInteger.TEN.pow(18);
    static final BlockContext BLOCK = BlockContext.of(31337, 7, 1_700_000_000);

    final WorldState state = WorldState.inMemory();
    final Evm evm = new Evm(state);

    @AfterEach
    void close() {
        state.close();
    }

    Address deploy(byte[] runtime) {
        state.setBalance(ALICE, state.balance(ALICE).add(ETHER));
        return evm.transact(Message.create(ALICE, Asm.deployer(runtime)), BLOCK).contractAddress();
    }

    @Test
    void eachTransactionReportsExactlyItsOwnLogsWhateverRanBefore() {
        Address emitter = deploy(Asm.code().push(0).op("CALLDATALOAD").push(0).push(0).op("LOG1", "STOP").bytes());
        Address silent = deploy(Asm.code().push(1).op("POP", "STOP").bytes());
        Address reverter = deploy(Asm.code().push(0).push(0).op("LOG0").push(0).push(0).op("REVERT").bytes());

        ExecutionResult first = evm.transact(Message.call(ALICE, emitter, Bytes32.of(1).bytes()), BLOCK);
        ExecutionResult quiet = evm.transact(Message.call(ALICE, silent, new byte[] {1}), BLOCK);
        ExecutionResult reverted = evm.transact(Message.call(ALICE, reverter, new byte[] {1}), BLOCK);
        ExecutionResult simulated = evm.call(Message.call(ALICE, emitter, Bytes32.of(2).bytes()), BLOCK);
        ExecutionResult second = evm.transact(Message.call(ALICE, emitter, Bytes32.of(3).bytes()), BLOCK);
        state.commit();
        ExecutionResult afterCommit = evm.transact(Message.call(ALICE, emitter, Bytes32.of(4).bytes()), BLOCK);

        assertThat(first.logs()).containsExactly(new Log(emitter, List.of(Bytes32.of(1)), new byte[0]));
        assertThat(quiet.logs()).isEmpty();
        assertThat(reverted.succeeded()).isFalse();
        assertThat(reverted.logs()).isEmpty();
        assertThat(simulated.logs()).containsExactly(new Log(emitter, List.of(Bytes32.of(2)), new byte[0]));
        assertThat(second.logs()).containsExactly(new Log(emitter, List.of(Bytes32.of(3)), new byte[0]));
        assertThat(afterCommit.logs()).containsExactly(new Log(emitter, List.of(Bytes32.of(4)), new byte[0]));
    }

    @Test
    void manyLoggingTransactionsBetweenCommitsEachSeeOnlyTheirOwnLogs() {
        Address emitter = deploy(Asm.code().push(0).op("CALLDATALOAD").push(0).push(0).op("LOG1", "STOP").bytes());

        for (int i = 1; i <= 150; i++) {
            ExecutionResult r = evm.transact(Message.call(ALICE, emitter, Bytes32.of(i).bytes()), BLOCK);
            assertThat(r.logs()).containsExactly(new Log(emitter, List.of(Bytes32.of(i)), new byte[0]));
            if (i % 100 == 0) {
                state.commit();
            }
        }
    }

    /**
     * A block's root can be computed without committing, and a finished transaction's finalise is
     * left to that computation: the roots, gas and refunds must be those of committing each block.
     */
    @Test
    void blocksSealedByRootAloneMatchBlocksSealedByCommit() {
        try (WorldState other = WorldState.inMemory()) {
            Evm otherEvm = new Evm(other);
            byte[] store = Asm.deployer(Asm.code().push(0).op("CALLDATALOAD").push(0).op("SSTORE", "STOP").bytes());
            Address empty = Address.ofLong(0xe);
            BigInteger price = BigInteger.valueOf(7);
            state.setBalance(ALICE, ETHER);
            other.setBalance(ALICE, ETHER);
            Address slotA = evm.transact(Message.create(ALICE, store), BLOCK).contractAddress();
            Address slotB = otherEvm.transact(Message.create(ALICE, store), BLOCK).contractAddress();
            assertThat(slotA).isEqualTo(slotB);
            assertThat(state.commit()).isEqualTo(other.commit());
            for (int block = 1; block <= 3; block++) {
                List<Message> txs = List.of(
                        Message.call(ALICE, slotA, Bytes32.of(block).bytes()),
                        Message.call(ALICE, slotA, Bytes32.of(0).bytes()),   // clears the slot: a refund
                        Message.call(ALICE, empty, new byte[0]),             // touches an empty account
                        Message.call(ALICE, slotA, Bytes32.of(block + 10).bytes()));
                for (int i = 0; i < txs.size(); i++) {
                    Message priced = txs.get(i).withGasLimit(100_000).withGasPrice(price);
                    ExecutionResult byRoot = evm.transact(priced, BLOCK);
                    ExecutionResult byCommit = otherEvm.transact(priced, BLOCK);
                    assertThat(byRoot.gasUsed()).isEqualTo(byCommit.gasUsed());
                    assertThat(byRoot.gasRefunded()).isEqualTo(byCommit.gasRefunded());
                    // The clearing refunds; the refund counter starts from zero in the next transaction.
                    assertThat(byRoot.gasRefunded()).as("refund of tx %d", i).isEqualTo(i == 1 ? byRoot.gasRefunded() : 0L);
                    if (i == 1) assertThat(byRoot.gasRefunded()).isPositive();
                }
                assertThat(state.root()).as("block %d", block).isEqualTo(other.commit());
            }
            assertThat(state.exists(empty)).isFalse();
            assertThat(state.commit()).isEqualTo(other.root());
        }
    }

    @Test
    void logsLeftUnreadByATransactionDoNotLeakIntoTheNextOne() {
        Address emitter = deploy(Asm.code().push(0).op("CALLDATALOAD").push(0).push(0).op("LOG1", "STOP").bytes());
        ExecutionOptions quiet = ExecutionOptions.DEFAULT.withoutLogs();

        ExecutionResult unread = evm.transact(Message.call(ALICE, emitter, Bytes32.of(1).bytes()), BLOCK, quiet);
        ExecutionResult simulated = evm.call(Message.call(ALICE, emitter, Bytes32.of(2).bytes()), BLOCK, quiet);
        ExecutionResult read = evm.transact(Message.call(ALICE, emitter, Bytes32.of(3).bytes()), BLOCK);

        assertThat(unread.succeeded()).isTrue();
        assertThat(unread.logs()).isEmpty();
        assertThat(simulated.logs()).isEmpty();
        assertThat(new ExecutionOptions(Accounting.TRANSACTION, true)).isEqualTo(ExecutionOptions.DEFAULT);
        assertThat(read.logs()).containsExactly(new Log(emitter, List.of(Bytes32.of(3)), new byte[0]));
    }

    @Test
    void aCallWithDataToAnAddressWithoutCodeIsRejectedAndChangesNothing() {
        state.setBalance(ALICE, ETHER);
        Bytes32 root = state.root();

        ExecutionResult r = evm.call(Message.call(ALICE, BOB, new byte[] {1}).withValue(BigInteger.TEN), BLOCK);

        assertThat(r.failure()).containsInstanceOf(Failure.NoContract.class);
        assertThat(r.gasUsed()).isZero();
        assertThat(state.root()).isEqualTo(root);
    }

    @Test
    void aContractWhoseCodeIsOnlyStopIsNotMistakenForAMissingOne() {
        Address stop = deploy(new byte[] {0x00});

        ExecutionResult call = evm.call(Message.call(ALICE, stop, new byte[] {1}), BLOCK);
        ExecutionResult tx = evm.transact(Message.call(ALICE, stop, new byte[] {1}), BLOCK);

        assertThat(call.succeeded()).isTrue();
        assertThat(tx.succeeded()).isTrue();
        assertThat(call.gasUsed()).isEqualTo(21_000 + 16);
    }

    @Test
    void callsAndTransactionsAgreeOnPrecompilesHavingNoCode() {
        Address identity = Address.ofLong(4);

        ExecutionResult call = evm.call(Message.call(ALICE, identity, new byte[] {1}), BLOCK);
        ExecutionResult tx = evm.transact(Message.call(ALICE, identity, new byte[] {1}), BLOCK);
        ExecutionResult asANode = evm.call(Message.call(ALICE, identity, new byte[] {7}), BLOCK, ExecutionOptions.ETHEREUM);

        assertThat(call.failure()).containsInstanceOf(Failure.NoContract.class);
        assertThat(tx.failure()).containsInstanceOf(Failure.NoContract.class);
        assertThat(asANode.returnData()).containsExactly(7);
    }

    @Test
    void aPricedDeploymentThatRevertsIsChargedOnceAndStillExplainsWhy() {
        BigInteger price = BigInteger.valueOf(1_000);
        state.setBalance(ALICE, ETHER);

        ExecutionResult r = evm.transact(Message.create(ALICE, Asm.reverting(Abi.errorString("no")))
                .withGasLimit(200_000).withGasPrice(price), BLOCK);

        assertThat(r.failure()).get().isInstanceOfSatisfying(Failure.Reverted.class,
                f -> assertThat(f.reason()).isEqualTo(new Revert.ErrorMessage("no")));
        assertThat(r.gasUsed()).isBetween(53_000L, 60_000L);
        assertThat(state.balance(ALICE)).isEqualTo(ETHER.subtract(price.multiply(BigInteger.valueOf(r.gasUsed()))));
        assertThat(state.nonce(ALICE)).isEqualTo(1);
    }

    @Test
    void estimateIsExactWhenA64thOfTheGasIsHeldBackFromANestedCall() {
        // The callee stores to a fresh slot (22,100 gas); the caller forwards all its gas and reverts if the callee failed.
        Address callee = deploy(Asm.code().push(1).push(0).op("SSTORE", "STOP").bytes());
        Asm beforeJump = Asm.code().push(0).push(0).push(0).push(0).push(0).push(callee).op("GAS", "CALL");
        int successDest = beforeJump.size() + 2 + 1 + 5;
        Address caller = deploy(beforeJump.push(successDest).op("JUMPI").push(0).push(0).op("REVERT")
                .op("JUMPDEST", "STOP").bytes());
        Message message = Message.call(ALICE, caller, new byte[] {1});

        GasEstimate estimate = evm.estimateGas(message, BLOCK);

        assertThat(estimate.succeeded()).isTrue();
        assertThat(estimate.gasLimit()).isGreaterThan(estimate.execution().gasUsed() + estimate.execution().gasRefunded());
        assertThat(evm.call(message.withGasLimit(estimate.gasLimit()), BLOCK).succeeded()).isTrue();
        assertThat(evm.call(message.withGasLimit(estimate.gasLimit() - 1), BLOCK).succeeded()).isFalse();
    }

    @Test
    void aFreeCallNeitherNeedsFundsNorMovesTheNonce() {
        Address view = deploy(Asm.code().push(42).returnTop().bytes());
        long nonce = state.nonce(ALICE);

        ExecutionResult byPauper = evm.call(Message.call(BOB, view, new byte[] {1}), BLOCK);
        ExecutionResult withStaleNonce = evm.call(Message.call(ALICE, view, new byte[] {1}).withNonce(nonce + 1), BLOCK);

        assertThat(new BigInteger(1, byPauper.returnData())).isEqualTo(BigInteger.valueOf(42));
        assertThat(withStaleNonce.failure()).get().isInstanceOf(Failure.Invalid.class);
        assertThat(state.nonce(ALICE)).isEqualTo(nonce);
        assertThat(state.nonce(BOB)).isZero();
    }

    @Test
    void aTransactionWhoseSenderTheCallerCheckedRunsAndBumpsTheNonceWithoutReadingIt() {
        state.setBalance(ALICE, ETHER);
        state.setNonce(ALICE, 5);
        Message transfer = Message.transfer(ALICE, BOB, BigInteger.TEN).withGasLimit(21_000).withGasPrice(BigInteger.ONE).withNonce(5);
        ExecutionResult r = evm.transact(transfer, BLOCK, ExecutionOptions.ETHEREUM.withSenderChecked());
        assertThat(r.succeeded()).isTrue();
        assertThat(r.gasUsed()).isEqualTo(21_000);
        assertThat(state.nonce(ALICE)).isEqualTo(6);
        assertThat(state.balance(BOB)).isEqualTo(BigInteger.TEN);
        assertThat(state.balance(ALICE)).isEqualTo(ETHER.subtract(BigInteger.TEN).subtract(BigInteger.valueOf(21_000)));
        // Without the option the same message is checked against the state: nonce 5 is now stale.
        ExecutionResult stale = evm.transact(transfer, BLOCK, ExecutionOptions.ETHEREUM);
        assertThat(stale.failure()).get().isInstanceOf(Failure.Invalid.class);
    }
}
