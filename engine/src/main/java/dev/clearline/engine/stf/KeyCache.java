package dev.clearline.engine.stf;

import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Hash32;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Remembers recently derived state keys: a key costs a Keccak-256, and a busy trader's balance and
 * position keys are needed again and again. Bounded (least recently used goes first); one per STF
 * instance, not shared between threads.
 */
public final class KeyCache {
    private record BalanceOf(Address owner) {}

    private record PositionOf(Address owner, int marketId) {}

    private record MarketOf(int marketId) {}

    private record OrderOf(Hash32 orderHash) {}

    private final LinkedHashMap<Object, byte[]> keys;

    public KeyCache(int capacity) {
        this.keys = new LinkedHashMap<>(Math.min(capacity, 1 << 16), 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Object, byte[]> eldest) {
                return size() > capacity;
            }
        };
    }

    public byte[] balance(Address owner) {
        return keys.computeIfAbsent(new BalanceOf(owner), k -> LeafKeys.balance(owner));
    }

    public byte[] position(Address owner, int marketId) {
        return keys.computeIfAbsent(new PositionOf(owner, marketId), k -> LeafKeys.position(owner, marketId));
    }

    public byte[] market(int marketId) {
        return keys.computeIfAbsent(new MarketOf(marketId), k -> LeafKeys.market(marketId));
    }

    public byte[] order(Hash32 orderHash) {
        return keys.computeIfAbsent(new OrderOf(orderHash), k -> LeafKeys.order(orderHash));
    }
}
