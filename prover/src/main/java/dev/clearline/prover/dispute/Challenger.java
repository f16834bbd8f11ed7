package dev.clearline.prover.dispute;

import dev.clearline.engine.witness.WitnessBuilder;
import dev.clearline.prover.trace.StepVm;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The challenger's side of a game against a wrong batch. The invariant it keeps: it accepts the
 * disputed segment's start root and disputes its end root. On each bisection it names the first
 * part whose end root differs from its own replay (or where its replay has no honest root, past a
 * refused transition), so the segment narrows to one transition whose pre-state is honest: the
 * first wrong step. It then builds that step's witness, replays the one-step call in the embedded
 * EVM and sends it only when the replay shows the batch losing.
 */
public final class Challenger {
    private static final Logger LOG = LoggerFactory.getLogger(Challenger.class);
    private final DisputeL1 l1;
    private final WitnessBuilder witnesses;
    private final StepVm replay;
    private final byte[] domainSeparator;
    /** The game and step of the last one-step proof held back, so the warning is logged once. */
    private String heldBack = "";
    private String heldBackWhy = "";

    public Challenger(DisputeL1 l1, WitnessBuilder witnesses, StepVm replay, byte[] domainSeparator) {
        this.l1 = l1;
        this.witnesses = witnesses;
        this.replay = replay;
        this.domainSeparator = domainSeparator.clone();
    }

    /**
     * Makes this side's move in {@code g} (a game this account opened on {@code trace}'s batch, in
     * block {@code openedAt}, from which its events are read); true when one was sent.
     */
    public boolean move(GameView g, BatchTrace trace, long openedAt) throws IOException {
        if (!g.active() || !g.challenger().equals(l1.account())) return false;
        if (!g.challengerToMove()) {
            if (!g.clockRanOut()) return false;
            LOG.info("event=claim-timeout game={} batch={} side=challenger", g.gameId(), g.batchIndex());
            l1.timeout(g.gameId());
            return true;
        }
        if (g.hi() - g.lo() == 1) return oneStep(g, trace);
        List<byte[]> roots = l1.bisection(g.gameId(), g.lo(), g.hi(), openedAt)
                .orElseThrow(() -> new IOException("game " + g.gameId() + " awaits a choice but L1 shows no bisection of ["
                        + g.lo() + ", " + g.hi() + ")"));
        int segment = choose(g, roots, trace);
        LOG.info("event=choose game={} batch={} lo={} hi={} segment={}", g.gameId(), g.batchIndex(), g.lo(), g.hi(), segment);
        l1.choose(g.gameId(), roots, segment);
        return true;
    }

    /**
     * Whether the one-step call, as replayed, ends the game for the challenger: the step refuses the
     * transition, or it returns a post-root other than the one the proposer stands by. A call that
     * reverts (a witness the verifier does not accept) or agrees with {@code hiRoot} would lose the bond.
     */
    static boolean wins(StepVm.Outcome replayed, byte[] hiRoot) {
        return replayed.result().map(s -> s.reject() != 0 || !Arrays.equals(s.postRoot(), hiRoot)).orElse(false);
    }

    /** Why the last one-step proof was held back (empty when none was). */
    public String heldBack() {
        return heldBackWhy;
    }

    /** The first part whose end root this replay disputes (the last part's end is the game's hiRoot). */
    static int choose(GameView g, List<byte[]> roots, HonestRoots trace) {
        int parts = roots.size() + 1;
        int len = g.hi() - g.lo();
        for (int s = 0; s < parts; s++) {
            byte[] end = s < parts - 1 ? roots.get(s) : g.hiRoot();
            if (!trace.agrees(Defender.cut(g.lo(), len, parts, s + 1), end)) return s;
        }
        // Unreachable while the invariant holds (the segment's end root is disputed): take the last part.
        return parts - 1;
    }

    private boolean oneStep(GameView g, BatchTrace trace) throws IOException {
        int step = g.lo();
        byte[] transition = trace.transition(step);
        byte[] witness = trace.witness(witnesses, step);
        StepVm.Outcome r = replay.step(g.loRoot(), transition, witness, g.batchIndex(), domainSeparator);
        // A consumed priority op's hash needs no check here: the rollup admits a batch only when its
        // priority ops are the queue's, byte for byte.
        if (!wins(r, g.hiRoot())) {
            String at = g.gameId() + "/" + step;
            if (at.equals(heldBack)) return false;
            heldBack = at;
            heldBackWhy = "step " + step + ": " + r;
            LOG.warn("event=one-step-would-lose game={} batch={} step={} replay=\"{}\" action=not-sent", g.gameId(), g.batchIndex(), step, r);
            return false;
        }
        LOG.info("event=one-step game={} batch={} step={} reject={} gasReplayed={}", g.gameId(), g.batchIndex(), step,
                r.result().orElseThrow().reject(), r.gasUsed());
        l1.oneStep(g.gameId(), transition, trace.inclusionProof(step), witness);
        return true;
    }
}
