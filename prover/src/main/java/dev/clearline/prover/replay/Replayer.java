package dev.clearline.prover.replay;

import dev.clearline.engine.stf.Stf;
import dev.clearline.prover.l1.RollupLog;
import dev.clearline.prover.store.BatchRecord;
import dev.clearline.prover.store.BlockMark;
import dev.clearline.prover.store.ReplayStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.BooleanSupplier;

/**
 * The watcher's replay loop: reads L1 from where the {@link ReplayStore} says it stopped, judges
 * every posted batch with a {@link BatchVerifier} over the persistent tree, and records each step.
 * A restart therefore resumes at the last recorded block instead of genesis.
 *
 * <p>Reorgs: every poll first checks that the newest mark's block still has the hash it had; if
 * not, it walks back through the kept marks to the newest one L1 still agrees with (the fork
 * point), rewinds the state and the progress to it, and reads on from there. Marks are kept for
 * {@link Settings#reorgDepth()} blocks; a deeper reorg makes it replay from the start block.
 *
 * <p>Not thread-safe: one thread polls.
 */
public final class Replayer {
    /**
     * @param startBlock first L1 block to read (the rollup's deployment block is enough)
     * @param chunkBlocks blocks read per {@code eth_getLogs} call and per recorded step
     * @param reorgDepth how many blocks back a reorg can be followed
     */
    public record Settings(long startBlock, long chunkBlocks, long reorgDepth) {
        public Settings {
            if (startBlock < 0) throw new IllegalArgumentException("startBlock must be 0 or more, got " + startBlock);
            if (chunkBlocks < 1) throw new IllegalArgumentException("chunkBlocks must be 1 or more, got " + chunkBlocks);
            if (reorgDepth < 1) throw new IllegalArgumentException("reorgDepth must be 1 or more, got " + reorgDepth);
        }

        public static Settings from(long startBlock) {
            return new Settings(startBlock, 2_000, 128);
        }
    }

    /** What one poll did. */
    public record Poll(long head, long reachedBlock, int batchesJudged, int fraud, Optional<Long> forkBlock) {}

    /** Sleeps between polls; tests pass one that does not sleep. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(long millis) throws InterruptedException;
    }

    private final L1Source l1;
    private final ReplayStore store;
    private final Stf stf;
    private final Settings settings;
    private final ReplayListener listener;
    private BatchVerifier verifier;

    public Replayer(L1Source l1, ReplayStore store, Stf stf, Settings settings, ReplayListener listener) {
        this.l1 = l1;
        this.store = store;
        this.stf = stf;
        this.settings = settings;
        this.listener = listener;
        this.verifier = new BatchVerifier(stf, store.nodes());
    }

    /** The verifier over the verified state (rebuilt after each rewind). */
    public BatchVerifier verifier() {
        return verifier;
    }

    /** Reads L1 up to its current head once. */
    /** Whether a poll told the listener where the replay stands yet (one that read no new block tells it too, once). */
    private boolean progressReported;

    public Poll poll() throws IOException {
        Optional<Long> fork = followReorg();
        long head = l1.head();
        Optional<BlockMark> last = store.lastMark();
        long from = last.map(m -> m.block() + 1).orElse(settings.startBlock());
        long judged = last.map(BlockMark::batchesJudged).orElse(0L);
        int batches = 0;
        int fraud = 0;
        long reached = from - 1;
        while (from <= head) {
            long to = Math.min(head, from + settings.chunkBlocks() - 1);
            String hash = l1.blockHash(to).orElseThrow(() -> new IOException("L1 reports head " + head + " but has no block " + to));
            List<BatchRecord> records = new ArrayList<>();
            List<RollupLog.Posted> posted = l1.batches(from, to);
            requireComplete(posted, judged, from, to, head);
            List<Verdict> verdicts = new ArrayList<>();
            for (int k = 0; k < posted.size(); k++) {
                RollupLog.Posted p = posted.get(k);
                // the signers of this batch and the next are recovered on the other cores meanwhile (SignaturesAhead)
                if (k == 0) verifier.prefetch(p.batch());
                if (k + 1 < posted.size()) verifier.prefetch(posted.get(k + 1).batch());
                long pre = store.nodes().latestVersion();
                Verdict v = verifier.verify(p.batch());
                BatchRecord r = new BatchRecord(judged++, v.batchIndex(), p.blockNumber(), p.transactionHash(), pre,
                        store.nodes().latestVersion(), v.honest(), VerdictText.of(v));
                records.add(r);
                verdicts.add(v);
                batches++;
                if (!v.honest()) fraud++;
            }
            store.record(new BlockMark(to, hash, store.nodes().latestVersion(), judged), records, settings.reorgDepth());
            for (int i = 0; i < records.size(); i++) listener.judged(records.get(i), posted.get(i), verdicts.get(i));
            listener.progress(to, head, batches);
            reached = to;
            from = to + 1;
        }
        // L1 finalizes as its time passes: asked once per poll that read new blocks, not on every idle poll
        if (reached >= last.map(m -> m.block() + 1).orElse(settings.startBlock())) pruneFinalHistory();
        // a replay resumed where L1 stands (a chain that stopped, a frozen rollup) says so once, not nothing until a block comes
        else if (!progressReported) listener.progress(reached, head, 0);
        progressReported = true;
        return new Poll(head, reached, batches, fraud, fork);
    }

