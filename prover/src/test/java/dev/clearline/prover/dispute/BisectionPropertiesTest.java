package dev.clearline.prover.dispute;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.stf.Reject;
import dev.clearline.prover.replay.Verdict;
import dev.clearline.prover.replay.VerdictText;
import dev.clearline.prover.trace.StepCallAbi;
import dev.clearline.prover.trace.StepVm;
import org.junit.jupiter.api.Test;

/**
 * The defender's cut points are the contract's ({@code lo + len * j / parts}, docs/protocol.md 7.4),
 * and a challenger that names the first part whose end root differs from its own narrows any lie
 * down to the first wrong step in ceil(log_k n) rounds.
 */
class BisectionPropertiesTest {
    @Test
    void cutsSplitTheSegmentIntoStrictlyIncreasingNonEmptyParts() {
        Property.forAll(Gens.ints(0, 1 << 20), Gens.ints(2, 1 << 20)).tries(2_000).check((lo, len) -> {
            for (int arity : new int[] {2, 3, 16, 256}) {
                int parts = Math.min(arity, len);
                assertThat(Defender.cut(lo, len, parts, 0)).isEqualTo(lo);
                assertThat(Defender.cut(lo, len, parts, parts)).isEqualTo(lo + len);
                for (int j = 1; j <= parts; j++) assertThat(Defender.cut(lo, len, parts, j)).isGreaterThan(Defender.cut(lo, len, parts, j - 1));
                assertThat(Defender.cutRoots(lo, lo + len, arity, BisectionPropertiesTest::root)).hasSize(parts - 1);
            }
        });
    }

    /**
     * The challenger's real choice ({@link Challenger#choose}) against a liar whose roots are honest up to
     * {@code firstWrong} transitions and false after it, over every arity the game may use: the segment
     * narrows to [firstWrong - 1, firstWrong), the one step whose pre-state is honest and whose post-state is
     * not, within ceil(log_k n) rounds, and at every round the chosen part is the first one whose end root the
     * replay disputes (a choice one part later or earlier, or the last part always, ends on a step with an
     * honest pre- and post-root or a dishonest pre-root: a lost one-step proof).
     */
    @Test
    void theChallengersChoiceEndsAtTheFirstWrongStep() {
        Property.forAll(Gens.ints(1, 5_000), Gens.ints(0, 1_000_000)).tries(500).check((n, seed) -> {
            int firstWrong = 1 + seed % n; // the liar's roots after 0 .. firstWrong - 1 transitions are honest
            Claims lies = prefix -> prefix < firstWrong ? root(prefix) : ByteBuffer.allocate(32).putInt(0, -1).putInt(4, prefix).array();
            HonestRoots replay = (prefix, claimed) -> Arrays.equals(claimed, root(prefix));
            for (int arity : new int[] {2, 3, 16}) {
                int lo = 0, hi = n, rounds = 0;
                while (hi - lo > 1) {
                    List<byte[]> roots = Defender.cutRoots(lo, hi, arity, lies);
                    GameView g = game(lo, hi, lies.rootAfter(lo), lies.rootAfter(hi));
                    int parts = roots.size() + 1, len = hi - lo;
                    int s = Challenger.choose(g, roots, replay);
                    assertThat(s).isBetween(0, parts - 1);
                    int newLo = Defender.cut(lo, len, parts, s);
                    int newHi = Defender.cut(lo, len, parts, s + 1);
                    assertThat(newLo).as("the chosen part starts on an honest root").isLessThan(firstWrong);
                    assertThat(newHi).as("and ends on a disputed one").isGreaterThanOrEqualTo(firstWrong);
                    lo = newLo;
                    hi = newHi;
                    rounds++;
                }
                assertThat(lo).isEqualTo(firstWrong - 1);
                assertThat(rounds).isLessThanOrEqualTo((int) Math.ceil(Math.log(n) / Math.log(arity)) + 1);
            }
        });
    }

    @Test
    void aClockAtZeroMayBeClaimedAndOneSecondLeftMayNot() {
        assertThat(clock(1).clockRanOut()).isFalse();
        assertThat(clock(0).clockRanOut()).isTrue();
        assertThat(clock(-1).clockRanOut()).isTrue();
    }

    /**
     * The challenger sends its one-step proof only when the replayed call ends the game for it: the step
     * refuses the transition, or returns a post-root other than the proposer's. A step that agrees with the
     * proposer, or a call that reverts, would cost the challenger its bond.
     */
    @Test
    void aOneStepProofIsSentOnlyWhenItsReplayBeatsTheProposersRoot() {
        byte[] claimed = root(7);
        assertThat(Challenger.wins(outcome(root(7), 0), claimed)).as("the step agrees with the proposer").isFalse();
        assertThat(Challenger.wins(outcome(root(8), 0), claimed)).as("another post-root").isTrue();
        assertThat(Challenger.wins(outcome(root(7), 3), claimed)).as("the step refuses the transition").isTrue();
        assertThat(Challenger.wins(new StepVm.Outcome(Optional.empty(), Optional.of("InvalidWitness()"), 90_000), claimed))
                .as("the call reverts").isFalse();
    }

    /**
     * The watcher bonds only on fraud a one-step proof wins: a refused or undecodable step, or a post-root the
     * steps do not reach. A batch on another pre-root builds on an earlier wrong batch (that one is challenged
     * and this one falls with it), and a header that disagrees with its calldata never reaches L1.
     */
    @Test
    void onlyFraudAOneStepProofWinsIsChallenged() {
        Hash32 a = Hash32.fromHex("0x" + "01".repeat(32));
        Hash32 b = Hash32.fromHex("0x" + "02".repeat(32));
        assertThat(Watcher.provable(VerdictText.of(new Verdict.RejectedStep(3, 1, Reject.OVERFILL)))).isTrue();
        assertThat(Watcher.provable(VerdictText.of(new Verdict.Undecodable(3, 1, 40, "size must be below 2^63")))).isTrue();
        assertThat(Watcher.provable(VerdictText.of(new Verdict.WrongPostRoot(3, a, b)))).isTrue();
        assertThat(Watcher.provable(VerdictText.of(new Verdict.WrongPrevRoot(3, a, b)))).isFalse();
        assertThat(Watcher.provable(VerdictText.of(new Verdict.HeaderMismatch(3, "transitionCount", "5", "4")))).isFalse();
        assertThat(Watcher.provable(VerdictText.of(new Verdict.Honest(3, a)))).isFalse();
    }

    private static StepVm.Outcome outcome(byte[] postRoot, int reject) {
        return new StepVm.Outcome(Optional.of(new StepCallAbi.Result(postRoot, reject, false, 0, new byte[32])), Optional.empty(), 50_000);
    }

    private static GameView game(int lo, int hi, byte[] loRoot, byte[] hiRoot) {
        return new GameView(1, 0, 0, GameView.ACTIVE, "0xc", "0xp", lo, hi, hi, true, 100, loRoot, hiRoot);
    }

    private static GameView clock(long secondsLeft) {
        return new GameView(1, 0, 0, GameView.ACTIVE, "0xc", "0xp", 0, 8, 8, true, secondsLeft, root(0), root(8));
    }

    /** The honest root after {@code prefix} transitions (any injective stand-in). */
    static byte[] root(int prefix) {
        return ByteBuffer.allocate(32).putInt(28, prefix).array();
    }
}
