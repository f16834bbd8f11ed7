package dev.clearline.engine.state;

import dev.clearline.engine.abi.AbiReader;
import dev.clearline.engine.abi.AbiWriter;

/**
 * {@code abi.encode(uint64 free, uint64 nonce)}: an owner's collateral outside every position, and
 * the next nonce its signed allocate/release/withdraw requests must carry (replay protection).
 */
public record BalanceLeaf(long free, long nonce) implements LeafValue {
    public static final BalanceLeaf EMPTY = new BalanceLeaf(0, 0);

    public byte[] encode() {
        return new AbiWriter(2).uint(free).uint(nonce).toBytes();
    }

    public static BalanceLeaf decode(byte[] v) {
        AbiReader r = new AbiReader(v, 2);
        return new BalanceLeaf(r.uint(63), r.uint(63));
    }
}
