package dev.clearline.engine.stf;

import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.state.BalanceLeaf;
import dev.clearline.engine.state.GlobalLeaf;
import dev.clearline.engine.state.LeafValue;
import dev.clearline.engine.state.MarketLeaf;
import dev.clearline.engine.state.OrderHashLeaf;
import dev.clearline.engine.state.OrderLeaf;
import dev.clearline.engine.state.PositionLeaf;
import dev.clearline.engine.state.WithdrawalLeaf;

import java.util.ArrayList;
import java.util.List;

/**
 * Typed reads of the pre-state and the writes a rule wants to make. Rules only collect writes;
 * {@link Stf} applies them after the rule accepted, so a rejected transition changes nothing.
 * An absent balance or position reads as zero; an absent global leaf reads as genesis.
 */
final class StateView {
    private final LeafStore store;
    private final KeyCache keys;
    private final long batchIndex;
    /** The store encodes what it is asked for itself ({@link LeafStore#keepsRecords}): writes carry records alone. */
    private final boolean recordsOnly;
    private final List<LeafStore.Write> writes = new ArrayList<>(6);

    StateView(LeafStore store, KeyCache keys) {
        this(store, keys, 0);
    }

    StateView(LeafStore store, KeyCache keys, long batchIndex) {
        this.store = store;
        this.keys = keys;
        this.batchIndex = batchIndex;
        this.recordsOnly = store.keepsRecords();
    }

    /** The index of the batch the transition belongs to (a context parameter, like the Solidity step's). */
    long batchIndex() {
        return batchIndex;
    }

    BalanceLeaf balance(Address owner) {
        BalanceLeaf b = store.get(keys.balance(owner), BalanceLeaf.class, BalanceLeaf::decode);
        return b == null ? BalanceLeaf.EMPTY : b;
    }

    PositionLeaf position(Address owner, int marketId) {
        PositionLeaf p = store.get(keys.position(owner, marketId), PositionLeaf.class, PositionLeaf::decode);
        return p == null ? PositionLeaf.EMPTY : p;
    }

    /** Null when the hash was neither posted nor cancelled. */
    OrderHashLeaf orderHash(Hash32 orderHash) {
        return store.get(keys.order(orderHash), OrderHashLeaf.class, OrderHashLeaf::decode);
    }

    /** Null when no order has this id. */
    OrderLeaf order(long orderId) {
        return store.get(keys.orderState(orderId), OrderLeaf.class, OrderLeaf::decode);
    }

    /** Null when the market does not exist. */
    MarketLeaf market(int marketId) {
        return store.get(keys.market(marketId), MarketLeaf.class, MarketLeaf::decode);
    }

    GlobalLeaf global() {
        GlobalLeaf g = store.get(LeafKeys.GLOBAL_SHARED, GlobalLeaf.class, GlobalLeaf::decode);
        return g == null ? GlobalLeaf.GENESIS : g;
    }

    StateView put(Address owner, BalanceLeaf b) {
        return write(keys.balance(owner), b);
    }

    StateView put(Address owner, int marketId, PositionLeaf p) {
        return write(keys.position(owner, marketId), p);
    }

    StateView put(Hash32 orderHash, OrderHashLeaf h) {
        return write(keys.order(orderHash), h);
    }

    StateView put(long orderId, OrderLeaf o) {
        return write(keys.orderState(orderId), o);
    }

    StateView put(int marketId, MarketLeaf m) {
        return write(keys.market(marketId), m);
    }

    StateView put(long withdrawalId, WithdrawalLeaf w) {
        return write(LeafKeys.withdrawal(withdrawalId), w);
    }

    StateView put(GlobalLeaf g) {
        return write(LeafKeys.global(), g);
    }

    /** Deletes the ORDER_HASH leaf of {@code orderHash}. */
    StateView deleteOrderHash(Hash32 orderHash) {
        writes.add(LeafStore.Write.delete(keys.order(orderHash)));
        return this;
    }

    /** Deletes the ORDER leaf of {@code orderId}. */
    StateView deleteOrder(long orderId) {
        writes.add(LeafStore.Write.delete(keys.orderState(orderId)));
        return this;
    }

    List<LeafStore.Write> writes() {
        return writes;
    }

    private StateView write(byte[] key, LeafValue leaf) {
        writes.add(new LeafStore.Write(key, recordsOnly ? null : leaf.encode(), leaf));
        return this;
    }
}
