package dev.clearline.engine.state;

import dev.clearline.engine.abi.AbiReader;
import dev.clearline.engine.abi.AbiWriter;

/**
 * {@code abi.encode(int64 size, int64 quote, int64 fundingIndex)}: one isolated (owner, market)
 * position. {@code size} in base units (a multiple of the lot size), {@code quote} in 1e-6
 * collateral units and including the margin put in, {@code fundingIndex} the market index it last
 * settled at.
 */
public record PositionLeaf(long size, long quote, long fundingIndex) implements LeafValue {
    public static final PositionLeaf EMPTY = new PositionLeaf(0, 0, 0);

    public byte[] encode() {
        return new AbiWriter(3).int64(size).int64(quote).int64(fundingIndex).toBytes();
    }

    public static PositionLeaf decode(byte[] v) {
        AbiReader r = new AbiReader(v, 3);
        return new PositionLeaf(r.int64(), r.int64(), r.int64());
    }
}
