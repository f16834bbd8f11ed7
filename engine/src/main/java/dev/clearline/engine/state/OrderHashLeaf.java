package dev.clearline.engine.state;

import dev.clearline.engine.abi.AbiReader;
import dev.clearline.engine.abi.AbiWriter;
import dev.clearline.engine.order.Address;

/**
 * What became of an order hash, under the order's EIP-712 digest. Posted: {@code orderId >= 1}
 * (the short id trades use; its terms and fills are the {@link OrderLeaf} under that id) and
 * {@code cancelledBy == 0}. Cancelled before it was ever posted (a tombstone): {@code orderId == 0}
 * and {@code cancelledBy} the canceller, so that trader can never post the hash afterwards. A hash
 * that has neither has no leaf.
 *
 * <p>A posted order with an expiry also records its market and expiry, so that the leaf can be
 * pruned once that market's oracle time has passed the expiry (PruneOrderHash): from then on a
 * re-post is refused as EXPIRED, since that clock only moves forward. Encoded as
 * {@code abi.encode(uint64 orderId, address cancelledBy, uint32 market, uint64 expiry)} then, and as
 * {@code abi.encode(uint64 orderId, address cancelledBy)} otherwise (a tombstone, or an order that
 * never expires, whose leaf stays for good): those leaves are the bytes they were before expiries
 * were recorded, so a state without expiring orders is unchanged. Without an expiry the market is
 * not recorded: it is 0 here.
 */
public record OrderHashLeaf(long orderId, Address cancelledBy, int marketId, long expiry) implements LeafValue {
    private static final Address NOBODY = new Address(new byte[20]);

    public OrderHashLeaf {
        if (expiry == 0) marketId = 0; // one form per leaf: the short encoding carries no market
    }

    public static OrderHashLeaf posted(long orderId, int marketId, long expiry) {
        return new OrderHashLeaf(orderId, NOBODY, marketId, expiry);
    }

    public static OrderHashLeaf tombstone(Address canceller) {
        return new OrderHashLeaf(0, canceller, 0, 0);
    }

    public boolean isTombstone() {
        return orderId == 0;
    }

    public byte[] encode() {
        if (expiry == 0) return new AbiWriter(2).uint(orderId).address(cancelledBy.bytes()).toBytes();
        return new AbiWriter(4).uint(orderId).address(cancelledBy.bytes()).uint(marketId & 0xffffffffL).uint(expiry).toBytes();
    }

    /** Reads either form: 64 bytes (no expiry) or 128 (with market and expiry). */
    public static OrderHashLeaf decode(byte[] v) {
        AbiReader r = new AbiReader(v, v.length == 128 ? 4 : 2);
        long id = r.uint(63);
        Address by = new Address(r.address());
        if (v.length != 128) return new OrderHashLeaf(id, by, 0, 0);
        return new OrderHashLeaf(id, by, (int) r.uint(32), r.uint(63));
    }
}
