package dev.clearline.sequencer.poster;

import dev.clearline.engine.transition.Transition;
import dev.clearline.prover.l1.RollupLog;
import dev.clearline.prover.replay.Replayer;
import dev.clearline.sequencer.l1.SequencerLink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Carries the rollup's priority queue (deposits, market listings, forced withdrawals and cancels)
 * into the sequencer's log, in queue order, each op once: it reads {@code PriorityOpEnqueued}
 * events from L1 (after {@code confirmations} blocks) and submits every op from the index the
 * sequencer expects next. The sequencer's next sealed batch then consumes them, so an op waits
 * about one batch interval plus one posting, far inside the rollup's force delay.
 *
 * <p>Restart-safe: it asks the sequencer where it stands and rescans L1 from the deployment block;
 * an op the sequencer already consumed is not sent again, and if one were, the STF would refuse it
 * by its index.
 */
public final class PriorityOpFeed {
    private static final Logger log = LoggerFactory.getLogger(PriorityOpFeed.class);

    private final RollupLog rollup;
    private final SequencerLink sequencer;
    private final int confirmations;
    private long scanFrom;
    private long nextIndex = -1;
    /** How many ops the logs read so far held (the highest index seen, plus one). */
    private long queueSeen;
    /** Enqueue time of every op seen and not yet known to be consumed on L1, by index (for the deadline watch). */
    private final TreeMap<Long, Long> enqueuedAt = new TreeMap<>();

    public PriorityOpFeed(RollupLog rollup, SequencerLink sequencer, long fromBlock, int confirmations) {
        this.rollup = rollup;
        this.sequencer = sequencer;
        this.scanFrom = fromBlock;
        this.confirmations = confirmations;
    }

    /** Reads new ops from L1 and submits those the sequencer has not consumed; returns how many it submitted. */
    public int poll() throws IOException {
        if (nextIndex < 0) nextIndex = sequencer.priorityOpsConsumed();
        long head = rollup.latestBlock() - confirmations;
        if (head < scanFrom) return 0;
        int submitted = 0;
        for (Transition t : rollup.priorityOps(scanFrom, head)) {
            if (!(t instanceof Transition.PriorityOp op)) throw new IOException("the queue holds a non-priority transition: " + t);
            queueSeen = Math.max(queueSeen, op.priorityIndex() + 1);
            if (op.priorityIndex() < nextIndex) continue;
            if (op.priorityIndex() > nextIndex) {
                throw new IOException("L1 priority op " + op.priorityIndex() + " arrived while the sequencer expects " + nextIndex
                        + "; rescan from an earlier block (the deployment block)");
            }
            enqueuedAt.put(op.priorityIndex(), op.enqueueTime());
            Optional<String> reject = sequencer.submit(op);
            if (reject.isPresent()) {
                long consumed = sequencer.priorityOpsConsumed();
                if (consumed <= op.priorityIndex()) {
                    throw new IOException("the sequencer refused L1 priority op " + op.priorityIndex() + " (" + reject.get()
                            + ") and did not consume it: the queue is stuck until an operator looks");
                }
            }
            log.info("event=priority_op_sequenced index={} type={}", op.priorityIndex(), op.type());
            nextIndex = op.priorityIndex() + 1;
            submitted++;
        }
        // A load-balanced RPC may answer the log query from a node a block behind, with no logs for the newest blocks and
        // no error. Moving past them would lose an op for good: the next one would arrive out of order and the queue would
        // stall until a freeze. So the range counts as read only when the rollup's own queue at its last block agrees. A
        // range that ends many confirmations back is settled on every node (and its state may be pruned): not asked.
        long queued = confirmations > Replayer.RECENT_BLOCKS ? queueSeen : rollup.queueLengthAt(head);
        if (queued != queueSeen) {
            throw new IOException("the node's logs up to block " + head + " hold " + queueSeen + " priority op(s) but the rollup's queue holds "
                    + queued + " there: a node behind the others answered the log query; reading them again");
        }
        scanFrom = head + 1;
        return submitted;
    }

    /** The enqueue time of the oldest op with index {@code >= consumedOnL1}, if this feed saw one. */
    public Optional<Long> oldestUnconsumed(long consumedOnL1) {
        enqueuedAt.headMap(consumedOnL1).clear();
        return enqueuedAt.isEmpty() ? Optional.empty() : Optional.of(enqueuedAt.firstEntry().getValue());
    }

    public long nextIndex() {
        return nextIndex;
    }
}
