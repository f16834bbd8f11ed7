package dev.clearline.sequencer.state;

/** What tests outside this package need to build a take-up: {@link SequencerState#asOnL1} for them. */
public final class TakeUps {
    private TakeUps() {}

    /** What L1 would give {@link SequencerState#takeUp} if it held exactly {@code s}'s sealed batches, all final. */
    public static SequencerState.L1Start allFinal(SequencerState s, long challengePeriod) {
        return s.asOnL1(new long[0], challengePeriod);
    }
}
