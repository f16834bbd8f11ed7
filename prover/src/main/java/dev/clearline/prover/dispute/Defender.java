package dev.clearline.prover.dispute;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proposer's side of a game against one of its batches: on its turn it splits the disputed
 * segment at the cut points and posts the roots it stands by there; when the challenger's clock
 * has run out it claims the timeout. It never needs to prove a step: an honest batch's roots are
 * right everywhere, so the challenger's one-step proof can only agree with them.
 */
public final class Defender {
    private static final Logger LOG = LoggerFactory.getLogger(Defender.class);
    private final DisputeL1 l1;
    private final int arity;

    public Defender(DisputeL1 l1, int arity) {
        this.l1 = l1;
        this.arity = arity;
    }

    /** Makes this side's move in {@code g} if there is one; true when a transaction was sent. */
    public boolean move(GameView g, Claims claims) throws IOException {
        if (!g.active() || !g.proposer().equals(l1.account())) return false;
        if (g.challengerToMove()) {
            if (!g.clockRanOut()) return false;
            LOG.info("event=claim-timeout game={} batch={} side=proposer", g.gameId(), g.batchIndex());
            l1.timeout(g.gameId());
            return true;
        }
        List<byte[]> roots = cutRoots(g.lo(), g.hi(), arity, claims);
        LOG.info("event=bisect game={} batch={} lo={} hi={} roots={}", g.gameId(), g.batchIndex(), g.lo(), g.hi(), roots.size());
        l1.bisect(g.gameId(), roots);
        return true;
    }

    /** The roots at the inner cut points of [lo, hi): {@code lo + (hi - lo) * j / parts}, j = 1 .. parts - 1. */
    static List<byte[]> cutRoots(int lo, int hi, int arity, Claims claims) {
        int len = hi - lo;
        int parts = Math.min(arity, len);
        List<byte[]> roots = new ArrayList<>(parts - 1);
        for (int j = 1; j < parts; j++) roots.add(claims.rootAfter(cut(lo, len, parts, j)));
        return roots;
    }

    static int cut(int lo, int len, int parts, int j) {
        return (int) (lo + (long) len * j / parts);
    }
}
