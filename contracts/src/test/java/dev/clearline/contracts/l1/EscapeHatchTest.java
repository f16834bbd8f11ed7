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
    static final StateTree.Market MARKET = new StateTree.Market(1, 10, 100_000, 50_000, 0, 0, Address.ofLong(0x0c), 1_000, 5, 1, 0);
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
        l1.close();
    }

    @Test
    void test_escapes_beforeAFreeze_revert() {
        assertReverted(world.escapeBalance(ANYONE, A), "NotFrozen()");
        assertReverted(world.reportBadDebt(ANYONE, C), "NotFrozen()");
        assertThat(l1.viewUint(l1.hatch, "claimWindowEnd()")).isZero();
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
}
