package dev.clearline.contracts.l1;

import static dev.clearline.contracts.l1.L1Fixture.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.evm.Address;
import dev.clearline.evm.ExecutionResult;
import dev.clearline.evm.Log;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.web3j.abi.datatypes.DynamicBytes;
import org.web3j.abi.datatypes.generated.Uint32;
import org.web3j.crypto.Hash;

/** Rollup: priority queue, proposers, batches, finalization, withdrawals, freeze and refunds. */
class RollupTest {
    static final Address ALICE = Address.ofLong(0xa11ce);
    static final Address BOB = Address.ofLong(0xb0b);
    static final Address PROPOSER = Address.ofLong(0x9909);
    static final Address STRANGER = Address.ofLong(0x5757);

    final L1Fixture l1 = new L1Fixture();

    @AfterEach
    void close() {
        l1.close();
    }

    // ------------------------------------------------------------------ queue

    @Test
    void test_deposit_pullsTheTokensAndEnqueuesTheDepositEncodingWithItsRollingHash() {
        l1.fund(ALICE, 1_000);
        ExecutionResult r = l1.send(ALICE, l1.rollup, "deposit(uint256)", uint(600));
        l1.ok(r);
        byte[] expected = Transitions.deposit(0, l1.now, ALICE, 600);
        Log log = event(r, "PriorityOpEnqueued(uint64,uint8,address,bytes,bytes32)");
        assertThat(log.topics().get(1).toBigInteger()).isZero();
        assertThat(log.topics().get(2).toBigInteger()).isOne();
        byte[] data = log.data();
        int len = word(data, 2).intValueExact();
        assertThat(Arrays.copyOfRange(data, 96, 96 + len)).isEqualTo(expected);
        byte[] rolling = Hash.sha3(concat(new byte[32], Hash.sha3(expected)));
        assertThat(wordBytes(data, 1)).isEqualTo(rolling);
        assertThat(l1.view(l1.rollup, "queueHashAt(uint64)", u64(1))).isEqualTo(rolling);
        assertThat(l1.tokenBalance(ALICE)).isEqualTo(BigInteger.valueOf(400));
        assertThat(l1.tokenBalance(l1.rollup)).isEqualTo(BigInteger.valueOf(600));
        assertThat(l1.viewUint(l1.rollup, "tokenHeld()")).isEqualTo(BigInteger.valueOf(600));
        assertThat(l1.viewUint(l1.rollup, "totalDeposited()")).isEqualTo(BigInteger.valueOf(600));
    }

    @Test
    void test_deposit_ofZero_reverts() {
        l1.fund(ALICE, 1_000);
        assertReverted(l1.send(ALICE, l1.rollup, "deposit(uint256)", uint(0)), "AmountOutOfRange(uint256,uint256)");
    }

    @Test
    void test_deposit_aboveWhatTheStfHolds_reverts() {
        l1.fund(ALICE, 1_000);
        ExecutionResult r = l1.send(ALICE, l1.rollup, "deposit(uint256)", new org.web3j.abi.datatypes.generated.Uint256(BigInteger.ONE.shiftLeft(63)));
        assertReverted(r, "AmountOutOfRange(uint256,uint256)");
        assertThat(revertArgs(r).get(1)).isEqualTo(BigInteger.ONE.shiftLeft(63).subtract(BigInteger.ONE));
    }

    @Test
    void test_deposit_withoutTokens_revertsWithTheTokenFailure() {
        assertReverted(l1.send(ALICE, l1.rollup, "deposit(uint256)", uint(5)), "TokenTransferFailed(address,address,uint256)");
        assertThat(l1.queueLength()).isZero();
    }

    @Test
    void test_requestForcedWithdrawal_enqueuesAForcedWithdrawalOfTheSender() {
        ExecutionResult r = l1.ok(l1.send(ALICE, l1.rollup, "requestForcedWithdrawal(uint256)", uint(77)));
        assertThat(event(r, "PriorityOpEnqueued(uint64,uint8,address,bytes,bytes32)").topics().get(2).toBigInteger()).isEqualTo(BigInteger.valueOf(3));
        assertThat(l1.view(l1.rollup, "queueHashAt(uint64)", u64(1)))
                .isEqualTo(Hash.sha3(concat(new byte[32], Hash.sha3(Transitions.forcedWithdrawal(0, l1.now - 0, ALICE, 77)))));
        assertReverted(l1.send(ALICE, l1.rollup, "requestForcedWithdrawal(uint256)", uint(0)), "AmountOutOfRange(uint256,uint256)");
    }

