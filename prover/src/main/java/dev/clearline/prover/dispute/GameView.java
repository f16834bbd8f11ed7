package dev.clearline.prover.dispute;

import java.math.BigInteger;

/**
 * A dispute game as L1 holds it now (docs/protocol.md section 7).
 *
 * @param status 1 active, 2 challenger won, 3 proposer won, 4 obsolete
 * @param challengerToMove whose turn it is (the clock word's bit 192)
 * @param secondsLeft the side to move's time left at the latest block
 */
public record GameView(long gameId, long batchIndex, long submissionId, int status, String challenger, String proposer, int lo,
                       int hi, int transitionCount, boolean challengerToMove, long secondsLeft, byte[] loRoot, byte[] hiRoot) {
    public static final int ACTIVE = 1;
    public static final int CHALLENGER_WON = 2;
    public static final int PROPOSER_WON = 3;
    public static final int OBSOLETE = 4;

    public boolean active() {
        return status == ACTIVE;
    }

    /**
     * The side to move has no time left: the other side may claim the game ({@code timeout}). The
     * contract allows it once the clock reads zero, so waiting a second longer only gives the
     * late side a chance to move.
     */
    public boolean clockRanOut() {
        return secondsLeft <= 0;
    }

    static boolean challengerToMove(BigInteger clock) {
        return clock.testBit(192);
    }

    public static String statusName(int status) {
        return switch (status) {
            case ACTIVE -> "active";
            case CHALLENGER_WON -> "challenger-won";
            case PROPOSER_WON -> "proposer-won";
            case OBSOLETE -> "obsolete";
            default -> "none";
        };
    }
}
