package dev.clearline.prover.replay;

import dev.clearline.prover.store.BatchRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Structured (key=value) logs: verdicts and progress at INFO, fraud, reorgs and outages at WARN. */
public final class LoggingReplayListener implements ReplayListener {
    private static final Logger LOG = LoggerFactory.getLogger("dev.clearline.prover.replay");

    @Override
    public void judged(BatchRecord b) {
        if (b.honest()) {
            LOG.info("event=batch-judged batch={} block={} tx={} verdict=\"{}\"", b.batchIndex(), b.block(), b.transactionHash(), b.verdict());
        } else {
            LOG.warn("event=fraud-found batch={} block={} tx={} verdict=\"{}\"", b.batchIndex(), b.block(), b.transactionHash(), b.verdict());
        }
    }

    @Override
    public void progress(long block, long head, long batches) {
        LOG.info("event=replay-progress block={} head={} batches={}", block, head, batches);
    }

    @Override
    public void reorg(long lostBlock, long forkBlock) {
        LOG.warn("event=l1-reorg lostBlock={} forkBlock={} action=\"re-reading from the fork point\"", lostBlock, forkBlock);
    }

    @Override
    public void unreachable(String why, long retryMillis) {
        LOG.warn("event=l1-unreachable reason=\"{}\" retryInMs={} action=\"retrying until it answers; check the RPC URL and the node\"", why, retryMillis);
    }

    @Override
    public void reachable(int failures) {
        LOG.warn("event=l1-reachable failedTries={}", failures);
    }
}