    @Test
    void test_requestForcedCancel_enqueuesAForcedCancelOfTheSendersOrder() {
        byte[] order = Hash.sha3("order".getBytes());
        ExecutionResult r = l1.ok(l1.send(ALICE, l1.rollup, "requestForcedCancel(bytes32)", b32(order)));
        assertThat(event(r, "PriorityOpEnqueued(uint64,uint8,address,bytes,bytes32)").topics().get(2).toBigInteger()).isEqualTo(BigInteger.valueOf(4));
        assertThat(l1.view(l1.rollup, "queueHashAt(uint64)", u64(1)))
                .isEqualTo(Hash.sha3(concat(new byte[32], Hash.sha3(Transitions.forcedCancel(0, l1.now, ALICE, order)))));
    }

    static final String CONFIGURE = "configureMarket(uint32,uint64,uint64,uint32,uint32,uint32,uint32,uint32,address)";

    ExecutionResult configure(Address from, long imf) {
        return l1.send(from, l1.rollup, CONFIGURE, new Uint32(7), u64(10), u64(100), new Uint32(imf), new Uint32(50_000),
                new Uint32(100), new Uint32(200), new Uint32(10_000), addr(BOB));
    }

    @Test
    void test_configureMarket_byGovernance_enqueuesTheMarketConfigEncoding() {
        ExecutionResult r = l1.ok(configure(GOVERNANCE, 100_000));
        assertThat(l1.view(l1.rollup, "queueHashAt(uint64)", u64(1))).isEqualTo(Hash.sha3(concat(new byte[32],
                Hash.sha3(Transitions.marketConfig(0, l1.now, 7, 10, 100, 100_000, 50_000, 100, 200, 10_000, BOB)))));
        assertThat(event(r, "PriorityOpEnqueued(uint64,uint8,address,bytes,bytes32)").topics().get(2).toBigInteger()).isEqualTo(BigInteger.TWO);
    }

    @Test
    void test_configureMarket_byAnyoneElse_reverts() {
        assertReverted(configure(STRANGER, 100_000), "NotGovernance(address)");
    }

    @Test
    void test_configureMarket_withAFractionTheCodecCannotHold_reverts() {
        assertReverted(configure(GOVERNANCE, 1L << 31), "FieldOutOfRange(uint256,uint256)");
        assertReverted(l1.send(GOVERNANCE, l1.rollup, CONFIGURE, new Uint32(7),
                new org.web3j.abi.datatypes.generated.Uint64(BigInteger.ONE.shiftLeft(63)), u64(100), new Uint32(1), new Uint32(1),
                new Uint32(1), new Uint32(1), new Uint32(1), addr(BOB)), "FieldOutOfRange(uint256,uint256)");
    }

    // ------------------------------------------------------------------ proposers

    @Test
    void test_joinProposers_bondsTheEtherAndEmitsProposerJoined() {
        ExecutionResult r = l1.ok(l1.send(PROPOSER, l1.rollup, PROPOSER_BOND, "joinProposers()"));
        assertThat(word(event(r, "ProposerJoined(address,uint256)").data(), 0)).isEqualTo(PROPOSER_BOND);
        assertThat(l1.state.balance(l1.rollup)).isEqualTo(PROPOSER_BOND);
        assertReverted(l1.send(PROPOSER, l1.rollup, PROPOSER_BOND, "joinProposers()"), "AlreadyProposer(address)");
    }

    @Test
    void test_joinProposers_withTooSmallABond_reverts() {
        assertReverted(l1.send(PROPOSER, l1.rollup, PROPOSER_BOND.subtract(BigInteger.ONE), "joinProposers()"), "BondTooSmall(uint256,uint256)");
    }

    @Test
    void test_topUpBond_addsToTheBond_andRefusesStrangersAndZero() {
        l1.join(PROPOSER);
        ExecutionResult r = l1.ok(l1.send(PROPOSER, l1.rollup, BigInteger.TEN, "topUpBond()"));
        assertThat(word(event(r, "BondToppedUp(address,uint256,uint256)").data(), 1)).isEqualTo(PROPOSER_BOND.add(BigInteger.TEN));
        assertReverted(l1.send(STRANGER, l1.rollup, BigInteger.TEN, "topUpBond()"), "NotProposer(address)");
        assertReverted(l1.send(PROPOSER, l1.rollup, BigInteger.ZERO, "topUpBond()"), "ZeroTopUp()");
    }

