package dev.clearline.cli;

import dev.clearline.prover.replay.Replayer;
import java.util.function.LongConsumer;

/**
 * `deposit --wait`: polls the sequencer until it has consumed L1's priority op {@code index} (the
 * deposit credited on L2), so that a script's next order can spend it. The waits are counted, not
 * clocked: {@code polls} of {@code everyMillis} each at most, the sequencer asked before each.
 */
final class CreditWait {
    /** How many of L1's priority ops the sequencer has consumed (GET /state's {@code priorityOpsConsumed}). */
    interface Consumed {
        long now();
    }

    private CreditWait() {}

    /**
     * Whether op {@code index} was consumed within {@code polls} asks; {@code progress} hears the count now and then
     * (every {@code reportEvery} asks), for a line that shows the wait is alive.
     */
    static boolean await(Consumed sequencer, long index, int polls, long everyMillis, int reportEvery, LongConsumer progress,
                         Replayer.Sleeper pause) throws InterruptedException {
        for (int ask = 1; ask <= polls; ask++) {
            long consumed = sequencer.now();
            if (consumed > index) return true;
            if (ask % reportEvery == 0) progress.accept(consumed);
            if (ask < polls) pause.sleep(everyMillis);
        }
        return false;
    }
}
