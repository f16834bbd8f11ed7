package dev.clearline.contracts.l1;

import static dev.clearline.contracts.l1.L1Fixture.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.contracts.l1.FrozenWorld.Account;
import dev.clearline.contracts.l1.FrozenWorld.Withdrawal;
import dev.clearline.evm.Address;
import dev.clearline.evm.ExecutionResult;
import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** EscapeHatch and the rollup's frozen mode, on a real state tree that holds bad debt. */
class EscapeHatchTest {
    static final Address ALICE = Address.ofLong(0xa11ce);
    static final Address BOB = Address.ofLong(0xb0b);
    static final Address CAROL = Address.ofLong(0xca401);
    static final Address ERIN = Address.ofLong(0xe41);
    static final Address ANYONE = Address.ofLong(0xa4e);

    /** Lot 10, mark 1,000 per lot, market funding index 5. */
    static final StateTree.Market MARKET = new StateTree.Market(1, 10, 100_000, 50_000, 0, 0, 20_000, Address.ofLong(0x0c), 1_000, 5, 1, 0);
    // Alice: 300 free. Bob: long 2 lots, equity 100 - 2*5 + 2*1000 = 2,090. Carol: short 2 lots,
    // equity 1,500 + 2*5 - 2,000 = -490 (bad debt). Erin: a finalized withdrawal of 50.
    static final Account A = new Account(ALICE, 300, 0, 0, 0);
    static final Account B = new Account(BOB, 0, 2, 100, 0);
    static final Account C = new Account(CAROL, 0, -2, 1_500, 0);
    static final Withdrawal W = new Withdrawal(0, ERIN, 50);

    final L1Fixture l1 = new L1Fixture();
    final FrozenWorld world = new FrozenWorld(l1, MARKET, List.of(A, B, C), List.of(W));

    @AfterEach
    void close() {
        l1.close(); // the fixture's world holds native memory
    }

    /** A hatch without a claim window would end escapes as they begin: refused at deployment; one second is kept. */
    @Test
    void test_constructor_refusesANoClaimWindow_andKeepsTheShortestOne() {
        ExecutionResult none = l1.tryDeploy("EscapeHatch", List.of(addr(l1.rollup), u64(0)));
        assertReverted(none, "BadHatchParameter(string)");
        assertThat(revertArgs(none)).containsExactly("claimWindow");
        ExecutionResult shortest = l1.ok(l1.tryDeploy("EscapeHatch", List.of(addr(l1.rollup), u64(1))));
        assertThat(l1.viewUint(shortest.contractAddress(), "claimWindow()")).isOne();
        assertThat(l1.viewUint(l1.hatch, "claimWindow()")).isEqualTo(CLAIM_WINDOW);
    }

    @Test
    void test_escapes_beforeAFreeze_revert() {
        assertReverted(world.escapeBalance(ANYONE, A), "NotFrozen()");
        assertReverted(world.reportBadDebt(ANYONE, C), "NotFrozen()");
        assertThat(l1.viewUint(l1.hatch, "claimWindowEnd()")).isZero();
        assertThat(l1.viewUint(l1.hatch, "remainderSweepAt()")).isZero();
        assertReverted(world.sweepRemainder(ANYONE), "NotFrozen()");
        assertReverted(world.reportFundBalance(ANYONE, A), "NotFrozen()");
    }