    @Test
    void test_leaveProposers_beforeTheLastBatchIsFinal_reverts_andAfterwardsReturnsTheBondByPull() {
        l1.join(PROPOSER);
        Batch b = Batch.of(l1, PROPOSER, List.of(Transitions.liquidate(BOB, 1)));
        l1.ok(b.submit());
        ExecutionResult early = l1.send(PROPOSER, l1.rollup, "leaveProposers()");
        assertReverted(early, "LastBatchNotFinal(uint64,uint64)");
        l1.advance(CHALLENGE_PERIOD);
        l1.ok(l1.finalizeBatches(10));
        ExecutionResult left = l1.ok(l1.send(PROPOSER, l1.rollup, "leaveProposers()"));
        event(left, "ProposerLeft(address,uint256)");
        event(left, "EthCredited(address,uint256)");
        assertThat(l1.ethCredit(PROPOSER)).isEqualTo(PROPOSER_BOND);
        BigInteger before = l1.state.balance(PROPOSER);
        ExecutionResult paid = l1.ok(l1.send(PROPOSER, l1.rollup, "withdrawEth()"));
        event(paid, "EthWithdrawn(address,uint256)");
        assertThat(l1.state.balance(PROPOSER).subtract(before)).isEqualTo(PROPOSER_BOND);
        assertReverted(l1.send(PROPOSER, l1.rollup, "withdrawEth()"), "NothingToWithdraw(address)");
        assertReverted(l1.send(PROPOSER, l1.rollup, "leaveProposers()"), "NotProposer(address)");
    }

    // ------------------------------------------------------------------ batches

    @Test
    void test_submitBatch_storesTheHeaderHashOfTheDocumentedEncodingAndMovesTheTip() {
        l1.fund(ALICE, 1_000);
        byte[] dep = l1.deposit(ALICE, 500);
        l1.join(PROPOSER);
        Batch b = Batch.of(l1, PROPOSER, List.of(dep, Transitions.liquidate(BOB, 3)));
        ExecutionResult r = l1.ok(b.submit());
        Log log = event(r, "BatchSubmitted(uint64,address,bytes32,bytes32,uint32,uint64,uint64)");
        assertThat(wordBytes(log.data(), 0)).isEqualTo(b.header.hash());
        assertThat(b.header.encode()).hasSize(116);
        byte[] stored = l1.view(l1.rollup, "batch(uint64)", u64(0));
        assertThat(wordBytes(stored, 0)).isEqualTo(b.header.hash());
        assertThat(word(stored, 5)).isOne(); // priorityOpsConsumed
        assertThat(word(stored, 7)).isEqualTo(BigInteger.valueOf(500)); // depositsConsumed
        assertThat(l1.tipRoot()).isEqualTo(b.header.post());
        assertThat(l1.nextBatchIndex()).isOne();
    }

    @Test
    void test_submitBatch_byAnUnbondedSender_reverts() {
        Batch b = Batch.of(l1, STRANGER, List.of(Transitions.liquidate(BOB, 1)));
        assertReverted(b.submit(), "NotBondedProposer(address,uint256,uint256)");
    }

    @Test
    void test_submitBatch_withAHeaderThatDoesNotMatchItsCalldata_revertsNamingTheField() {
        l1.join(PROPOSER);
        List<byte[]> ts = List.of(Transitions.liquidate(BOB, 1), Transitions.liquidate(BOB, 2));
        Batch good = Batch.of(l1, PROPOSER, ts);
        Header h = good.header;
        byte[] data = Transitions.concat(ts);
        assertReverted(l1.submit(PROPOSER, new Header(1, h.prev(), h.post(), 2, h.transitionsRoot(), 0), data), "WrongBatchIndex(uint64,uint64)");
        assertReverted(l1.submit(PROPOSER, new Header(0, new byte[32], h.post(), 2, h.transitionsRoot(), 0), data), "WrongPrevStateRoot(bytes32,bytes32)");
        assertReverted(l1.submit(PROPOSER, new Header(0, h.prev(), h.post(), 3, h.transitionsRoot(), 0), data), "TransitionCountMismatch(uint32,uint32)");
        assertReverted(l1.submit(PROPOSER, new Header(0, h.prev(), h.post(), 2, new byte[32], 0), data), "TransitionsRootMismatch(bytes32,bytes32)");
        assertReverted(l1.submit(PROPOSER, new Header(0, h.prev(), h.post(), 2, h.transitionsRoot(), 1), data), "PriorityCountMismatch(uint64,uint64)");
        assertReverted(l1.submit(PROPOSER, h, new byte[0]), "EmptyBatch()");
        assertReverted(l1.submit(PROPOSER, h, concat(data, new byte[] {99})), "UnknownTransitionType(uint256,uint8)");
        assertReverted(l1.submit(PROPOSER, h, Arrays.copyOf(data, data.length - 1)), "TruncatedTransition(uint256,uint256,uint256)");
        l1.ok(good.submit());
    }

