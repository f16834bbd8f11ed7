package dev.clearline.engine.state;

import dev.clearline.engine.order.Address;
import dev.clearline.tree.Bytes32;
import dev.clearline.tree.hash.Keccak256;

/**
 * The state tree key of every leaf kind: {@code keccak256(abi.encode(uint256 tag, fields...))}
 * (docs/protocol.md section 2.6). Solidity's {@code StateKeys} library computes the same keys;
 * the conformance suite checks the two against each other in the EVM.
 */
public final class StateKeys {
    public static final int BALANCE = 1;
    public static final int POSITION = 2;
    public static final int ORDER = 3;
    public static final int MARKET = 4;
    public static final int WITHDRAWAL = 5;
    public static final int GLOBAL = 6;
    public static final int ORDER_STATE = 7;

    private static final long UINT32_MAX = 0xFFFF_FFFFL;

    private StateKeys() {}

    /** An owner's free collateral: {@code keccak(abi.encode(1, address owner))}. */
    public static Bytes32 balance(Address owner) {
        byte[] p = preimage(BALANCE, 1);
        address(p, 1, owner);
        return hash(p);
    }

    /** An isolated position: {@code keccak(abi.encode(2, address owner, uint32 marketId))}. */
    public static Bytes32 position(Address owner, long marketId) {
        byte[] p = preimage(POSITION, 2);
        address(p, 1, owner);
        uint(p, 2, uint32(marketId));
        return hash(p);
    }

    /**
     * What became of an order hash (its short id, or a tombstone):
     * {@code keccak(abi.encode(3, bytes32 orderHash))}.
     */
    public static Bytes32 order(Bytes32 orderHash) {
        byte[] p = preimage(ORDER, 1);
        System.arraycopy(orderHash.toArray(), 0, p, 32, 32);
        return hash(p);
    }

    /**
     * A posted order's terms and fills, by its short id: {@code keccak(abi.encode(7, uint64 orderId))};
     * ids are below 2^48.
     */
    public static Bytes32 orderState(long orderId) {
        if (orderId < 0) throw new IllegalArgumentException("orderId " + orderId + " is negative; ids are 1..2^48-1");
        byte[] p = preimage(ORDER_STATE, 1);
        uint(p, 1, orderId);
        return hash(p);
    }

    /** A market's parameters and prices: {@code keccak(abi.encode(4, uint32 marketId))}. */
    public static Bytes32 market(long marketId) {
        byte[] p = preimage(MARKET, 1);
        uint(p, 1, uint32(marketId));
        return hash(p);
    }

    /**
     * A withdrawal: {@code keccak(abi.encode(5, uint64 withdrawalId))}; {@code withdrawalId} is an
     * unsigned 64-bit value carried in a long (negative longs stand for ids >= 2^63).
     */
    public static Bytes32 withdrawal(long withdrawalId) {
        byte[] p = preimage(WITHDRAWAL, 1);
        uint(p, 1, withdrawalId);
        return hash(p);
    }

    /** The one global leaf: {@code keccak(abi.encode(6))}. */
    public static Bytes32 global() {
        return hash(preimage(GLOBAL, 0));
    }

    private static long uint32(long marketId) {
        if (marketId < 0 || marketId > UINT32_MAX) {
            throw new IllegalArgumentException("marketId " + marketId + " is outside uint32 (0.." + UINT32_MAX + ")");
        }
        return marketId;
    }

    /**
     * {@code abi.encode(uint256 tag, ...)}'s bytes with room for {@code fields} more 32-byte words,
     * each written in place by {@link #uint} or {@link #address}: one array per key (keys are derived
     * on every leaf access of the STF, so a buffer and an array per word added up).
     */
    private static byte[] preimage(int tag, int fields) {
        byte[] p = new byte[32 * (1 + fields)];
        uint(p, 0, tag);
        return p;
    }

    /** An unsigned integer (the long's 64 bits read as unsigned) right-aligned in word {@code word}. */
    private static void uint(byte[] p, int word, long v) {
        int end = 32 * word + 32;
        for (int i = 1; i <= 8; i++, v >>>= 8) p[end - i] = (byte) v;
    }

    /** An address right-aligned in word {@code word}, as abi.encode pads it. */
    private static void address(byte[] p, int word, Address a) {
        System.arraycopy(a.bytes(), 0, p, 32 * word + 12, 20);
    }

    private static Bytes32 hash(byte[] preimage) {
        return Bytes32.of(Keccak256.hash(preimage));
    }
}