    @Test
    void test_frozenStateWithBadDebt_sharesTheLossProRata_andTheBalanceCoversEveryClaim() {
        ExecutionResult frozen = world.freeze();
        BigInteger pool = word(event(frozen, "Frozen(uint64,bytes32,uint64,uint256)").data(), 3);
        assertThat(pool).isEqualTo(BigInteger.valueOf(world.deposited)); // the late deposit is not in it
        assertThat(world.deposited).isEqualTo(300 + 2_090 - 490 + 50);

        // During the claim window: escapes wait, bad debt is reported, refunds are paid at once.
        assertReverted(world.escapeBalance(ANYONE, A), "ClaimWindowOpen(uint256)");
        assertReverted(world.claimWithdrawal(ANYONE, W), "ClaimWindowOpen(uint256)");
        assertReverted(world.reportBadDebt(ANYONE, B), "NotBadDebt(int256)");
        ExecutionResult reported = l1.ok(world.reportBadDebt(ANYONE, C));
        assertThat(word(event(reported, "BadDebtReported(address,uint32,uint256,uint256)").data(), 0)).isEqualTo(BigInteger.valueOf(490));
        assertReverted(world.reportBadDebt(ANYONE, C), "LeafAlreadyUsed(bytes32)");
        event(l1.ok(world.refundLateDeposit(ANYONE)), "DepositRefunded(uint64,address,uint64)");
        assertThat(l1.tokenBalance(FrozenWorld.LATE)).isEqualTo(BigInteger.valueOf(world.lateDeposit));

        l1.advance(CLAIM_WINDOW);
        assertReverted(world.reportBadDebt(ANYONE, C), "ClaimWindowClosed(uint256)");
        BigInteger claims = BigInteger.valueOf(300 + 2_090 + 50);
        BigInteger denominator = pool.add(BigInteger.valueOf(490));
        assertThat(claims).isEqualTo(denominator);

        ExecutionResult alice = l1.ok(world.escapeBalance(ANYONE, A));
        assertThat(word(event(alice, "BalanceEscaped(address,uint64,uint256)").data(), 1))
                .isEqualTo(BigInteger.valueOf(300).multiply(pool).divide(denominator));
        assertThat(alice.gasUsed()).isLessThan(300_000);
        assertReverted(world.escapeBalance(ANYONE, A), "LeafAlreadyUsed(bytes32)");
        ExecutionResult bob = l1.ok(world.escapePosition(ANYONE, B));
        assertThat(word(event(bob, "PositionEscaped(address,uint32,int256,uint256)").data(), 0)).isEqualTo(BigInteger.valueOf(2_090));
        assertThat(bob.gasUsed()).isLessThan(300_000);
        assertReverted(world.escapePosition(ANYONE, C), "LeafAlreadyUsed(bytes32)");
        ExecutionResult erin = l1.ok(world.claimWithdrawal(ANYONE, W));
        assertThat(word(event(erin, "WithdrawalClaimed(uint64,address,uint64,uint256)").data(), 1))
                .isEqualTo(BigInteger.valueOf(50).multiply(pool).divide(denominator));

        BigInteger paid = l1.tokenBalance(ALICE).add(l1.tokenBalance(BOB)).add(l1.tokenBalance(ERIN));
        assertThat(paid).isLessThanOrEqualTo(pool);
        assertThat(pool.subtract(paid)).as("rounding dust only").isLessThanOrEqualTo(BigInteger.valueOf(3));
        assertThat(l1.tokenBalance(l1.rollup)).isEqualTo(pool.subtract(paid));
        // Everyone was paid the same share: the last to escape like the first.
        assertThat(l1.tokenBalance(ERIN).multiply(BigInteger.valueOf(300 / 50))).isBetween(
                l1.tokenBalance(ALICE).subtract(BigInteger.valueOf(6)), l1.tokenBalance(ALICE).add(BigInteger.valueOf(6)));
    }

