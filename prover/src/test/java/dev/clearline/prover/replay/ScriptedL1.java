package dev.clearline.prover.replay;

import dev.clearline.prover.l1.RollupLog;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * An L1 the test writes block by block: each block has a hash and the batches posted in it. A
 * reorg replaces the blocks from some height on with others (new hashes). {@link #failNext} makes
 * the next calls fail as an unreachable node does.
 */
final class ScriptedL1 implements L1Source {
    record Block(String hash, List<dev.clearline.prover.replay.PostedBatch> batches) {}

    private final List<Block> chain = new ArrayList<>();
    private long finalized;
    private int fork;
    private int failures;
    int calls;

    ScriptedL1() {
        chain.add(new Block(hash(0), List.of()));
    }

    /** Appends a block holding {@code batches}; returns its number. */
    long mine(dev.clearline.prover.replay.PostedBatch... batches) {
        chain.add(new Block(hash(chain.size()), List.of(batches)));
        return chain.size() - 1;
    }

    /** Drops every block from {@code height} on: the next blocks mined form the new branch. */
    void reorgFrom(long height) {
        fork++;
        while (chain.size() > height) chain.removeLast();
    }

    void failNext(int n) {
        failures = n;
    }

    /** From now on the rollup reports {@code count} batches finalized. */
    void finalizeBatches(long count) {
        finalized = count;
    }

    @Override
    public long finalizedCount() {
        return finalized;
    }

    private String hash(long n) {
        return String.format("0x%062x%02x", n, fork);
    }

    private void maybeFail() throws IOException {
        calls++;
        if (failures > 0) {
            failures--;
            throw new IOException("Failed to connect to /127.0.0.1:1");
        }
    }

    /** How many blocks past its newest the node reports as its head (a node mid-reorg, or one whose head ran ahead of its state). */
    int headAhead;

    @Override
    public long head() throws IOException {
        maybeFail();
        return chain.size() - 1 + headAhead;
    }

    @Override
    public Optional<String> blockHash(long block) throws IOException {
        maybeFail();
        return block < chain.size() ? Optional.of(chain.get((int) block).hash()) : Optional.empty();
    }

    /**
     * The next {@code calls} log queries are answered by a node {@code blocks} blocks behind the
     * head: the postings of the newest blocks are left out, with no error (as a lagging node behind
     * a load balancer answers).
     */
    void lagLogs(int calls, int blocks) {
        laggingCalls = calls;
        lagBlocks = blocks;
    }

    private int laggingCalls;
    private int lagBlocks;

    @Override
    public List<RollupLog.Posted> batches(long from, long to) throws IOException {
        maybeFail();
        long seen = chain.size() - 1 - (laggingCalls > 0 ? lagBlocks : 0);
        if (laggingCalls > 0) laggingCalls--;
        List<RollupLog.Posted> out = new ArrayList<>();
        // the rollup numbers its submissions 1, 2, 3.. along the chain
        long submission = submissionsAt(from - 1).getAsLong();
        for (long n = from; n <= to && n <= seen; n++) {
            int i = 0;
            for (var b : chain.get((int) n).batches()) {
                out.add(new RollupLog.Posted(b, ++submission, n, String.format("0x%060x%02x%02x", n, i++, fork)));
            }
        }
        return out;
    }

    @Override
    public OptionalLong submissionsAt(long block) {
        long count = 0;
        for (long n = 0; n <= block && n < chain.size(); n++) count += chain.get((int) n).batches().size();
        return OptionalLong.of(count);
    }
}
