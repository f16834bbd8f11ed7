package dev.clearline.engine.state;

import dev.clearline.engine.abi.AbiReader;
import dev.clearline.engine.abi.AbiWriter;
import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Peg;

/**
 * {@code abi.encode(address trader, uint32 market, bool isBuy, uint64 price, uint64 size, uint8 flags,
 * uint8 peg, int32 pegOffset, uint64 expiry, uint64 filled, bool cancelled)}: the part of a posted
 * order that later fills need, so a Trade references the order instead of re-sending it and its
 * signature. For a pegged order {@code price} is its limit.
 */
public record OrderLeaf(Address trader, int marketId, boolean isBuy, long price, long size, int flags,
                        Peg peg, int pegOffset, long expiry, long filled, boolean cancelled) {
    public byte[] encode() {
        return new AbiWriter(11).address(trader.bytes()).uint(marketId & 0xffffffffL).bool(isBuy).uint(price)
                .uint(size).uint(flags).uint(peg.code()).int64(pegOffset).uint(expiry).uint(filled).bool(cancelled).toBytes();
    }

    public static OrderLeaf decode(byte[] v) {
        AbiReader r = new AbiReader(v, 11);
        Address trader = new Address(r.address());
        int market = (int) r.uint(32);
        boolean isBuy = r.bool();
        long price = r.uint(63);
        long size = r.uint(63);
        int flags = (int) r.uint(8);
        Peg peg = Peg.fromCode((int) r.uint(8));
        long offset = r.int64();
        if (peg == null || offset != (int) offset) throw new IllegalArgumentException("not an ORDER leaf: peg or pegOffset out of range");
        return new OrderLeaf(trader, market, isBuy, price, size, flags, peg, (int) offset, r.uint(63), r.uint(63), r.bool());
    }

    /**
     * The leaf a cancel of a never-posted order leaves behind: bound to the hash and the canceller,
     * size 0 (no posted order has size 0), cancelled, so a later post of that hash by that trader fails.
     */
    public static OrderLeaf tombstone(Address trader) {
        return new OrderLeaf(trader, 0, false, 0, 0, 0, Peg.NONE, 0, 0, 0, true);
    }

    public boolean isTombstone() {
        return cancelled && size == 0;
    }

    public long remaining() {
        return size - filled;
    }

    public OrderLeaf withFilled(long newFilled) {
        return new OrderLeaf(trader, marketId, isBuy, price, size, flags, peg, pegOffset, expiry, newFilled, cancelled);
    }

    public OrderLeaf cancel() {
        return new OrderLeaf(trader, marketId, isBuy, price, size, flags, peg, pegOffset, expiry, filled, true);
    }
}