    @Test
    void test_escape_withAProofOfOtherValues_reverts_andTheCheckSaysWhy() {
        world.freeze();
        l1.advance(CLAIM_WINDOW);
        Account lying = new Account(ALICE, 301, 0, 0, 0);
        assertReverted(world.escapeBalance(ANYONE, lying), "InvalidEscapeProof(uint8)");
        Account richer = new Account(BOB, 0, 2, 101, 0);
        assertReverted(world.escapePosition(ANYONE, richer), "InvalidEscapeProof(uint8)");
        byte[] why = l1.view(l1.hatch, "checkBalanceEscape(address,uint64,uint64,bytes)", addr(ALICE), u64(301), u64(1),
                new org.web3j.abi.datatypes.DynamicBytes(world.tree.proof(StateTree.balanceKey(ALICE))));
        assertThat(java.util.Arrays.copyOf(why, 4)).isEqualTo(java.util.Arrays.copyOf(org.web3j.crypto.Hash.sha3("InvalidEscapeProof(uint8)".getBytes()), 4));
        byte[] fine = l1.view(l1.hatch, "checkBalanceEscape(address,uint64,uint64,bytes)", addr(ALICE), u64(300), u64(1),
                new org.web3j.abi.datatypes.DynamicBytes(world.tree.proof(StateTree.balanceKey(ALICE))));
        assertThat(fine).isEqualTo(new byte[32]);
    }

    /**
     * Reports are proven like escapes: a position proven with other values is refused; a position
     * worth exactly nothing is neither bad debt nor fund credit; once the window closes no report
     * is taken.
     */
    @Test
    void test_reports_areProven_aPositionWorthNothingIsNeitherDebtNorCredit_andTheWindowCloses() {
        world.freeze();
        Account moreDebt = new Account(CAROL, 0, -2, 1_000, 0); // Carol's position with less quote than the frozen root holds
        assertReverted(world.reportBadDebt(ANYONE, moreDebt), "InvalidEscapeProof(uint8)");
        assertThat(l1.viewUint(l1.hatch, "badDebt()")).isZero();
        try (L1Fixture fx = new L1Fixture()) {
            FrozenWorld w = withFund(fx, 200, 1, -1_000); // long one lot at the mark of 1,000 with quote -1,000: worth exactly 0
            Account fund = w.accounts.getLast();
            assertThat(w.equity(fund)).isZero();
            w.freeze();
            assertReverted(w.reportFundPosition(ANYONE, new Account(FUND, 200, 1, -999, MARKET.fundingIndex())), "InvalidEscapeProof(uint8)");
            assertReverted(w.reportBadDebt(ANYONE, fund), "NotBadDebt(int256)");
            assertReverted(w.reportFundPosition(ANYONE, fund), "NotFundCredit(int256)");
            fx.advance(CLAIM_WINDOW);
            assertReverted(w.reportFundPosition(ANYONE, fund), "ClaimWindowClosed(uint256)");
            assertReverted(w.reportBadDebt(ANYONE, C), "ClaimWindowClosed(uint256)");
            assertThat(fx.viewUint(fx.hatch, "fundCredit()")).isZero();
        }
    }

    static byte[] selector(String error) {
        return java.util.Arrays.copyOf(org.web3j.crypto.Hash.sha3(error.getBytes()), 4);
    }

