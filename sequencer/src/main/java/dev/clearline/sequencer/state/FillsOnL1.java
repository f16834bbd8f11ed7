package dev.clearline.sequencer.state;

import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.risk.Fixed;
import dev.clearline.engine.state.MarketLeaf;
import dev.clearline.engine.state.OrderHashLeaf;
import dev.clearline.engine.state.OrderLeaf;
import dev.clearline.engine.stf.LeafStore;
import dev.clearline.engine.stf.StateReads;
import dev.clearline.engine.transition.Transition;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The fills a reader of L1 rebuilds from posted batches: each Trade and TradeAtPrice, read from the state the STF left right
 * after applying it (the orders' terms stay in their ORDER leaves until a later PruneOrder; the market's mark and fees are
 * the ones it filled at). What a node that took up from L1 lists in its account views for the batches still in their
 * challenge period, so a trader sees where the fills the lost node made stand ({@link SequencerState#takeUp}).
 *
 * <p>A fill names an order's hash when this reader saw its PostOrder (ORDER leaves keep only the short id), or was given
 * it with the state it starts from; an order posted before the first batch replayed here and not given is named by its
 * trader alone.
 */
public final class FillsOnL1 {
    /**
     * One fill as L1 holds it, in batch {@code batch}. Fees as the STF charged them; an order hash is null when its PostOrder
     * came before the batches read.
     */
    public record Fill(long batch, int marketId, long price, long size, Hash32 makerOrderHash, Hash32 takerOrderHash,
                       Address maker, Address taker, Side takerSide, long makerFee, long takerFee) {}

    private final Function<Order, Hash32> digests;
    /** Short id to hash of every order posted in the batches read and not pruned since: the ones a later Trade may name. */
    private final Map<Long, Hash32> hashes = new HashMap<>();
    private final List<Fill> fills = new ArrayList<>();

    /** @param digests an order's EIP-712 digest under the rollup's domain (its ORDER_HASH key) */
    public FillsOnL1(Function<Order, Hash32> digests) {
        this(digests, Map.of());
    }

    /**
     * @param digests as above
     * @param posted the digests of orders posted before the batches this reader is told of, by short id (the resting orders
     *     of the state it starts from): a fill of one of them names it by its hash too
     */
    public FillsOnL1(Function<Order, Hash32> digests, Map<Long, Hash32> posted) {
        this.digests = digests;
        this.hashes.putAll(posted);
    }

    /**
     * Told of transition {@code t} of batch {@code batch}, applied by the STF, with the state it left. Only honest batches'
     * transitions, in order: a Trade's orders are read from that state.
     *
     * @throws IllegalStateException when a Trade names an order the state does not hold (the STF would have refused it)
     */
    public void applied(long batch, Transition t, LeafStore state) {
        switch (t) {
            case Transition.PostOrder p -> {
                Hash32 hash = digests.apply(p.order());
                OrderHashLeaf leaf = StateReads.orderHash(state, hash);
                if (leaf != null && !leaf.isTombstone()) hashes.put(leaf.orderId(), hash);
            }
            case Transition.Trade tr -> trade(batch, tr.makerId(), tr.takerId(), tr.size(), -1, state);
            case Transition.TradeAtPrice tr -> trade(batch, tr.makerId(), tr.takerId(), tr.size(), tr.price(), state);
            case Transition.PruneOrder p -> hashes.remove(p.orderId());
            default -> { }
        }
    }

    private void trade(long batch, long makerId, long takerId, long size, long statedPrice, LeafStore state) {
        OrderLeaf maker = StateReads.order(state, makerId);
        OrderLeaf taker = StateReads.order(state, takerId);
        if (maker == null || taker == null) throw new IllegalStateException("a fill in batch " + batch + " of order " + makerId + " or " + takerId + " the state does not hold");
        MarketLeaf m = StateReads.market(state, maker.marketId());
        long price = statedPrice >= 0 ? statedPrice : StateReads.tradePrice(maker, m);
        long notional = Fixed.notional(size, m.lotSize(), price);
        fills.add(new Fill(batch, maker.marketId(), price, size, hashes.get(makerId), hashes.get(takerId), maker.trader(), taker.trader(),
                taker.isBuy() ? Side.BUY : Side.SELL, Fixed.mulPpmUp(notional, m.makerFeePpm()), Fixed.mulPpmUp(notional, m.takerFeePpm())));
    }

    /** The fills read so far, in L1's order. */
    public List<Fill> fills() {
        return List.copyOf(fills);
    }

    /** The fills of batches from {@code batch} on, in L1's order. */
    public List<Fill> fillsFrom(long batch) {
        return fills.stream().filter(f -> f.batch() >= batch).toList();
    }
}
