package dev.clearline.engine.state;

import dev.clearline.engine.abi.AbiReader;
import dev.clearline.engine.abi.AbiWriter;
import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Peg;
import dev.clearline.engine.order.TimeInForce;

/**
 * {@code abi.encode(address trader, uint32 market, bool isBuy, uint64 price, uint64 size, uint8 flags,
 * uint8 peg, int32 pegOffset, uint8 timeInForce, uint64 expiry, uint64 batchIndex, uint64 filled,
 * bool cancelled)}, under the order's short id: the part of a posted order that later fills need,
 * so a Trade names the order by id instead of re-sending it and its signature. For a pegged order
 * {@code price} is its limit; {@code batchIndex} is the batch whose PostOrder created the leaf
 * (an IOC or FOK order fills only in that batch).
 */
public record OrderLeaf(Address trader, int marketId, boolean isBuy, long price, long size, int flags,
                        Peg peg, int pegOffset, TimeInForce timeInForce, long expiry, long batchIndex,
                        long filled, boolean cancelled) implements LeafValue {
    public byte[] encode() {
        return new AbiWriter(13).address(trader.bytes()).uint(marketId & 0xffffffffL).bool(isBuy).uint(price)
                .uint(size).uint(flags).uint(peg.code()).int64(pegOffset).uint(timeInForce.code()).uint(expiry)
                .uint(batchIndex).uint(filled).bool(cancelled).toBytes();
    }

    public static OrderLeaf decode(byte[] v) {
        AbiReader r = new AbiReader(v, 13);
        Address trader = new Address(r.address());
        int market = (int) r.uint(32);
        boolean isBuy = r.bool();
        long price = r.uint(63);
        long size = r.uint(63);
        int flags = (int) r.uint(8);
        Peg peg = Peg.fromCode((int) r.uint(8));
        long offset = r.int64();
        TimeInForce tif = TimeInForce.fromCode((int) r.uint(8));
        if (peg == null || tif == null || offset != (int) offset) {
            throw new IllegalArgumentException("not an ORDER leaf: peg, pegOffset or timeInForce out of range");
        }
        return new OrderLeaf(trader, market, isBuy, price, size, flags, peg, (int) offset, tif, r.uint(63), r.uint(63),
                r.uint(63), r.bool());
    }

    public long remaining() {
        return size - filled;
    }

    public OrderLeaf withFilled(long newFilled) {
        return new OrderLeaf(trader, marketId, isBuy, price, size, flags, peg, pegOffset, timeInForce, expiry, batchIndex,
                newFilled, cancelled);
    }

    public OrderLeaf cancel() {
        return new OrderLeaf(trader, marketId, isBuy, price, size, flags, peg, pegOffset, timeInForce, expiry, batchIndex,
                filled, true);
    }
}