    /**
     * A position escapes once, only after the claim window, and only in a listed market; the balance
     * check says why an escape would fail at each stage.
     */
    @Test
    void test_positionsEscapeOnceAfterTheWindowInAListedMarket_andTheCheckSaysWhyNot() {
        java.util.function.Supplier<byte[]> check = () -> java.util.Arrays.copyOf(l1.view(l1.hatch, "checkBalanceEscape(address,uint64,uint64,bytes)",
                addr(ALICE), u64(300), u64(1), new org.web3j.abi.datatypes.DynamicBytes(world.tree.proof(StateTree.balanceKey(ALICE)))), 4);
        assertThat(check.get()).isEqualTo(selector("NotFrozen()"));
        world.freeze();
        assertThat(check.get()).isEqualTo(selector("ClaimWindowOpen(uint256)"));
        assertReverted(world.escapePosition(ANYONE, B), "ClaimWindowOpen(uint256)");
        // a position in bad debt pays nothing, but escaping it in the window would use its leaf and keep its debt unreported
        assertReverted(world.escapePosition(ANYONE, C), "ClaimWindowOpen(uint256)");
        l1.ok(world.reportBadDebt(ANYONE, C));
        l1.advance(CLAIM_WINDOW);
        assertThat(check.get()).isEqualTo(new byte[4]);
        l1.ok(world.escapePosition(ANYONE, B));
        BigInteger paid = l1.tokenBalance(BOB);
        assertReverted(world.escapePosition(ANYONE, B), "LeafAlreadyUsed(bytes32)");
        assertThat(l1.tokenBalance(BOB)).as("paid once").isEqualTo(paid);
        l1.ok(world.escapeBalance(ANYONE, A));
        assertThat(check.get()).isEqualTo(selector("LeafAlreadyUsed(bytes32)"));

        // a market nobody listed has no lot size: nothing in it is proven, and its equity is the quote alone
        var zeroPosition = new org.web3j.abi.datatypes.StaticStruct(new org.web3j.abi.datatypes.generated.Int64(0),
                new org.web3j.abi.datatypes.generated.Int64(42), new org.web3j.abi.datatypes.generated.Int64(0));
        var noMarket = new org.web3j.abi.datatypes.StaticStruct(u64(0), u64(0), new org.web3j.abi.datatypes.generated.Uint32(0),
                new org.web3j.abi.datatypes.generated.Uint32(0), new org.web3j.abi.datatypes.generated.Uint32(0),
                new org.web3j.abi.datatypes.generated.Uint32(0), new org.web3j.abi.datatypes.generated.Uint32(0), addr(Address.ofLong(0)), u64(0),
                new org.web3j.abi.datatypes.generated.Int64(0), u64(0), u64(0));
        assertReverted(l1.send(ANYONE, l1.hatch, "escapePosition" + FrozenWorld.POSITION_ARGS, addr(ALICE), new org.web3j.abi.datatypes.generated.Uint32(2),
                zeroPosition, noMarket, new org.web3j.abi.datatypes.DynamicBytes(new byte[0])), "NoSuchMarket(uint32)");
        assertThat(word(l1.view(l1.hatch, "equityOf((int64,int64,int64),(uint64,uint64,uint32,uint32,uint32,uint32,uint32,address,uint64,int64,uint64,uint64))",
                zeroPosition, noMarket), 0)).isEqualTo(BigInteger.valueOf(42));
    }

    @Test
    void test_aFreeze_discardsUnfinalizedBatches_andSettlesTheirGamesAsObsolete() {
        List<byte[]> ts = Transitions.filler(2, 0);
        Header h = L1Fixture.header(1, l1.tipRoot(), new byte[32], ts, 1);
        l1.ok(l1.submit(FrozenWorld.PROPOSER, h, Transitions.concat(ts)));
        ExecutionResult challenged = l1.ok(l1.challenge(ANYONE, h));
        world.freeze();
        assertThat(l1.finalizedCount()).isOne();
        assertReverted(l1.finalizeBatches(1), "RollupFrozen(uint64)");
        long id = word(event(challenged, "Challenged(uint256,uint64,address,address,uint32)").topics().get(1).bytes(), 0).longValueExact();
        l1.ok(l1.send(ANYONE, l1.game, "settleObsolete(uint256)", new org.web3j.abi.datatypes.generated.Uint256(id)));
        assertThat(l1.gameCredit(ANYONE)).isEqualTo(CHALLENGE_BOND);
        // Proposers leave once frozen: their batches are discarded, not disputed.
        l1.ok(l1.send(FrozenWorld.PROPOSER, l1.rollup, "leaveProposers()"));
    }

    @Test
    void test_escapeHatchCalls_onlyTheHatchMayRelease() {
        world.freeze();
        assertReverted(l1.send(ANYONE, l1.rollup, "releaseEscape(address,uint256)", addr(ANYONE), uint(1)), "NotEscapeHatch(address)");
    }

    // ---------------------------------------------------------------- the insurance fund absorbs bad debt

    static final Address FUND = FrozenWorld.INSURANCE_FUND;
    static final String FUND_ERROR = "InsuranceFundLeaf(bytes32)";

