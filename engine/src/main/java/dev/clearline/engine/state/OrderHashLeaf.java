package dev.clearline.engine.state;

import dev.clearline.engine.abi.AbiReader;
import dev.clearline.engine.abi.AbiWriter;
import dev.clearline.engine.order.Address;

/**
 * {@code abi.encode(uint64 orderId, address cancelledBy)}, under the order's EIP-712 digest: what
 * became of that order hash. Posted: {@code orderId >= 1} (the short id trades use; its terms and
 * fills are the {@link OrderLeaf} under that id) and {@code cancelledBy == 0}. Cancelled before it
 * was ever posted (a tombstone): {@code orderId == 0} and {@code cancelledBy} the canceller, so that
 * trader can never post the hash afterwards. A hash that has neither has no leaf.
 */
public record OrderHashLeaf(long orderId, Address cancelledBy) implements LeafValue {
    private static final Address NOBODY = new Address(new byte[20]);

    public static OrderHashLeaf posted(long orderId) {
        return new OrderHashLeaf(orderId, NOBODY);
    }

    public static OrderHashLeaf tombstone(Address canceller) {
        return new OrderHashLeaf(0, canceller);
    }

    public boolean isTombstone() {
        return orderId == 0;
    }

    public byte[] encode() {
        return new AbiWriter(2).uint(orderId).address(cancelledBy.bytes()).toBytes();
    }

    public static OrderHashLeaf decode(byte[] v) {
        AbiReader r = new AbiReader(v, 2);
        return new OrderHashLeaf(r.uint(63), new Address(r.address()));
    }
}