    @Test
    void test_submitBatch_withMoreTransitionsThanTheDeploymentAllows_reverts() {
        try (L1Fixture small = new L1Fixture(L1Fixture.Params.defaults().withMaxTransitions(4))) {
            small.join(PROPOSER);
            assertReverted(Batch.of(small, PROPOSER, Transitions.filler(5, 0)).submit(), "TooManyTransitions(uint256)");
            small.ok(Batch.of(small, PROPOSER, Transitions.filler(4, 0)).submit());
        }
    }

    @Test
    void test_submitBatch_consumingPriorityOpsOutOfOrderOrNotQueuedOrAltered_reverts() {
        l1.fund(ALICE, 1_000);
        byte[] d0 = l1.deposit(ALICE, 100);
        byte[] d1 = l1.deposit(ALICE, 200);
        l1.join(PROPOSER);
        assertReverted(Batch.of(l1, PROPOSER, List.of(d1)).submit(), "PriorityIndexMismatch(uint256,uint64,uint64)");
        byte[] notQueued = Transitions.deposit(2, l1.now, ALICE, 5);
        assertReverted(Batch.of(l1, PROPOSER, List.of(d0, d1, notQueued)).submit(), "PriorityOpsNotQueued(uint64,uint64)");
        byte[] altered = Transitions.deposit(0, l1.now, ALICE, 1_000_000);
        assertReverted(Batch.of(l1, PROPOSER, List.of(altered)).submit(), "PriorityHashMismatch(uint64,bytes32,bytes32)");
        l1.ok(Batch.of(l1, PROPOSER, List.of(d0, Transitions.liquidate(BOB, 1), d1)).submit());
    }

    @Test
    void test_finalizeBatches_waitsForTheChallengePeriodThenFinalizesInOrder() {
        l1.join(PROPOSER);
        l1.ok(Batch.of(l1, PROPOSER, Transitions.filler(1, 1)).submit());
        l1.advance(10);
        l1.ok(Batch.of(l1, PROPOSER, Transitions.filler(1, 2)).submit());
        assertReverted(l1.finalizeBatches(5), "NothingToFinalize(uint64)");
        l1.advance(CHALLENGE_PERIOD - 10);
        ExecutionResult first = l1.ok(l1.finalizeBatches(5));
        assertThat(events(first, "BatchFinalized(uint64,bytes32)")).hasSize(1);
        assertThat(l1.finalizedCount()).isOne();
        l1.advance(10);
        l1.ok(l1.finalizeBatches(5));
        assertThat(l1.finalizedCount()).isEqualTo(2);
    }

    // ------------------------------------------------------------------ withdrawals

    @Test
    void test_claimWithdrawal_paysTheLeafOfAFinalizedRootOnce() {
        WithdrawalSetup w = WithdrawalSetup.create(l1, 1_000, 400);
        assertReverted(w.claim(l1), "BatchNotFinal(uint64,uint64)");
        assertThat(l1.view(l1.rollup, "checkWithdrawal(uint64,uint64,address,uint64,bytes)", u64(0), u64(w.id), addr(BOB), u64(400),
                new DynamicBytes(w.proof))).startsWith(Arrays.copyOf(Hash.sha3("BatchNotFinal(uint64,uint64)".getBytes()), 4));
        l1.advance(CHALLENGE_PERIOD);
        l1.ok(l1.finalizeBatches(1));
        assertThat(l1.view(l1.rollup, "checkWithdrawal(uint64,uint64,address,uint64,bytes)", u64(0), u64(w.id), addr(BOB), u64(400),
                new DynamicBytes(w.proof))).isEqualTo(new byte[32]);
        ExecutionResult r = l1.ok(w.claim(l1));
        assertThat(word(event(r, "WithdrawalClaimed(uint64,address,uint64,uint256)").data(), 1)).isEqualTo(BigInteger.valueOf(400));
        assertThat(l1.tokenBalance(BOB)).isEqualTo(BigInteger.valueOf(400));
        assertReverted(w.claim(l1), "WithdrawalAlreadyClaimed(uint64)");
        assertThat(l1.tokenBalance(BOB)).isEqualTo(BigInteger.valueOf(400));
    }