    /** A world whose insurance fund holds `fundFree` free and a position of `fundLots` lots at `fundQuote` (funding settled). */
    FrozenWorld withFund(L1Fixture fixture, long fundFree, long fundLots, long fundQuote) {
        return new FrozenWorld(fixture, MARKET, List.of(A, B, C, new Account(FUND, fundFree, fundLots, fundQuote, MARKET.fundingIndex())), List.of(W));
    }

    @Test
    void test_fundCreditCoveringTheBadDebt_paysUsersInFull_andTheRemainderIsSweptAfterTheDeadline() {
        try (L1Fixture fx = new L1Fixture()) {
            // Fund: 200 free + a flat position holding quote 300 (open interest stays balanced); credit 500 >= bad debt 490.
            FrozenWorld w = withFund(fx, 200, 0, 300);
            Account fund = w.accounts.getLast();
            assertThat(w.fundCredit()).isEqualTo(BigInteger.valueOf(500));
            w.freeze();
            BigInteger pool = fx.viewUint(fx.rollup, "escapePool()");
            assertThat(pool).isEqualTo(BigInteger.valueOf(300 + 2_090 - 490 + 50 + 500));

            // The fund's leaves are never a user claim, before or after the window.
            assertReverted(w.escapeBalance(ANYONE, fund), "ClaimWindowOpen(uint256)");
            assertReverted(w.reportFundBalance(ANYONE, new Account(FUND, 201, 0, 0, 0)), "InvalidEscapeProof(uint8)");
            fx.ok(w.reportBadDebt(ANYONE, C));
            ExecutionResult freeReport = fx.ok(w.reportFundBalance(ANYONE, fund));
            assertThat(word(event(freeReport, "FundBalanceCredited(uint64,uint256)").data(), 1)).isEqualTo(BigInteger.valueOf(200));
            ExecutionResult positionReport = fx.ok(w.reportFundPosition(ANYONE, fund));
            assertThat(word(event(positionReport, "FundPositionCredited(uint32,uint256,uint256)").data(), 0)).isEqualTo(BigInteger.valueOf(300));
            assertThat(word(event(positionReport, "FundPositionCredited(uint32,uint256,uint256)").data(), 1)).isEqualTo(BigInteger.valueOf(500));
            assertReverted(w.reportFundBalance(ANYONE, fund), "LeafAlreadyUsed(bytes32)");
            assertReverted(w.reportFundPosition(ANYONE, fund), "LeafAlreadyUsed(bytes32)");
            assertReverted(w.reportBadDebt(ANYONE, fund), "LeafAlreadyUsed(bytes32)");
            assertThat(fx.viewUint(fx.hatch, "fundCredit()")).isEqualTo(BigInteger.valueOf(500));

            fx.advance(CLAIM_WINDOW);
            assertReverted(w.reportFundBalance(ANYONE, fund), "ClaimWindowClosed(uint256)");
            assertReverted(w.escapeBalance(ANYONE, fund), FUND_ERROR);
            assertReverted(w.escapePosition(ANYONE, fund), FUND_ERROR);

            // Users are paid in full: the fund absorbed the whole bad debt.
            fx.ok(w.escapeBalance(ANYONE, A));
            fx.ok(w.escapePosition(ANYONE, B));
            fx.ok(w.claimWithdrawal(ANYONE, W));
            assertThat(fx.tokenBalance(ALICE)).isEqualTo(BigInteger.valueOf(300));
            assertThat(fx.tokenBalance(BOB)).isEqualTo(BigInteger.valueOf(2_090));
            assertThat(fx.tokenBalance(ERIN)).isEqualTo(BigInteger.valueOf(50));
            BigInteger left = pool.subtract(BigInteger.valueOf(2_440));
            assertThat(left).isEqualTo(BigInteger.TEN); // the fund credit the bad debt did not need
            fx.ok(w.refundLateDeposit(ANYONE)); // refunds never touch the pool
            assertThat(fx.tokenBalance(fx.rollup)).isEqualTo(left);

            // The remainder leaves only after the final deadline, to governance, once.
            long sweepAt = fx.viewUint(fx.hatch, "remainderSweepAt()").longValueExact();
            assertThat(sweepAt).isEqualTo(fx.viewUint(fx.hatch, "claimWindowEnd()").longValueExact() + 52 * CLAIM_WINDOW);
            fx.advance(FrozenWorld.sweepDelay() - CLAIM_WINDOW - 1);
            assertReverted(w.sweepRemainder(ANYONE), "SweepNotOpen(uint256)");
            fx.advance(1);
            ExecutionResult swept = fx.ok(w.sweepRemainder(ANYONE));
            assertThat(word(event(swept, "RemainderSwept(address,uint256)").data(), 0)).isEqualTo(left);
            assertThat(fx.tokenBalance(GOVERNANCE)).isEqualTo(left);
            assertThat(fx.tokenBalance(fx.rollup)).isZero();
            assertReverted(w.sweepRemainder(ANYONE), "RemainderAlreadySwept()");
        }
    }

