package dev.clearline.contracts.l1;

import dev.clearline.evm.Address;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.web3j.crypto.Hash;

/** Transition encodings (docs/protocol.md section 5) and the transitions root (section 6) for tests. */
final class Transitions {
    private Transitions() {}

    static byte[] deposit(long index, long enqueueTime, Address owner, long amount) {
        return ByteBuffer.allocate(45).put((byte) 1).putLong(index).putLong(enqueueTime).put(owner.bytes()).putLong(amount).array();
    }

    static byte[] forcedWithdrawal(long index, long enqueueTime, Address owner, long amount) {
        return ByteBuffer.allocate(45).put((byte) 3).putLong(index).putLong(enqueueTime).put(owner.bytes()).putLong(amount).array();
    }

    static byte[] forcedCancel(long index, long enqueueTime, Address owner, byte[] orderHash) {
        return ByteBuffer.allocate(69).put((byte) 4).putLong(index).putLong(enqueueTime).put(owner.bytes()).put(orderHash).array();
    }

    static byte[] marketConfig(long index, long enqueueTime, int market, long tick, long lot, int imf, int mmf, int maker, int taker,
                               int liquidationFee, Address oracle) {
        return ByteBuffer.allocate(77).put((byte) 2).putLong(index).putLong(enqueueTime).putInt(market).putLong(tick).putLong(lot)
                .putInt(imf).putInt(mmf).putInt(maker).putInt(taker).putInt(liquidationFee).put(oracle.bytes()).array();
    }

    /** A PruneOrder (type 15, 7 bytes): the shortest transition; {@code shortId} picks its content. */
    static byte[] pruneOrder(int shortId) {
        return ByteBuffer.allocate(7).put((byte) 15).putInt(shortId).putShort((short) 0).array();
    }

    /** A Trade (type 7, 21 bytes): two short order references and a size; {@code i} picks its content. */
    static byte[] trade(int i) {
        return ByteBuffer.allocate(21).put((byte) 7).putInt(i).putInt(i + 1).putLong(1_000).putInt(0).array();
    }

    /** A Liquidate (type 12, 25 bytes); market id picks its content. */
    static byte[] liquidate(Address owner, int market) {
        return ByteBuffer.allocate(25).put((byte) 12).put(owner.bytes()).putInt(market).array();
    }

    /** A Liquidate the toy verifier rejects (its last byte is 0xEE). */
    static byte[] invalid(Address owner) {
        return liquidate(owner, 0x0000_00EE);
    }

    static byte[] concat(List<byte[]> transitions) {
        return L1Fixture.concat(transitions.toArray(byte[][]::new));
    }

    static List<byte[]> filler(int n, int salt) {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(liquidate(Address.ofLong(0x1000 + salt), i * 256 + 1));
        return out;
    }

    static byte[] root(List<byte[]> transitions) {
        if (transitions.isEmpty()) return new byte[32];
        int size = 1;
        while (size < transitions.size()) size <<= 1;
        List<byte[]> level = new ArrayList<>();
        for (int i = 0; i < size; i++) level.add(i < transitions.size() ? Hash.sha3(transitions.get(i)) : new byte[32]);
        while (level.size() > 1) {
            List<byte[]> next = new ArrayList<>();
            for (int i = 0; i < level.size(); i += 2) next.add(Hash.sha3(L1Fixture.concat(level.get(i), level.get(i + 1))));
            level = next;
        }
        return level.getFirst();
    }

    /** Siblings bottom-up of leaf {@code index}; the tree is padded to the next power of two. */
    static List<byte[]> proof(List<byte[]> transitions, int index) {
        int size = 1;
        while (size < transitions.size()) size <<= 1;
        List<byte[]> level = new ArrayList<>();
        for (int i = 0; i < size; i++) level.add(i < transitions.size() ? Hash.sha3(transitions.get(i)) : new byte[32]);
        List<byte[]> siblings = new ArrayList<>();
        int at = index;
        while (level.size() > 1) {
            siblings.add(level.get(at ^ 1));
            List<byte[]> next = new ArrayList<>();
            for (int i = 0; i < level.size(); i += 2) next.add(Hash.sha3(L1Fixture.concat(level.get(i), level.get(i + 1))));
            level = next;
            at >>= 1;
        }
        return siblings;
    }

    static byte[] u256(long v) {
        byte[] out = new byte[32];
        byte[] b = BigInteger.valueOf(v).toByteArray();
        System.arraycopy(b, Math.max(0, b.length - 32), out, 32 - Math.min(32, b.length), Math.min(32, b.length));
        return out;
    }
}
