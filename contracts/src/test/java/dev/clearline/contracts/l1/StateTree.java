package dev.clearline.contracts.l1;

import dev.clearline.evm.Address;
import dev.clearline.tree.Bytes32;
import dev.clearline.tree.SparseMerkleTree;
import dev.clearline.tree.WriteSet;
import dev.clearline.tree.store.MemoryNodeStore;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.List;
import org.web3j.crypto.Hash;

/** A real Clearline state tree (docs/protocol.md section 2) with the leaves the L1 contracts read. */
final class StateTree {
    final SparseMerkleTree tree = new SparseMerkleTree(new MemoryNodeStore());
    private WriteSet pending = new WriteSet();

    static Bytes32 key(long tag, byte[]... fields) {
        byte[][] words = new byte[fields.length + 1][];
        words[0] = Transitions.u256(tag);
        System.arraycopy(fields, 0, words, 1, fields.length);
        return Bytes32.of(Hash.sha3(L1Fixture.concat(words)));
    }

    static byte[] word(Address a) {
        byte[] w = new byte[32];
        System.arraycopy(a.bytes(), 0, w, 12, 20);
        return w;
    }

    static byte[] signed(long v) {
        byte[] w = new byte[32];
        byte[] b = BigInteger.valueOf(v).toByteArray();
        if (v < 0) java.util.Arrays.fill(w, (byte) 0xff);
        System.arraycopy(b, 0, w, 32 - b.length, b.length);
        return w;
    }

    static Bytes32 balanceKey(Address owner) {
        return key(1, word(owner));
    }

    static Bytes32 positionKey(Address owner, int market) {
        return key(2, word(owner), Transitions.u256(market));
    }

    static Bytes32 marketKey(int market) {
        return key(4, Transitions.u256(market));
    }

    static Bytes32 withdrawalKey(long id) {
        return key(5, Transitions.u256(id));
    }

    static byte[] balanceValue(long free, long nonce) {
        return L1Fixture.concat(Transitions.u256(free), Transitions.u256(nonce));
    }

    static byte[] positionValue(long size, long quote, long fundingIndex) {
        return L1Fixture.concat(signed(size), signed(quote), signed(fundingIndex));
    }

    static byte[] withdrawalValue(Address recipient, long amount) {
        return L1Fixture.concat(word(recipient), Transitions.u256(amount));
    }

    /** MARKET leaf: tick, lot, imf, mmf, maker, taker, liquidation fee, oracle, mark, fundingIndex, lastOracleTs, fees. */
    record Market(long tick, long lot, int imf, int mmf, int maker, int taker, int liquidationFee, Address oracle, long mark, long fundingIndex,
                  long lastOracleTs, long fees) {
        byte[] value() {
            return L1Fixture.concat(Transitions.u256(tick), Transitions.u256(lot), Transitions.u256(imf), Transitions.u256(mmf),
                    Transitions.u256(maker), Transitions.u256(taker), Transitions.u256(liquidationFee), word(oracle), Transitions.u256(mark), signed(fundingIndex),
                    Transitions.u256(lastOracleTs), Transitions.u256(fees));
        }
    }

    StateTree put(Bytes32 key, byte[] value) {
        pending.put(key, value);
        return this;
    }

    /** Commits the pending writes and returns the root. */
    byte[] commit() {
        tree.commit(pending);
        pending = new WriteSet();
        return tree.root().toArray();
    }

    byte[] proof(Bytes32... keys) {
        return tree.prove(tree.latestVersion(), List.of(keys)).encode();
    }

    static byte[] u64(long v) {
        return ByteBuffer.allocate(8).putLong(v).array();
    }
}