    /** Blocks this close to the head have their log answers checked against the rollup's count; older ones are settled everywhere. */
    public static final long RECENT_BLOCKS = 32;

    /** Submissions the rollup had counted before the start block, when known (null: not asked yet). */
    private OptionalLong submissionsBeforeStart;

    /**
     * Refuses a log answer that left out a batch submission, before anything of it is judged or
     * recorded: a load-balanced RPC may send {@code eth_blockNumber} to one node and
     * {@code eth_getLogs} to another a block behind, which answers the newest blocks with no logs
     * and no error, and a block marked read is never read again. The rollup numbers its
     * submissions 1, 2, 3..; a replay that starts at its deployment has judged exactly the ones
     * before, so each one read must be the next, and near the head the rollup's own
     * {@code submissions()} at the chunk's last block must be the last one read. Started later
     * (an explicit start block), the numbering is unknown and nothing is checked.
     */
    private void requireComplete(List<RollupLog.Posted> posted, long judgedBefore, long from, long to, long head) throws IOException {
        if (submissionsBeforeStart == null) {
            submissionsBeforeStart = settings.startBlock() <= l1.deploymentBlock() ? OptionalLong.of(0) : OptionalLong.empty();
        }
        if (submissionsBeforeStart.isEmpty()) return;
        long next = submissionsBeforeStart.getAsLong() + judgedBefore + 1;
        for (RollupLog.Posted p : posted) {
            if (p.submissionId() != next) {
                throw new IOException("the node's logs of blocks " + from + ".." + to + " skip batch submission " + next + " (the next one read is "
                        + p.submissionId() + "): a node behind the others answered; reading them again");
            }
            next++;
        }
        if (head - to > RECENT_BLOCKS) return;
        OptionalLong counted = l1.submissionsAt(to);
        if (counted.isPresent() && counted.getAsLong() != next - 1) {
            throw new IOException("the node's logs of blocks " + from + ".." + to + " end at batch submission " + (next - 1) + " but the rollup counts "
                    + counted.getAsLong() + " at block " + to + ": a node behind the others answered the log query; reading them again");
        }
    }

    /**
     * Drops the tree versions no one can ask for any more: those before the state the first batch L1 has not finalized
     * was judged on (a dispute replays from there at the earliest) and before the oldest kept mark (a reorg rewinds to
     * a mark at the earliest). Without it the store kept every version for good. A failed read of L1 skips it: the
     * next poll that reads new blocks tries again.
     */
    private void pruneFinalHistory() {
        long finalized;
        try {
            finalized = l1.finalizedCount();
        } catch (IOException e) {
            return;
        }
        if (finalized <= 0) return;
        // the first batch not final, as judged last; none judged yet (or all final): wait for the next one
        Optional<BatchRecord> firstOpen = store.recentJudgementOf(finalized);
        List<BlockMark> marks = store.marksNewestFirst();
        if (firstOpen.isEmpty() || marks.isEmpty()) return;
        store.prune(Math.min(firstOpen.get().preVersion(), marks.getLast().treeVersion()));
    }

    /** Rewinds to the newest mark L1 still agrees with, if the newest one was reorganised away; returns the fork block. */
    private Optional<Long> followReorg() throws IOException {
        List<BlockMark> marks = store.marksNewestFirst();
        if (marks.isEmpty()) return Optional.empty();
        BlockMark newest = marks.getFirst();
        if (l1.blockHash(newest.block()).filter(newest.blockHash()::equals).isPresent()) return Optional.empty();
        BlockMark keep = null;
        for (BlockMark m : marks.subList(1, marks.size())) {
            if (l1.blockHash(m.block()).filter(m.blockHash()::equals).isPresent()) {
                keep = m;
                break;
            }
        }
        // No kept mark is on L1's chain any more: replaying from the start is slow but always right.
        long forkBlock = keep == null ? settings.startBlock() - 1 : keep.block();
        store.rewindTo(keep);
        verifier = new BatchVerifier(stf, store.nodes());
        listener.reorg(newest.block(), forkBlock);
        return Optional.of(forkBlock);
    }

    /**
     * Polls until {@code running} turns false, sleeping {@code intervalMillis} between polls. When
     * L1 cannot be reached it reports that once, then retries with a doubling pause (up to 30 s)
     * until L1 answers, and reports that too.
     */
    public void follow(BooleanSupplier running, Sleeper sleeper, long intervalMillis) throws InterruptedException {
        int failures = 0;
        long pause = intervalMillis;
        while (running.getAsBoolean()) {
            try {
                poll();
                if (failures > 0) listener.reachable(failures);
                failures = 0;
                pause = intervalMillis;
            } catch (IOException e) {
                if (failures++ == 0) listener.unreachable(e.getMessage() == null ? e.toString() : e.getMessage(), pause);
                pause = Math.min(30_000, Math.max(pause, 1) * 2);
            }
            sleeper.sleep(failures > 0 ? pause : intervalMillis);
        }
    }
}
