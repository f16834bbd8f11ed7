package dev.clearline.sequencer.l1;

import dev.clearline.engine.transition.Transition;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * What the L1-facing parts of a node (batch poster, priority-op feed, oracle feed) need from the
 * sequencer: its sealed batches by index, how far it consumed the L1 queue, and a way to put L1
 * ops and oracle prices into its log. Every call goes through the log, so the answers are the
 * committed state.
 */
public interface SequencerLink {
    /** Sealed batch {@code index} (0-based), or empty when the sequencer has not sealed it yet. */
    Optional<SealedBatch> batch(long index) throws IOException;

    /** Priority ops the sequencer's state has consumed (the next op it expects has this index). */
    long priorityOpsConsumed() throws IOException;

    /**
     * One listed market as the sequencer's state holds it: sizes, mark, funding index, oracle time
     * and key; {@code bestBid} and {@code bestAsk}: the book's best prices, 0 for an empty side.
     */
    record MarketInfo(int market, long tickSize, long lotSize, long markPrice, long fundingIndex, long lastOracleTs, String oracle,
                      long bestBid, long bestAsk) {}

    /** Every listed market. */
    List<MarketInfo> markets() throws IOException;

    /** One price level of a book side: the price per lot and the size resting there, in base units. */
    record Level(long price, long size) {}

    /** A market's book, best level first on each side. */
    record Depth(List<Level> bids, List<Level> asks) {}

    /** The book of {@code market} now, its top 50 levels a side (through the log, like every answer here). */
    default Depth depth(int market) throws IOException {
        return depth(market, 0);
    }

    /**
     * The book of {@code market} now; with {@code notional} above 0 each side as deep as it takes for its
     * levels' notional (collateral units, whole lots times price) to reach it, up to 10,000 levels,
     * else the top 50 levels.
     */
    Depth depth(int market, long notional) throws IOException;

    /**
     * How far L1 has taken the sequencer's batches, as its log last recorded: posted and final
     * counts, and the L1 timestamp of the newest posted batch not final yet (0 when none is): no
     * node whose head is older than that has seen all the log knows is posted.
     */
    record L1Progress(long posted, long finalized, long lastPostedAt) {}

    L1Progress l1Progress() throws IOException;

    /** Records in the log that L1 holds batch {@code index} (see {@code Command.BatchPosted}); empty when applied, else why not. */
    Optional<String> batchPosted(long index, long postedAt, long finalAt) throws IOException;

    /** Records in the log that the rollup finalized its first {@code count} batches; empty when applied, else why not. */
    Optional<String> batchesFinal(long count) throws IOException;

    /**
     * Records in the log that this node's batch poster stopped for an operator to fix ({@code why}), so every member's
     * trader API halts ({@code Command.PostingHalted}); with {@code why} null, that a poster started and posting goes on.
     */
    void posting(String why) throws IOException;

    /** Puts an L1 priority op into the log; empty when applied, else the engine's reject code. */
    Optional<String> submit(Transition.PriorityOp op) throws IOException;

    /** Puts a signed oracle price into the log; empty when applied, else the engine's reject code. */
    Optional<String> submit(Transition.OraclePrice price) throws IOException;
}