    @Test
    void test_claimWithdrawal_withAProofOfAnotherAmount_reverts() {
        WithdrawalSetup w = WithdrawalSetup.create(l1, 1_000, 400);
        l1.advance(CHALLENGE_PERIOD);
        l1.ok(l1.finalizeBatches(1));
        ExecutionResult r = l1.send(STRANGER, l1.rollup, "claimWithdrawal(uint64,uint64,address,uint64,bytes)", u64(0), u64(w.id),
                addr(BOB), u64(401), new DynamicBytes(w.proof));
        assertReverted(r, "InvalidLeafProof(uint8)");
    }

    @Test
    void test_claimWithdrawal_throughAReentrantToken_paysOnce() {
        try (L1Fixture evil = new L1Fixture(L1Fixture.Params.defaults(), "ReentrantToken")) {
            evil.ok(evil.send(DEPLOYER, evil.token, "mint(address,uint256)", addr(ALICE), uint(1_000)));
            evil.ok(evil.send(ALICE, evil.token, "approve(address,uint256)", addr(evil.rollup), uint(1_000)));
            WithdrawalSetup w = WithdrawalSetup.create(evil, 1_000, 400);
            evil.advance(CHALLENGE_PERIOD);
            evil.ok(evil.finalizeBatches(1));
            byte[] again = calldata("claimWithdrawal(uint64,uint64,address,uint64,bytes)", u64(0), u64(w.id), addr(BOB), u64(400),
                    new DynamicBytes(w.proof));
            evil.ok(evil.send(STRANGER, evil.token, "arm(address,bytes)", addr(evil.rollup), new DynamicBytes(again)));
            evil.ok(w.claim(evil));
            assertThat(evil.viewUint(evil.token, "reentered()")).isOne();
            assertThat(evil.viewUint(evil.token, "reentrySucceeded()")).isZero();
            assertThat(evil.tokenBalance(BOB)).isEqualTo(BigInteger.valueOf(400));
            assertThat(evil.tokenBalance(evil.rollup)).isEqualTo(BigInteger.valueOf(600));
        }
    }

    // ------------------------------------------------------------------ freeze and refunds

    @Test
    void test_freeze_onlyOnceTheOldestUnconsumedOpIsOverdue_thenRefundsUnconsumedDeposits() {
        l1.fund(ALICE, 1_000);
        byte[] d0 = l1.deposit(ALICE, 300);
        l1.join(PROPOSER);
        l1.ok(Batch.of(l1, PROPOSER, List.of(d0)).submit());
        l1.advance(CHALLENGE_PERIOD);
        l1.ok(l1.finalizeBatches(1));
        assertReverted(l1.send(STRANGER, l1.rollup, "freeze(bytes)", new DynamicBytes(d0)), "NoUnconsumedOp(uint64,uint64)");
        byte[] d1 = l1.deposit(ALICE, 200);
        assertReverted(l1.send(STRANGER, l1.rollup, "refundDeposit(uint64,uint64,address,uint64)", u64(1), u64(l1.now), addr(ALICE), u64(200)),
                "RollupNotFrozen()");
        assertReverted(l1.send(STRANGER, l1.rollup, "freeze(bytes)", new DynamicBytes(d1)), "NotOverdue(uint64,uint256,uint256)");
        l1.advance(FORCE_DELAY + 1);
        assertReverted(l1.send(STRANGER, l1.rollup, "freeze(bytes)", new DynamicBytes(d0)), "QueueEntryMismatch(uint64)");
        ExecutionResult frozen = l1.ok(l1.send(STRANGER, l1.rollup, "freeze(bytes)", new DynamicBytes(d1)));
        Log f = event(frozen, "Frozen(uint64,bytes32,uint64,uint256)");
        assertThat(word(f.data(), 3)).isEqualTo(BigInteger.valueOf(300)); // escape pool: the consumed deposit
        assertReverted(l1.send(STRANGER, l1.rollup, "freeze(bytes)", new DynamicBytes(d1)), "AlreadyFrozen(uint64)");
        assertReverted(l1.send(ALICE, l1.rollup, "deposit(uint256)", uint(1)), "RollupFrozen(uint64)");
        assertReverted(Batch.of(l1, PROPOSER, Transitions.filler(1, 0)).submit(), "RollupFrozen(uint64)");

        long t1 = java.nio.ByteBuffer.wrap(d1, 9, 8).getLong();
        assertReverted(l1.send(STRANGER, l1.rollup, "refundDeposit(uint64,uint64,address,uint64)", u64(0), u64(t1), addr(ALICE), u64(300)),
                "DepositWasConsumed(uint64,uint64)");
        assertReverted(l1.send(STRANGER, l1.rollup, "refundDeposit(uint64,uint64,address,uint64)", u64(1), u64(t1), addr(ALICE), u64(201)),
                "QueueEntryMismatch(uint64)");
        ExecutionResult refund = l1.ok(l1.send(STRANGER, l1.rollup, "refundDeposit(uint64,uint64,address,uint64)", u64(1), u64(t1),
                addr(ALICE), u64(200)));
        event(refund, "DepositRefunded(uint64,address,uint64)");
        assertThat(l1.tokenBalance(ALICE)).isEqualTo(BigInteger.valueOf(700));
        assertReverted(l1.send(STRANGER, l1.rollup, "refundDeposit(uint64,uint64,address,uint64)", u64(1), u64(t1), addr(ALICE), u64(200)),
                "NotRefundable(uint64)");
    }

