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

/** Typed reads of a leaf store for callers outside the STF (batches, tests, tools, the escape hatch). */
public final class StateReads {
    private StateReads() {}

    public static GlobalLeaf global(LeafStore s) {
        return new StateView(s, new KeyCache(4)).global();
    }

    public static BalanceLeaf balance(LeafStore s, Address owner) {
        return new StateView(s, new KeyCache(4)).balance(owner);
    }

    public static PositionLeaf position(LeafStore s, Address owner, int marketId) {
        return new StateView(s, new KeyCache(4)).position(owner, marketId);
    }

    /** What became of an order hash: its short id, or a tombstone; null when neither posted nor cancelled. */
    public static OrderHashLeaf orderHash(LeafStore s, Hash32 orderHash) {
        return new StateView(s, new KeyCache(4)).orderHash(orderHash);
    }

    /** The order with this short id; null when none. */
    public static OrderLeaf order(LeafStore s, long orderId) {
        return new StateView(s, new KeyCache(4)).order(orderId);
    }

    /** The posted order with this hash; null when never posted (absent or a tombstone). */
    public static OrderLeaf order(LeafStore s, Hash32 orderHash) {
        OrderHashLeaf h = orderHash(s, orderHash);
        return h == null || h.isTombstone() ? null : order(s, h.orderId());
    }

    /** Null when the market does not exist. */
    public static MarketLeaf market(LeafStore s, int marketId) {
        return new StateView(s, new KeyCache(4)).market(marketId);
    }

    /** Null when no such withdrawal. */
    public static WithdrawalLeaf withdrawal(LeafStore s, long id) {
        byte[] v = s.get(LeafKeys.withdrawal(id));
        return v == null ? null : WithdrawalLeaf.decode(v);
    }
}
