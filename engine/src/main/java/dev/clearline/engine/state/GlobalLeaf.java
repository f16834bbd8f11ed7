package dev.clearline.engine.state;

import dev.clearline.engine.abi.AbiReader;
import dev.clearline.engine.abi.AbiWriter;
import dev.clearline.engine.order.Hash32;

/**
 * {@code abi.encode(uint64 nextWithdrawalId, uint64 priorityOpsConsumed, bytes32 priorityHash,
 * uint64 forcedRejections)}. {@code priorityHash} is the rolling hash of every consumed priority
 * op; the L1 contract compares it with its queue's rolling hash at {@code priorityOpsConsumed}.
 */
public record GlobalLeaf(long nextWithdrawalId, long priorityOpsConsumed, Hash32 priorityHash, long forcedRejections) {
    public static final GlobalLeaf GENESIS = new GlobalLeaf(0, 0, Hash32.ZERO, 0);

    public byte[] encode() {
        return new AbiWriter(4).uint(nextWithdrawalId).uint(priorityOpsConsumed).bytes32(priorityHash.bytes())
                .uint(forcedRejections).toBytes();
    }

    public static GlobalLeaf decode(byte[] v) {
        AbiReader r = new AbiReader(v, 4);
        return new GlobalLeaf(r.uint(63), r.uint(63), new Hash32(r.bytes32()), r.uint(63));
    }
}