    @Test
    void test_callsReservedToTheDisputeGameAndTheEscapeHatch_refuseEveryoneElse() {
        assertReverted(l1.send(STRANGER, l1.rollup, "noteDispute(uint64,uint64,bool)", u64(0), u64(1), new org.web3j.abi.datatypes.Bool(true)),
                "NotDisputeGame(address)");
        assertReverted(l1.send(STRANGER, l1.rollup, "rejectBatch(uint64,uint64,address)", u64(0), u64(1), addr(STRANGER)),
                "NotDisputeGame(address)");
        assertReverted(l1.send(STRANGER, l1.rollup, "releaseEscape(address,uint256)", addr(STRANGER), uint(1)), "NotEscapeHatch(address)");
    }

    // ------------------------------------------------------------------ helpers

    /** A batch built from transitions on top of the current tip, with the toy STF's roots. */
    record Batch(L1Fixture l1, Address proposer, Header header, List<byte[]> transitions) {
        static Batch of(L1Fixture l1, Address proposer, List<byte[]> transitions) {
            long consumed = L1Fixture.word(l1.view(l1.rollup, "tip()"), 1).longValueExact();
            long added = transitions.stream().filter(t -> t[0] >= 1 && t[0] <= 4).count();
            byte[] post = Hash.sha3(concat(l1.tipRoot(), Transitions.root(transitions)));
            return new Batch(l1, proposer, L1Fixture.header(l1.nextBatchIndex(), l1.tipRoot(), post, transitions, consumed + added),
                    new ArrayList<>(transitions));
        }

        ExecutionResult submit() {
            return l1.submit(proposer, header, Transitions.concat(transitions));
        }
    }

    /** A deposit by Alice, then a batch whose post-state (a real tree) holds a withdrawal to Bob. */
    record WithdrawalSetup(long id, byte[] proof) {
        static WithdrawalSetup create(L1Fixture l1, long deposit, long amount) {
            if (l1.tokenBalance(ALICE).signum() == 0) l1.fund(ALICE, deposit);
            byte[] dep = l1.deposit(ALICE, deposit);
            StateTree tree = new StateTree();
            long id = 3;
            tree.put(StateTree.withdrawalKey(id), StateTree.withdrawalValue(BOB, amount))
                    .put(StateTree.balanceKey(ALICE), StateTree.balanceValue(deposit - amount, 1));
            byte[] root = tree.commit();
            if (L1Fixture.word(l1.view(l1.rollup, "proposers(address)", addr(PROPOSER)), 2).signum() == 0) l1.join(PROPOSER);
            List<byte[]> ts = List.of(dep);
            Header h = L1Fixture.header(l1.nextBatchIndex(), l1.tipRoot(), root, ts, 1);
            l1.ok(l1.submit(PROPOSER, h, Transitions.concat(ts)));
            return new WithdrawalSetup(id, tree.proof(StateTree.withdrawalKey(id)));
        }

        ExecutionResult claim(L1Fixture l1) {
            return l1.send(STRANGER, l1.rollup, "claimWithdrawal(uint64,uint64,address,uint64,bytes)", u64(0), u64(id), addr(BOB),
                    u64(400), new DynamicBytes(proof));
        }
    }
}
