package dev.clearline.engine.transition;

import dev.clearline.engine.abi.Keccak;
import dev.clearline.engine.order.Hash32;

/**
 * The L1 priority queue's hashing, which the STF mirrors in the global leaf: an entry's hash is
 * keccak of its transition encoding (the L1 contract builds the same bytes with
 * {@code abi.encodePacked}), and the rolling hash after n entries is
 * {@code h_n = keccak(h_{n-1} || entryHash_n)}, {@code h_0 = bytes32(0)}.
 */
public final class PriorityQueueHash {
    private PriorityQueueHash() {}

    public static Hash32 entryHash(Transition.PriorityOp op) {
        return new Hash32(Keccak.hash(TransitionCodec.encode(op)));
    }

    public static Hash32 roll(Hash32 rolling, Transition.PriorityOp op) {
        return new Hash32(Keccak.hash(rolling.bytes(), entryHash(op).bytes()));
    }
}
