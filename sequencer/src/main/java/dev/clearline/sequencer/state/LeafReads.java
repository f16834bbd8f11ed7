package dev.clearline.sequencer.state;

import dev.clearline.engine.order.Address;
import dev.clearline.engine.state.MarketLeaf;
import dev.clearline.engine.state.OrderLeaf;
import dev.clearline.engine.state.PositionLeaf;
import dev.clearline.engine.stf.KeyCache;
import dev.clearline.engine.stf.LeafStore;
import dev.clearline.engine.stf.StateReads;

/**
 * The reads the state machine makes of the exchange's leaves after every fill (re-keying positions
 * in the liquidation index, depth): the same answers as {@link StateReads}, with the state keys
 * remembered. {@code StateReads} derives each key again, a Keccak-256 and its garbage per read, and
 * every fill needs six of them. One instance per state machine, on its thread.
 */
final class LeafReads {
    private final LeafStore store;
    private final KeyCache keys = new KeyCache(1 << 16);

    LeafReads(LeafStore store) {
        this.store = store;
    }

    /** Null when no order has this id. */
    OrderLeaf order(long orderId) {
        return store.get(keys.orderState(orderId), OrderLeaf.class, OrderLeaf::decode);
    }

    /** An absent position reads as empty. */
    PositionLeaf position(Address owner, int marketId) {
        PositionLeaf p = store.get(keys.position(owner, marketId), PositionLeaf.class, PositionLeaf::decode);
        return p == null ? PositionLeaf.EMPTY : p;
    }

    /** Null when the market does not exist. */
    MarketLeaf market(int marketId) {
        return store.get(keys.market(marketId), MarketLeaf.class, MarketLeaf::decode);
    }
}
