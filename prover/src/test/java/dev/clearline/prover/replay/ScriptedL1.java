package dev.clearline.prover.replay;

import dev.clearline.prover.l1.RollupLog;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

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

    @Override
    public long head() throws IOException {
        maybeFail();
        return chain.size() - 1;
    }

    @Override
    public Optional<String> blockHash(long block) throws IOException {
        maybeFail();
        return block < chain.size() ? Optional.of(chain.get((int) block).hash()) : Optional.empty();
    }

    @Override
    public List<RollupLog.Posted> batches(long from, long to) throws IOException {
        maybeFail();
        List<RollupLog.Posted> out = new ArrayList<>();
        for (long n = from; n <= to && n < chain.size(); n++) {
            int i = 0;
            for (var b : chain.get((int) n).batches()) {
                out.add(new RollupLog.Posted(b, b.header().batchIndex(), n, String.format("0x%060x%02x%02x", n, i++, fork)));
            }
        }
        return out;
    }
}
