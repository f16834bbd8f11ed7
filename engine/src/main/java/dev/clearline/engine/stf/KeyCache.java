package dev.clearline.engine.stf;

import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Hash32;

import java.util.HashMap;

/**
 * Remembers recently derived state keys: a key costs a Keccak-256, and a busy trader's balance and
 * position keys are needed again and again. One map per key kind, keyed by the objects the caller
 * already holds (no wrapper per look-up); a map that reaches the capacity is simply emptied, which
 * costs one re-derivation per key still in use. One per STF instance and one per leaf store (for
 * {@link StateReads}), not shared between threads.
 */
public final class KeyCache {
    private final int capacity;
    private final HashMap<Address, byte[]> balances = new HashMap<>();
    private final HashMap<Address, MarketKeys> positions = new HashMap<>();
    private final HashMap<Hash32, byte[]> orders = new HashMap<>();
    private final HashMap<Integer, byte[]> markets = new HashMap<>();
    private final HashMap<Long, byte[]> orderStates = new HashMap<>();
    private final HashMap<Long, byte[]> withdrawals = new HashMap<>();

    public KeyCache(int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("a key cache needs room for at least one key, got " + capacity);
        this.capacity = capacity;
    }

    public byte[] balance(Address owner) {
        byte[] k = balances.get(owner);
        if (k == null) {
            k = LeafKeys.balance(owner);
            if (balances.size() >= capacity) balances.clear();
            balances.put(owner, k);
        }
        return k;
    }

    public byte[] position(Address owner, int marketId) {
        MarketKeys m = positions.get(owner);
        if (m == null) {
            m = new MarketKeys();
            if (positions.size() >= capacity) positions.clear();
            positions.put(owner, m);
        }
        byte[] k = m.get(marketId);
        if (k == null) {
            k = LeafKeys.position(owner, marketId);
            m.put(marketId, k);
        }
        return k;
    }

    public byte[] market(int marketId) {
        byte[] k = markets.get(marketId);
        if (k == null) {
            k = LeafKeys.market(marketId);
            if (markets.size() >= capacity) markets.clear();
            markets.put(marketId, k);
        }
        return k;
    }

    public byte[] order(Hash32 orderHash) {
        byte[] k = orders.get(orderHash);
        if (k == null) {
            k = LeafKeys.order(orderHash);
            if (orders.size() >= capacity) orders.clear();
            orders.put(orderHash, k);
        }
        return k;
    }

    public byte[] withdrawal(long id) {
        byte[] k = withdrawals.get(id);
        if (k == null) {
            k = LeafKeys.withdrawal(id);
            if (withdrawals.size() >= capacity) withdrawals.clear();
            withdrawals.put(id, k);
        }
        return k;
    }

    public byte[] orderState(long orderId) {
        byte[] k = orderStates.get(orderId);
        if (k == null) {
            k = LeafKeys.orderState(orderId);
            if (orderStates.size() >= capacity) orderStates.clear();
            orderStates.put(orderId, k);
        }
        return k;
    }

    /** One owner's position keys by market: owners trade few markets, so a short list is enough. */
    private static final class MarketKeys {
        private int[] marketIds = new int[2];
        private byte[][] keys = new byte[2][];
        private int count;

        byte[] get(int marketId) {
            for (int i = 0; i < count; i++) if (marketIds[i] == marketId) return keys[i];
            return null;
        }

        void put(int marketId, byte[] key) {
            if (count == keys.length) {
                marketIds = java.util.Arrays.copyOf(marketIds, count * 2);
                keys = java.util.Arrays.copyOf(keys, count * 2);
            }
            marketIds[count] = marketId;
            keys[count++] = key;
        }
    }
}
