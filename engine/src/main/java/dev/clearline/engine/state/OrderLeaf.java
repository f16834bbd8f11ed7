package dev.clearline.engine.state;

import dev.clearline.engine.abi.AbiReader;
import dev.clearline.engine.abi.AbiWriter;
import dev.clearline.engine.order.Address;

/**
 * {@code abi.encode(address trader, uint32 market, bool isBuy, uint64 price, uint64 size, uint8 flags,
 * uint64 expiry, uint64 filled, bool cancelled)}: the part of a posted order that later fills need,
 * so a Trade references the order by hash instead of re-sending it and its signature.
 */
public record OrderLeaf(Address trader, int marketId, boolean isBuy, long price, long size, int flags,
                        long expiry, long filled, boolean cancelled) {
    public byte[] encode() {
        return new AbiWriter(9).address(trader.bytes()).uint(marketId & 0xffffffffL).bool(isBuy).uint(price)
                .uint(size).uint(flags).uint(expiry).uint(filled).bool(cancelled).toBytes();
    }

    public static OrderLeaf decode(byte[] v) {
        AbiReader r = new AbiReader(v, 9);
        return new OrderLeaf(new Address(r.address()), (int) r.uint(32), r.bool(), r.uint(63), r.uint(63),
                (int) r.uint(8), r.uint(63), r.uint(63), r.bool());
    }

    /**
     * The leaf a cancel of a never-posted order leaves behind: bound to the hash and the canceller,
     * size 0 (no posted order has size 0), cancelled, so a later post of that hash by that trader fails.
     */
    public static OrderLeaf tombstone(Address trader) {
        return new OrderLeaf(trader, 0, false, 0, 0, 0, 0, 0, true);
    }

    public boolean isTombstone() {
        return cancelled && size == 0;
    }

    public long remaining() {
        return size - filled;
    }

    public OrderLeaf withFilled(long newFilled) {
        return new OrderLeaf(trader, marketId, isBuy, price, size, flags, expiry, newFilled, cancelled);
    }

    public OrderLeaf cancel() {
        return new OrderLeaf(trader, marketId, isBuy, price, size, flags, expiry, filled, true);
    }
}