    @Test
    void test_fundCreditCoveringPartOfTheBadDebt_sharesOnlyTheRestProRata() {
        try (L1Fixture fx = new L1Fixture()) {
            // Fund: 100 free and an underwater flat position (quote -100): bad debt 590, credit 100.
            FrozenWorld w = withFund(fx, 100, 0, -100);
            Account fund = w.accounts.getLast();
            w.freeze();
            BigInteger pool = fx.viewUint(fx.rollup, "escapePool()");
            assertThat(pool).isEqualTo(BigInteger.valueOf(300 + 2_090 - 490 + 50 + 100 - 100));
            assertReverted(w.reportFundPosition(ANYONE, fund), "NotFundCredit(int256)");
            fx.ok(w.reportBadDebt(ANYONE, fund)); // the fund's own deficit is bad debt like any other
            fx.ok(w.reportBadDebt(ANYONE, C));
            fx.ok(w.reportFundBalance(ANYONE, fund));
            fx.advance(CLAIM_WINDOW);
            assertReverted(w.escapeBalance(ANYONE, fund), FUND_ERROR);
            byte[] why = fx.view(fx.hatch, "checkBalanceEscape(address,uint64,uint64,bytes)", addr(FUND), u64(100), u64(1),
                    new org.web3j.abi.datatypes.DynamicBytes(w.tree.proof(StateTree.balanceKey(FUND))));
            assertThat(java.util.Arrays.copyOf(why, 4)).isEqualTo(java.util.Arrays.copyOf(org.web3j.crypto.Hash.sha3(FUND_ERROR.getBytes()), 4));

            BigInteger net = BigInteger.valueOf(590 - 100);
            BigInteger denominator = pool.add(net);
            fx.ok(w.escapeBalance(ANYONE, A));
            fx.ok(w.escapePosition(ANYONE, B));
            fx.ok(w.claimWithdrawal(ANYONE, W));
            assertThat(fx.tokenBalance(ALICE)).isEqualTo(BigInteger.valueOf(300).multiply(pool).divide(denominator));
            assertThat(fx.tokenBalance(BOB)).isEqualTo(BigInteger.valueOf(2_090).multiply(pool).divide(denominator));
            // A rate strictly between the no-fund rate and one.
            assertThat(fx.tokenBalance(BOB)).isLessThan(BigInteger.valueOf(2_090))
                    .isGreaterThan(BigInteger.valueOf(2_090).multiply(pool).divide(pool.add(BigInteger.valueOf(590))));
            BigInteger paid = fx.tokenBalance(ALICE).add(fx.tokenBalance(BOB)).add(fx.tokenBalance(ERIN));
            assertThat(paid).isLessThanOrEqualTo(pool);
            assertThat(pool.subtract(paid)).as("rounding dust only").isLessThanOrEqualTo(BigInteger.valueOf(3));
        }
    }
}
