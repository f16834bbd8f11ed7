package dev.clearline.sequencer.state;

import dev.clearline.engine.batch.BatchPolicy;
import dev.clearline.engine.exchange.MarketBooks;
import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Eip712;

/**
 * What every replica of the sequencer must agree on before the first command: the EIP-712 domain,
 * the book sizes and the batch policy. It is written into every snapshot and checked on load, so a
 * node started with other settings refuses the state instead of diverging from it.
 */
public record Genesis(long chainId, Address verifyingContract, MarketBooks books, BatchPolicy batches) {
    public Eip712 domain() {
        return new Eip712(chainId, verifyingContract);
    }

    /**
     * Each setting in which this genesis (a snapshot's, a log's) differs from {@code running}'s, named as an operator sets it,
     * with both values; empty when they agree.
     */
    public java.util.List<String> differencesFrom(Genesis running) {
        java.util.List<String> out = new java.util.ArrayList<>();
        if (chainId != running.chainId) out.add("chain id " + chainId + " (the manifest's, or --chain-id) where this node runs " + running.chainId);
        if (!verifyingContract.equals(running.verifyingContract)) {
            out.add("rollup " + verifyingContract + " (the manifest's, or --rollup) where this node runs " + running.verifyingContract);
        }
        if (!books.equals(running.books)) out.add("book sizes " + books + " (set by the build) where this node runs " + running.books);
        if (batches.maxTransitions() != running.batches.maxTransitions()) {
            out.add("batches of at most " + batches.maxTransitions() + " transitions (set by the build) where this node runs "
                    + running.batches.maxTransitions());
        }
        if (batches.maxAgeSeconds() != running.batches.maxAgeSeconds()) {
            out.add("--batch-seconds " + batches.maxAgeSeconds() + " where this node runs " + running.batches.maxAgeSeconds());
        }
        return out;
    }

    /** Price ticks a book of this build takes: a market's tick times this is the highest price it books. */
    public static final long BOOK_PRICE_TICKS = 1L << 24;

    /** How long a batch stays open by default (the sequencer's {@code --batch-seconds}). */
    public static final long BATCH_SECONDS = 2;

    /**
     * The local default: the devnet's chain id, room for 2^24 price ticks (a market at 60 per lot with
     * a tick of 0.001 can trade up to 16,777 per lot; the books allocate pages only where orders rest), batches of at most
     * {@link BatchPolicy#POOLED_TRANSITIONS} (890: their calldata posts through any geth-based RPC,
     * and one IOC order's run of {@code Exchange.LONGEST_ORDER_RUN} fits) or 2 s.
     */
    public static Genesis devnet(Address verifyingContract) {
        return new Genesis(31337, verifyingContract, new MarketBooks(BOOK_PRICE_TICKS, 1 << 30, 1 << 16), new BatchPolicy(BatchPolicy.POOLED_TRANSITIONS, BATCH_SECONDS));
    }
}
