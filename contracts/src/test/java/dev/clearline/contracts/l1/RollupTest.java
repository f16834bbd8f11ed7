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
import org.web3j.abi.datatypes.Type;
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

    // ------------------------------------------------------------------ deployment

    /** A parameter that means nothing is refused at deployment, by name; the edges of what each allows deploy and are kept. */
    @Test
    void test_constructor_refusesParametersThatMeanNothing_andKeepsTheEdgesItAllows() {
        record Change(String name, int index, Type<?> value) {}
        List<Change> refused = List.of(new Change("token", 0, addr(Address.ofLong(0))), new Change("governance", 1, addr(Address.ZERO)),
                new Change("challengePeriod", 4, u64(0)),
                new Change("forceDelay", 5, u64(0)), new Change("proposerBond", 6, uint(0)), new Change("slashBurnPercent", 7, uint(0)),
                new Change("slashBurnPercent", 7, uint(101)), new Change("maxTransitions", 8, uint(0)),
                new Change("maxTransitions", 8, uint(1L << 32)));
        for (Change c : refused) {
            ExecutionResult r = l1.tryDeploy("Rollup", l1.rollupArgs(a -> a.set(c.index(), c.value())));
            assertReverted(r, "BadParameter(string)");
            assertThat(revertArgs(r)).as("%s = %s", c.name(), c.value().getValue()).containsExactly(c.name());
        }
        List<Change> edges = List.of(new Change("slashBurnPercent", 7, uint(100)), new Change("slashBurnPercent", 7, uint(1)),
                new Change("maxTransitions", 8, uint((1L << 32) - 1)), new Change("maxTransitions", 8, uint(1)),
                new Change("challengePeriod", 4, u64(1)), new Change("forceDelay", 5, u64(1)), new Change("proposerBond", 6, uint(1)));
        for (Change c : edges) {
            long block = l1.blockNumber;
            ExecutionResult r = l1.ok(l1.tryDeploy("Rollup", l1.rollupArgs(a -> a.set(c.index(), c.value()))));
            assertThat(l1.viewUint(r.contractAddress(), c.name() + "()")).as(c.name()).isEqualTo(c.value().getValue());
            // readers of its history start at the block it was deployed in
            assertThat(l1.viewUint(r.contractAddress(), "deploymentBlock()")).isEqualTo(BigInteger.valueOf(block)).isPositive();
        }
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

    /** The largest amount the STF holds (2^63 - 1) is taken by a deposit and by a forced withdrawal. */
    @Test
    void test_depositAndForcedWithdrawal_takeTheLargestAmountTheStfHolds() {
        BigInteger max = BigInteger.ONE.shiftLeft(63).subtract(BigInteger.ONE);
        l1.fund(ALICE, Long.MAX_VALUE);
        l1.ok(l1.send(ALICE, l1.rollup, "deposit(uint256)", new org.web3j.abi.datatypes.generated.Uint256(max)));
        assertThat(l1.viewUint(l1.rollup, "tokenHeld()")).isEqualTo(max);
        l1.ok(l1.send(ALICE, l1.rollup, "requestForcedWithdrawal(uint256)", new org.web3j.abi.datatypes.generated.Uint256(max)));
        assertReverted(l1.send(ALICE, l1.rollup, "requestForcedWithdrawal(uint256)",
                new org.web3j.abi.datatypes.generated.Uint256(max.add(BigInteger.ONE))), "AmountOutOfRange(uint256,uint256)");
        assertThat(l1.queueLength()).isEqualTo(2);
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

    /** Each field at the largest value the codec holds is taken; one more is refused, field by field. */
    @Test
    void test_configureMarket_takesEachFieldUpToWhatTheCodecHolds() {
        BigInteger u63 = BigInteger.ONE.shiftLeft(63).subtract(BigInteger.ONE);
        java.util.function.BiFunction<BigInteger, BigInteger, ExecutionResult> sizes = (tick, lot) -> l1.send(GOVERNANCE, l1.rollup, CONFIGURE,
                new Uint32(7), new org.web3j.abi.datatypes.generated.Uint64(tick), new org.web3j.abi.datatypes.generated.Uint64(lot),
                new Uint32(1), new Uint32(1), new Uint32(1), new Uint32(1), new Uint32(1), addr(BOB));
        l1.ok(sizes.apply(u63, u63));
        assertReverted(sizes.apply(u63.add(BigInteger.ONE), BigInteger.TEN), "FieldOutOfRange(uint256,uint256)");
        assertReverted(sizes.apply(BigInteger.TEN, u63.add(BigInteger.ONE)), "FieldOutOfRange(uint256,uint256)");
        l1.ok(configure(GOVERNANCE, (1L << 31) - 1));
        assertThat(l1.queueLength()).isEqualTo(2);
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

    /**
     * A bond answers for its proposer's latest batch, not its first: after batch 0 is final, batch 1
     * still holds it. A proposer that has posted nothing answers for no batch, whoever else's is open.
     */
    @Test
    void test_leaveProposers_isHeldByTheLatestBatch_andNotByOthersBatches() {
        l1.join(PROPOSER);
        l1.ok(Batch.of(l1, PROPOSER, Transitions.filler(1, 1)).submit());
        l1.join(STRANGER);
        l1.ok(l1.send(STRANGER, l1.rollup, "leaveProposers()")); // batch 0 is open, but not the stranger's
        assertThat(l1.ethCredit(STRANGER)).isEqualTo(PROPOSER_BOND);
        l1.advance(CHALLENGE_PERIOD);
        l1.ok(l1.finalizeBatches(1));
        l1.ok(Batch.of(l1, PROPOSER, Transitions.filler(1, 2)).submit());
        ExecutionResult held = l1.send(PROPOSER, l1.rollup, "leaveProposers()");
        assertReverted(held, "LastBatchNotFinal(uint64,uint64)");
        assertThat(revertArgs(held)).containsExactly(BigInteger.ONE, BigInteger.ONE);
        l1.advance(CHALLENGE_PERIOD);
        l1.ok(l1.finalizeBatches(1));
        l1.ok(l1.send(PROPOSER, l1.rollup, "leaveProposers()"));
    }

    /** A contract (EthReentrant, driven by Alice) that joined the proposers with the full bond. */
    private Address bondedContractProposer() {
        Address actor = l1.ok(l1.tryDeploy("EthReentrant", List.of(addr(l1.rollup)))).contractAddress();
        l1.state.addBalance(actor, PROPOSER_BOND);
        l1.ok(l1.send(ALICE, actor, "act(address,uint256,bytes)", addr(l1.rollup), new org.web3j.abi.datatypes.generated.Uint256(PROPOSER_BOND),
                new DynamicBytes(calldata("joinProposers()"))));
        return actor;
    }

    /** A payout the receiver refuses reverts and keeps the credit, to be withdrawn once the receiver takes ether. */
    @Test
    void test_withdrawEth_refusedByTheReceiver_revertsAndKeepsTheCredit() {
        Address actor = bondedContractProposer();
        l1.ok(l1.send(ALICE, actor, "act(address,uint256,bytes)", addr(l1.rollup), uint(0), new DynamicBytes(calldata("leaveProposers()"))));
        l1.ok(l1.send(ALICE, actor, "setRefuses(bool)", new org.web3j.abi.datatypes.Bool(true)));
        ExecutionResult refused = l1.send(ALICE, actor, "act(address,uint256,bytes)", addr(l1.rollup), uint(0), new DynamicBytes(calldata("withdrawEth()")));
        assertReverted(refused, "EthTransferFailed(address,uint256)");
        assertThat(l1.ethCredit(actor)).isEqualTo(PROPOSER_BOND);
        l1.ok(l1.send(ALICE, actor, "setRefuses(bool)", new org.web3j.abi.datatypes.Bool(false)));
        l1.ok(l1.send(ALICE, actor, "act(address,uint256,bytes)", addr(l1.rollup), uint(0), new DynamicBytes(calldata("withdrawEth()"))));
        assertThat(l1.ethCredit(actor)).isZero();
        assertThat(l1.state.balance(actor)).isEqualTo(PROPOSER_BOND);
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

    /**
     * A bonded proposer that is a contract cannot post: its batch's transitions would sit inside
     * the input of a call to the contract, where a watcher reading transaction inputs never finds
     * them, and a batch nobody reads is one nobody challenges.
     */
    @Test
    void test_submitBatch_fromAContract_revertsEvenWhenBonded() {
        Address actor = bondedContractProposer();
        Batch b = Batch.of(l1, actor, List.of(Transitions.liquidate(BOB, 1)));
        byte[] post = calldata("submitBatch((uint64,bytes32,bytes32,uint32,bytes32,uint64),bytes)", b.header().struct(),
                new DynamicBytes(Transitions.concat(b.transitions())));
        ExecutionResult r = l1.send(ALICE, actor, "act(address,uint256,bytes)", addr(l1.rollup), uint(0), new DynamicBytes(post));
        assertReverted(r, "PostedIndirectly(address,address)");
        assertThat(revertArgs(r)).hasSize(2);
        assertThat(revertArgs(r).get(0).toString()).containsIgnoringCase(actor.toHex().replaceFirst("^0x", ""));
        assertThat(revertArgs(r).get(1).toString()).containsIgnoringCase(ALICE.toHex().replaceFirst("^0x", ""));
        assertThat(l1.nextBatchIndex()).isZero();

        // a contract still in its constructor has no code yet: the origin check alone refuses it, before the bond is looked at
        Address poster = Address.ofCreate(L1Fixture.DEPLOYER, l1.state.nonce(L1Fixture.DEPLOYER));
        ExecutionResult fromConstructor = l1.tryDeploy("ConstructorPoster", List.of(addr(l1.rollup), new DynamicBytes(post)));
        assertReverted(fromConstructor, "PostedIndirectly(address,address)");
        assertThat(revertArgs(fromConstructor).get(0).toString()).containsIgnoringCase(poster.toHex().replaceFirst("^0x", ""));
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
        ExecutionResult truncated = l1.submit(PROPOSER, h, Arrays.copyOf(data, data.length - 1));
        assertReverted(truncated, "TruncatedTransition(uint256,uint256,uint256)");
        List<Object> at = revertArgs(truncated); // offset, length, bytes left: the last transition, one byte short
        assertThat(((BigInteger) at.get(0)).add((BigInteger) at.get(1))).isEqualTo(BigInteger.valueOf(data.length));
        assertThat(at.get(2)).isEqualTo(((BigInteger) at.get(1)).subtract(BigInteger.ONE));
        l1.ok(good.submit());
    }

    /**
     * A batch of the shortest transitions (a sweep's trades, then a prune for each order it retired) is
     * taken up to the deployment's limit: the rollup sized its scan for 25-byte transitions, so two
     * 7-byte prunes or seven 21-byte trades were refused as TooManyTransitions, a sealed batch the
     * operator could never post, and the queue behind it stalled until anyone froze the rollup.
     */
    @Test
    void test_submitBatch_ofTheShortestTransitions_isTakenUpToTheLimit() {
        l1.join(PROPOSER);
        List<byte[]> sweep = new ArrayList<>();
        for (int i = 0; i < 6; i++) sweep.add(Transitions.trade(10 * i));
        for (int i = 0; i < 7; i++) sweep.add(Transitions.pruneOrder(100 + i));
        l1.ok(Batch.of(l1, PROPOSER, sweep).submit());
        List<byte[]> prunes = new ArrayList<>();
        for (int i = 0; i < 200; i++) prunes.add(Transitions.pruneOrder(1_000 + i));
        l1.ok(Batch.of(l1, PROPOSER, prunes).submit());
        try (L1Fixture small = new L1Fixture(L1Fixture.Params.defaults().withMaxTransitions(4))) {
            small.join(PROPOSER);
            List<byte[]> five = new ArrayList<>();
            for (int i = 0; i < 5; i++) five.add(Transitions.pruneOrder(i));
            assertReverted(Batch.of(small, PROPOSER, five).submit(), "TooManyTransitions(uint256)");
            small.ok(Batch.of(small, PROPOSER, five.subList(0, 4)).submit());
        }
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

    @Test
    void test_finalizeBatches_finalizesNoMoreThanAskedEvenWhenMoreAreDue() {
        l1.join(PROPOSER);
        for (int i = 1; i <= 3; i++) l1.ok(Batch.of(l1, PROPOSER, Transitions.filler(1, i)).submit());
        l1.advance(CHALLENGE_PERIOD);
        assertThat(events(l1.ok(l1.finalizeBatches(1)), "BatchFinalized(uint64,bytes32)")).hasSize(1);
        assertThat(l1.finalizedCount()).isOne();
        assertThat(events(l1.ok(l1.finalizeBatches(2)), "BatchFinalized(uint64,bytes32)")).hasSize(2);
        assertThat(l1.finalizedCount()).isEqualTo(3);
        assertReverted(l1.finalizeBatches(1), "NothingToFinalize(uint64)");
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
        assertThat(l1.viewUint(l1.rollup, "tokenHeld()")).as("what the rollup holds for L2, less the claim").isEqualTo(BigInteger.valueOf(600));
        assertThat(l1.view(l1.rollup, "checkWithdrawal(uint64,uint64,address,uint64,bytes)", u64(0), u64(w.id), addr(BOB), u64(400),
                new DynamicBytes(w.proof))).startsWith(Arrays.copyOf(Hash.sha3("WithdrawalAlreadyClaimed(uint64)".getBytes()), 4));
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
        assertThat(l1.view(l1.rollup, "checkWithdrawal(uint64,uint64,address,uint64,bytes)", u64(0), u64(w.id), addr(BOB), u64(401),
                new DynamicBytes(w.proof))).startsWith(Arrays.copyOf(Hash.sha3("InvalidLeafProof(uint8)".getBytes()), 4));
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

    /**
     * Collateral whose transfers return nothing (older tokens) is taken and paid out; one whose
     * transfers return false without moving anything is refused both ways: nothing is credited that
     * did not arrive and no claim is marked paid that was not.
     */
    @Test
    void test_tokensThatReturnNothingWork_andTokensThatReturnFalseAreRefused() {
        try (L1Fixture quirky = new L1Fixture(L1Fixture.Params.defaults(), "QuirkyToken")) {
            quirky.ok(quirky.send(DEPLOYER, quirky.token, "setMode(uint8)", new org.web3j.abi.datatypes.generated.Uint8(1)));
            quirky.fund(ALICE, 1_000);
            WithdrawalSetup w = WithdrawalSetup.create(quirky, 1_000, 400);
            assertThat(quirky.tokenBalance(quirky.rollup)).isEqualTo(BigInteger.valueOf(1_000));
            quirky.advance(CHALLENGE_PERIOD);
            quirky.ok(quirky.finalizeBatches(1));
            quirky.ok(quirky.send(DEPLOYER, quirky.token, "setMode(uint8)", new org.web3j.abi.datatypes.generated.Uint8(2)));
            assertReverted(w.claim(quirky), "TokenTransferFailed(address,address,uint256)");
            assertThat(quirky.viewUint(quirky.rollup, "withdrawalClaimed(uint64)", u64(w.id))).as("not marked paid").isZero();
            assertReverted(quirky.send(ALICE, quirky.rollup, "deposit(uint256)", uint(1)), "TokenTransferFailed(address,address,uint256)");
            quirky.ok(quirky.send(DEPLOYER, quirky.token, "setMode(uint8)", new org.web3j.abi.datatypes.generated.Uint8(1)));
            quirky.ok(w.claim(quirky));
            assertThat(quirky.tokenBalance(BOB)).isEqualTo(BigInteger.valueOf(400));
        }
    }

    /**
     * Collateral that keeps a fee on the transfer delivers less than the deposit would credit; the
     * rollup reads its own balance after the pull and refuses, so it never owes more than it holds.
     * With the fee switched off again the same deposit goes through.
     */
    @Test
    void test_aDepositOfATokenThatKeepsAFee_isRefused_soTheRollupNeverOwesMoreThanItHolds() {
        try (L1Fixture quirky = new L1Fixture(L1Fixture.Params.defaults(), "QuirkyToken")) {
            quirky.fund(ALICE, 1_000);
            quirky.ok(quirky.send(ALICE, quirky.rollup, "deposit(uint256)", uint(300)));
            BigInteger queued = quirky.viewUint(quirky.rollup, "queueLength()");

            quirky.ok(quirky.send(DEPLOYER, quirky.token, "setMode(uint8)", new org.web3j.abi.datatypes.generated.Uint8(4)));
            ExecutionResult refused = quirky.send(ALICE, quirky.rollup, "deposit(uint256)", uint(500));
            assertReverted(refused, "CollateralShortfall(uint256,uint256)");
            assertThat(quirky.viewUint(quirky.rollup, "queueLength()")).as("no op enqueued").isEqualTo(queued);
            assertThat(quirky.viewUint(quirky.rollup, "tokenHeld()")).isEqualTo(BigInteger.valueOf(300));
            assertThat(quirky.tokenBalance(ALICE)).as("nothing left Alice").isEqualTo(BigInteger.valueOf(700));

            quirky.ok(quirky.send(DEPLOYER, quirky.token, "setMode(uint8)", new org.web3j.abi.datatypes.generated.Uint8(0)));
            quirky.ok(quirky.send(ALICE, quirky.rollup, "deposit(uint256)", uint(500)));
            assertThat(quirky.viewUint(quirky.rollup, "tokenHeld()")).isEqualTo(BigInteger.valueOf(800));
            assertThat(quirky.tokenBalance(quirky.rollup)).isEqualTo(BigInteger.valueOf(800));
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
        assertReverted(l1.send(ALICE, l1.rollup, "requestForcedWithdrawal(uint256)", uint(1)), "RollupFrozen(uint64)");
        assertReverted(l1.send(ALICE, l1.rollup, "requestForcedCancel(bytes32)", b32(new byte[32])), "RollupFrozen(uint64)");
        assertReverted(configure(GOVERNANCE, 100_000), "RollupFrozen(uint64)");
        assertReverted(l1.finalizeBatches(1), "RollupFrozen(uint64)");
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

    /** An op is overdue only after its deadline (enqueue time + forceDelay): at the deadline itself the rollup does not freeze. */
    @Test
    void test_freeze_atTheDeadlineItself_isRefused_andOneSecondLaterFreezesOnGenesis() {
        l1.fund(ALICE, 1_000);
        byte[] d0 = l1.deposit(ALICE, 300);
        long enqueued = java.nio.ByteBuffer.wrap(d0, 9, 8).getLong();
        l1.advance(enqueued + FORCE_DELAY - l1.now);
        assertReverted(l1.send(STRANGER, l1.rollup, "freeze(bytes)", new DynamicBytes(d0)), "NotOverdue(uint64,uint256,uint256)");
        l1.advance(1);
        Log f = event(l1.ok(l1.send(STRANGER, l1.rollup, "freeze(bytes)", new DynamicBytes(d0))), "Frozen(uint64,bytes32,uint64,uint256)");
        assertThat(wordBytes(f.data(), 1)).as("nothing finalized: the genesis root").isEqualTo(l1.params.genesisRoot());
        assertThat(word(f.data(), 3)).as("no deposit consumed: nothing to escape with").isZero();
    }

    /** The frozen root is the last finalized batch's, not the first's nor an unfinalized one's. */
    @Test
    void test_freeze_keepsTheLastFinalizedRoot() {
        l1.fund(ALICE, 1_000);
        l1.join(PROPOSER);
        Batch first = Batch.of(l1, PROPOSER, Transitions.filler(1, 1));
        l1.ok(first.submit());
        Batch second = Batch.of(l1, PROPOSER, Transitions.filler(1, 2));
        l1.ok(second.submit());
        l1.advance(CHALLENGE_PERIOD);
        l1.ok(l1.finalizeBatches(2));
        l1.ok(Batch.of(l1, PROPOSER, Transitions.filler(1, 3)).submit()); // open when the rollup freezes
        byte[] d = l1.deposit(ALICE, 300);
        l1.advance(FORCE_DELAY + 1);
        Log f = event(l1.ok(l1.send(STRANGER, l1.rollup, "freeze(bytes)", new DynamicBytes(d))), "Frozen(uint64,bytes32,uint64,uint256)");
        assertThat(wordBytes(f.data(), 1)).isEqualTo(second.header().post());
        assertThat(word(f.data(), 2)).as("batches final").isEqualTo(BigInteger.TWO);
    }

    /** A refund takes what it pays out of what the rollup holds, and an index past the queue is not refundable. */
    @Test
    void test_refundDeposit_pastTheQueue_isRefused_andARefundLowersWhatTheRollupHolds() {
        l1.fund(ALICE, 1_000);
        byte[] d0 = l1.deposit(ALICE, 300);
        long t0 = java.nio.ByteBuffer.wrap(d0, 9, 8).getLong();
        l1.advance(FORCE_DELAY + 1);
        l1.ok(l1.send(STRANGER, l1.rollup, "freeze(bytes)", new DynamicBytes(d0)));
        assertReverted(l1.send(STRANGER, l1.rollup, "refundDeposit(uint64,uint64,address,uint64)", u64(1), u64(t0), addr(ALICE), u64(300)),
                "NotRefundable(uint64)");
        l1.ok(l1.send(STRANGER, l1.rollup, "refundDeposit(uint64,uint64,address,uint64)", u64(0), u64(t0), addr(ALICE), u64(300)));
        assertThat(l1.viewUint(l1.rollup, "tokenHeld()")).isZero();
        assertThat(l1.tokenBalance(ALICE)).isEqualTo(BigInteger.valueOf(1_000));
    }

    /**
     * The dispute game's calls act only on a live batch (this submission, not final, not rejected):
     * a note on a finalized batch changes nothing, and a rejection of one, or of an earlier
     * submission at the same index, is refused, whatever the game asks.
     */
    @Test
    void test_disputeGameCalls_onABatchNoLongerLive_changeNothing() {
        l1.join(PROPOSER);
        l1.ok(Batch.of(l1, PROPOSER, Transitions.filler(1, 1)).submit()); // batch 0, submission 1
        l1.advance(CHALLENGE_PERIOD);
        l1.ok(l1.finalizeBatches(1));
        ExecutionResult note = l1.ok(l1.send(l1.game, l1.rollup, "noteDispute(uint64,uint64,bool)", u64(0), u64(1),
                new org.web3j.abi.datatypes.Bool(true)));
        assertThat(events(note, "DisputesOpen(uint64,uint64,uint32)")).as("a finalized batch takes no dispute").isEmpty();
        assertReverted(l1.send(l1.game, l1.rollup, "rejectBatch(uint64,uint64,address)", u64(0), u64(1), addr(STRANGER)),
                "BatchNotFinal(uint64,uint64)");
        l1.ok(Batch.of(l1, PROPOSER, Transitions.filler(1, 2)).submit()); // batch 1, submission 2
        assertReverted(l1.send(l1.game, l1.rollup, "rejectBatch(uint64,uint64,address)", u64(1), u64(1), addr(STRANGER)),
                "BatchNotFinal(uint64,uint64)");
        assertThat(l1.nextBatchIndex()).isEqualTo(2);
        assertThat(l1.ethCredit(STRANGER)).isZero();
        ExecutionResult live = l1.ok(l1.send(l1.game, l1.rollup, "noteDispute(uint64,uint64,bool)", u64(1), u64(2),
                new org.web3j.abi.datatypes.Bool(true)));
        assertThat(events(live, "DisputesOpen(uint64,uint64,uint32)")).hasSize(1);

        // the live one is rejected: the tip rewinds, the bond is slashed, the challenger credited its share, the rest burnt
        Log rejected = event(l1.ok(l1.send(l1.game, l1.rollup, "rejectBatch(uint64,uint64,address)", u64(1), u64(2), addr(STRANGER))),
                "BatchesRejected(uint64,uint64,address,address,uint256,uint256)");
        BigInteger burn = PROPOSER_BOND.multiply(BigInteger.valueOf(BURN_PERCENT)).divide(BigInteger.valueOf(100));
        assertThat(word(rejected.data(), 0)).as("previousNext").isEqualTo(BigInteger.TWO);
        assertThat(word(rejected.data(), 1)).as("reward").isEqualTo(PROPOSER_BOND.subtract(burn));
        assertThat(word(rejected.data(), 2)).as("burnt").isEqualTo(burn);
        assertThat(l1.ethCredit(STRANGER)).isEqualTo(PROPOSER_BOND.subtract(burn));
        assertThat(l1.viewUint(l1.rollup, "burnt()")).isEqualTo(burn);
        assertThat(l1.nextBatchIndex()).isOne();
        // the whole bond was slashed: leaving credits nothing, and says nothing was credited
        ExecutionResult left = l1.ok(l1.send(PROPOSER, l1.rollup, "leaveProposers()"));
        assertThat(events(left, "EthCredited(address,uint256)")).isEmpty();
        assertThat(l1.ethCredit(PROPOSER)).isZero();
    }

    /**
     * Alice deposits 300, which a finalized batch consumes, then 200 that no batch consumes; the
     * rollup is frozen once that deposit is overdue: the escape pool is the 300 of the final state.
     */
    private static void frozenWithAnEscapePoolOf300(L1Fixture f) {
        f.fund(ALICE, 1_000);
        byte[] d0 = f.deposit(ALICE, 300);
        f.join(PROPOSER);
        f.ok(Batch.of(f, PROPOSER, List.of(d0)).submit());
        f.advance(CHALLENGE_PERIOD);
        f.ok(f.finalizeBatches(1));
        byte[] d1 = f.deposit(ALICE, 200);
        f.advance(FORCE_DELAY + 1);
        f.ok(f.send(STRANGER, f.rollup, "freeze(bytes)", new DynamicBytes(d1)));
    }

    /** An escape the hatch pays leaves the rollup's holdings and the escape pool, and says so. */
    @Test
    void test_releaseEscape_paysFromThePoolAndLowersWhatTheRollupHolds() {
        frozenWithAnEscapePoolOf300(l1);
        ExecutionResult paid = l1.ok(l1.send(l1.hatch, l1.rollup, "releaseEscape(address,uint256)", addr(BOB), uint(120)));
        Log e = event(paid, "EscapePaid(address,uint256)");
        assertThat(word(e.data(), 0)).isEqualTo(BigInteger.valueOf(120));
        assertThat(l1.tokenBalance(BOB)).isEqualTo(BigInteger.valueOf(120));
        assertThat(l1.viewUint(l1.rollup, "tokenHeld()")).as("500 deposited, 120 paid").isEqualTo(BigInteger.valueOf(380));
        assertThat(l1.viewUint(l1.rollup, "escapeRemaining()")).isEqualTo(BigInteger.valueOf(180));
    }

    /**
     * A payment of nothing moves no tokens, so collateral that refuses zero-value transfers (some
     * real tokens do) cannot block it: once the escape pool is dry, an escape pays 0 and says so
     * instead of reverting, and the rollup's holdings stay what they were.
     */
    @Test
    void test_aPaymentOfNothing_isNotSentToTheToken_soCollateralThatRefusesZeroTransfersCannotBlockIt() {
        try (L1Fixture quirky = new L1Fixture(L1Fixture.Params.defaults(), "QuirkyToken")) {
            quirky.ok(quirky.send(DEPLOYER, quirky.token, "setMode(uint8)", new org.web3j.abi.datatypes.generated.Uint8(3)));
            frozenWithAnEscapePoolOf300(quirky);
            quirky.ok(quirky.send(quirky.hatch, quirky.rollup, "releaseEscape(address,uint256)", addr(BOB), uint(300)));
            assertThat(quirky.viewUint(quirky.rollup, "escapeRemaining()")).as("the pool is dry").isZero();

            ExecutionResult nothing = quirky.ok(quirky.send(quirky.hatch, quirky.rollup, "releaseEscape(address,uint256)",
                    addr(STRANGER), uint(50)));
            assertThat(word(event(nothing, "EscapePaid(address,uint256)").data(), 0)).isZero();
            assertThat(quirky.tokenBalance(STRANGER)).isZero();
            assertThat(quirky.viewUint(quirky.rollup, "tokenHeld()")).as("the unconsumed 200 stay held").isEqualTo(BigInteger.valueOf(200));
        }
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
