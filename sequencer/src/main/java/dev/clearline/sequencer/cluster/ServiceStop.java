package dev.clearline.sequencer.cluster;

/**
 * Why a member's service stopped applying the log. After a stop it applies nothing more, so the
 * process running the node should exit and say {@link #why()}: a member that carried on would
 * either diverge from the others or serve a state nobody can vouch for.
 *
 * @param finding what happened (which setting differs and both values, which command failed), without advice: a
 *                program that runs the node in its own way ({@code ./clearline up}) says what to do in its terms
 * @param advice  what the operator of a node started with {@code ./clearline sequencer} does about it
 */
public record ServiceStop(Cause cause, String finding, String advice) {

    /** What happened and what a node's operator does about it. */
    public String why() {
        return finding + ". " + advice;
    }

    public enum Cause {
        /** This member's settings differ from the fingerprint the leader put in the log, or from the genesis its snapshot was made with. */
        CONFIG_MISMATCH,
        /**
         * Applying a committed command threw. User errors are replies, never exceptions, so this is
         * a bug; every replica meets the same command at the same position, so the cluster stops
         * rather than skipping it and risking a half-applied state.
         */
        APPLY_FAILED,
        /**
         * The snapshot this member started from does not load (damaged, or written by a build whose
         * image this one does not read). It stops rather than start from nothing, which would diverge
         * from the log; {@code --drop-latest-snapshot} makes it start from the snapshot before (or the
         * whole log) instead.
         */
        SNAPSHOT_UNREADABLE,
        /**
         * The log holds commands taken under other rules ({@code RulesVersion}) than this member's build applies: a
         * term led by a member of another build, or the log after a snapshot made by one. Applied under these rules
         * they could give other outcomes than those acknowledged and posted, so it stops before the first.
         */
        RULES_MISMATCH
    }
}
