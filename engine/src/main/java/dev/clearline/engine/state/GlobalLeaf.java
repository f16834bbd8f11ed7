package dev.clearline.engine.state;

import dev.clearline.engine.abi.AbiReader;
import dev.clearline.engine.abi.AbiWriter;
import dev.clearline.engine.order.Hash32;

/**
 * {@code abi.encode(uint64 nextWithdrawalId, uint64 priorityOpsConsumed, bytes32 priorityHash,
 * uint64 forcedRejections, uint64 orderCount)}. {@code priorityHash} is the rolling hash of every
 * consumed priority op; the L1 contract compares it with its queue's rolling hash at
 * {@code priorityOpsConsumed}. {@code orderCount} is the number of orders ever posted: the n-th
 * PostOrder gives its order the short id n (ids start at 1; 0 names no order).
 */
public record GlobalLeaf(long nextWithdrawalId, long priorityOpsConsumed, Hash32 priorityHash, long forcedRejections,
                         long orderCount) implements LeafValue {
    public static final GlobalLeaf GENESIS = new GlobalLeaf(0, 0, Hash32.ZERO, 0, 0);
    /** Short order ids are 48-bit in Trade encodings (docs/protocol.md section 5). */
    public static final long MAX_ORDER_ID = (1L << 48) - 1;

    public byte[] encode() {
        return new AbiWriter(5).uint(nextWithdrawalId).uint(priorityOpsConsumed).bytes32(priorityHash.bytes())
                .uint(forcedRejections).uint(orderCount).toBytes();
    }

    public static GlobalLeaf decode(byte[] v) {
        AbiReader r = new AbiReader(v, 5);
        return new GlobalLeaf(r.uint(63), r.uint(63), new Hash32(r.bytes32()), r.uint(63), r.uint(63));
    }

    public GlobalLeaf withNextWithdrawalId(long id) {
        return new GlobalLeaf(id, priorityOpsConsumed, priorityHash, forcedRejections, orderCount);
    }

    public GlobalLeaf withOrderCount(long count) {
        return new GlobalLeaf(nextWithdrawalId, priorityOpsConsumed, priorityHash, forcedRejections, count);
    }
}
