package dev.clearline.engine.batch;

import dev.clearline.engine.order.Hash32;
import dev.clearline.tree.hash.Keccak256;

import java.util.List;

/**
 * Binary Merkle root over keccak(transition bytes). The leaf count is padded up to the next power
 * of two with bytes32(0) leaves; a node is keccak(left || right); one transition's root is its
 * leaf hash; an empty batch's root is bytes32(0).
 */
public final class TransitionsRoot {
    private TransitionsRoot() {}

    public static Hash32 of(List<byte[]> encodedTransitions) {
        int n = encodedTransitions.size();
        if (n == 0) return Hash32.ZERO;
        int width = Integer.highestOneBit(n) == n ? n : Integer.highestOneBit(n) << 1;
        byte[][] level = new byte[width][];
        for (int i = 0; i < width; i++) level[i] = i < n ? Keccak256.hash(encodedTransitions.get(i)) : new byte[32];
        for (; width > 1; width >>= 1) {
            for (int i = 0; i < width / 2; i++) level[i] = pair(level[2 * i], level[2 * i + 1]);
        }
        return new Hash32(level[0]);
    }

    /** keccak(left || right), with the tree's Keccak (no digest object per call). */
    private static byte[] pair(byte[] left, byte[] right) {
        byte[] both = new byte[64];
        System.arraycopy(left, 0, both, 0, 32);
        System.arraycopy(right, 0, both, 32, 32);
        return Keccak256.hash(both);
    }

    /** Sibling hashes from leaf {@code index} up to the root: a transition's inclusion proof for a dispute. */
    public static List<Hash32> proof(List<byte[]> encodedTransitions, int index) {
        int n = encodedTransitions.size();
        if (index < 0 || index >= n) throw new IndexOutOfBoundsException("transition " + index + " of " + n);
        int width = Integer.highestOneBit(n) == n ? n : Integer.highestOneBit(n) << 1;
        byte[][] level = new byte[width][];
        for (int i = 0; i < width; i++) level[i] = i < n ? Keccak256.hash(encodedTransitions.get(i)) : new byte[32];
        java.util.ArrayList<Hash32> siblings = new java.util.ArrayList<>();
        for (int at = index; width > 1; width >>= 1, at >>= 1) {
            siblings.add(new Hash32(level[at ^ 1]));
            for (int i = 0; i < width / 2; i++) level[i] = pair(level[2 * i], level[2 * i + 1]);
        }
        return siblings;
    }
}
