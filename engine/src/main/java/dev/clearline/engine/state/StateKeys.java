package dev.clearline.engine.state;

import dev.clearline.engine.order.Address;
import dev.clearline.tree.Bytes32;
import dev.clearline.tree.hash.Keccak256;
import java.nio.ByteBuffer;

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
        return key(BALANCE, address(owner));
    }

    /** An isolated position: {@code keccak(abi.encode(2, address owner, uint32 marketId))}. */
    public static Bytes32 position(Address owner, long marketId) {
        return key(POSITION, address(owner), uint(uint32(marketId)));
    }

    /**
     * What became of an order hash (its short id, or a tombstone):
     * {@code keccak(abi.encode(3, bytes32 orderHash))}.
     */
    public static Bytes32 order(Bytes32 orderHash) {
        return key(ORDER, orderHash.toArray());
    }

    /**
     * A posted order's terms and fills, by its short id: {@code keccak(abi.encode(7, uint64 orderId))};
     * ids are below 2^48.
     */
    public static Bytes32 orderState(long orderId) {
        if (orderId < 0) throw new IllegalArgumentException("orderId " + orderId + " is negative; ids are 1..2^48-1");
        return key(ORDER_STATE, uint(orderId));
    }

    /** A market's parameters and prices: {@code keccak(abi.encode(4, uint32 marketId))}. */
    public static Bytes32 market(long marketId) {
        return key(MARKET, uint(uint32(marketId)));
    }

    /**
     * A withdrawal: {@code keccak(abi.encode(5, uint64 withdrawalId))}; {@code withdrawalId} is an
     * unsigned 64-bit value carried in a long (negative longs stand for ids >= 2^63).
     */
    public static Bytes32 withdrawal(long withdrawalId) {
        return key(WITHDRAWAL, uint(withdrawalId));
    }

    /** The one global leaf: {@code keccak(abi.encode(6))}. */
    public static Bytes32 global() {
        return key(GLOBAL);
    }

    private static long uint32(long marketId) {
        if (marketId < 0 || marketId > UINT32_MAX) {
            throw new IllegalArgumentException("marketId " + marketId + " is outside uint32 (0.." + UINT32_MAX + ")");
        }
        return marketId;
    }

    /** {@code keccak(abi.encode(uint256 tag, words...))}: every field is one 32-byte word. */
    private static Bytes32 key(int tag, byte[]... words) {
        ByteBuffer buf = ByteBuffer.allocate(32 * (1 + words.length));
        buf.put(uint(tag));
        for (byte[] w : words) {
            buf.put(w);
        }
        return Bytes32.of(Keccak256.hash(buf.array()));
    }

    /** An unsigned integer (the long's 64 bits read as unsigned) right-aligned in a word. */
    private static byte[] uint(long v) {
        return ByteBuffer.allocate(32).putLong(24, v).array();
    }

    /** An address right-aligned in a word, as abi.encode pads it. */
    private static byte[] address(Address a) {
        return ByteBuffer.allocate(32).put(12, a.bytes()).array();
    }
}
