package dev.clearline.engine.stf;

import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.state.BalanceLeaf;
import dev.clearline.engine.state.GlobalLeaf;
import dev.clearline.engine.state.MarketLeaf;
import dev.clearline.engine.state.OrderHashLeaf;
import dev.clearline.engine.state.OrderLeaf;
import dev.clearline.engine.state.PositionLeaf;
import dev.clearline.engine.state.WithdrawalLeaf;

/**
 * Typed reads of a leaf store for callers outside the STF (batches, tests, tools, the escape hatch).
 * State keys come from the store's own {@link LeafStore#keys()} cache, so reading a busy leaf
 * again costs no Keccak.
 */
public final class StateReads {
    private StateReads() {}

    /** Keys a store keeps for its readers; a store that keeps none gets a one-read cache. */
    private static StateView view(LeafStore s) {
        KeyCache keys = s.keys();
        return new StateView(s, keys != null ? keys : new KeyCache(1));
    }

    /** Read straight from the store, as {@link StateView#global()} does: every posted order reads it, and a view per read was garbage. */
    public static GlobalLeaf global(LeafStore s) {
        GlobalLeaf g = s.get(LeafKeys.GLOBAL_SHARED, GlobalLeaf.class, GlobalLeaf::decode);
        return g == null ? GlobalLeaf.GENESIS : g;
    }

    public static BalanceLeaf balance(LeafStore s, Address owner) {
        return view(s).balance(owner);
    }

    public static PositionLeaf position(LeafStore s, Address owner, int marketId) {
        return view(s).position(owner, marketId);
    }

    /** What became of an order hash: its short id, or a tombstone; null when neither posted nor cancelled. */
    public static OrderHashLeaf orderHash(LeafStore s, Hash32 orderHash) {
        return view(s).orderHash(orderHash);
    }

    /** The order with this short id; null when none. */
    public static OrderLeaf order(LeafStore s, long orderId) {
        return view(s).order(orderId);
    }

    /** The posted order with this hash; null when never posted (absent or a tombstone). */
    public static OrderLeaf order(LeafStore s, Hash32 orderHash) {
        OrderHashLeaf h = orderHash(s, orderHash);
        return h == null || h.isTombstone() ? null : order(s, h.orderId());
    }

    /** Null when the market does not exist. */
    public static MarketLeaf market(LeafStore s, int marketId) {
        return view(s).market(marketId);
    }

    /** Null when no such withdrawal. */
    public static WithdrawalLeaf withdrawal(LeafStore s, long id) {
        KeyCache keys = s.keys();
        byte[] v = s.get(keys != null ? keys.withdrawal(id) : LeafKeys.withdrawal(id));
        return v == null ? null : WithdrawalLeaf.decode(v);
    }

    /**
     * The price a Trade (not a TradeAtPrice) fills {@code maker} at in market {@code m} as it stands: the maker's fixed price,
     * or its mark-pegged price at {@code m}'s mark ({@code Fixed.OVERFLOW} or {@code PegPrice.NOT_POSITIVE} where the STF refuses).
     */
    public static long tradePrice(OrderLeaf maker, MarketLeaf m) {
        return TradeRule.makerPrice(maker, m);
    }
}
