package dev.clearline.engine.state;

import dev.clearline.engine.abi.AbiReader;
import dev.clearline.engine.abi.AbiWriter;
import dev.clearline.engine.order.Address;

/**
 * {@code abi.encode(uint64 tickSize, uint64 lotSize, uint32 imfPpm, uint32 mmfPpm, uint32 makerFeePpm,
 * uint32 takerFeePpm, uint32 liquidationFeePpm, address oracle, uint64 markPrice, int64 fundingIndex, uint64 lastOracleTs,
 * uint64 feesAccrued)}. Parameters come only from MarketConfig priority ops; mark, index and time
 * only from signed OraclePrice transitions; fees accrue here on every fill.
 */
public record MarketLeaf(long tickSize, long lotSize, int imfPpm, int mmfPpm, int makerFeePpm, int takerFeePpm,
                         int liquidationFeePpm, Address oracle, long markPrice, long fundingIndex, long lastOracleTs, long feesAccrued) implements LeafValue {
    public byte[] encode() {
        return new AbiWriter(12).uint(tickSize).uint(lotSize).uint(imfPpm).uint(mmfPpm).uint(makerFeePpm)
                .uint(takerFeePpm).uint(liquidationFeePpm).address(oracle.bytes()).uint(markPrice).int64(fundingIndex).uint(lastOracleTs)
                .uint(feesAccrued).toBytes();
    }

    public static MarketLeaf decode(byte[] v) {
        AbiReader r = new AbiReader(v, 12);
        return new MarketLeaf(r.uint(63), r.uint(63), (int) r.uint(31), (int) r.uint(31), (int) r.uint(31),
                (int) r.uint(31), (int) r.uint(31), new Address(r.address()), r.uint(63), r.int64(), r.uint(63), r.uint(63));
    }

    public MarketLeaf withParams(long tick, long lot, int imf, int mmf, int makerFee, int takerFee, int liquidationFee,
                                 Address oracleKey) {
        return new MarketLeaf(tick, lot, imf, mmf, makerFee, takerFee, liquidationFee, oracleKey, markPrice, fundingIndex, lastOracleTs, feesAccrued);
    }

    public MarketLeaf withOracle(long mark, long index, long ts) {
        return new MarketLeaf(tickSize, lotSize, imfPpm, mmfPpm, makerFeePpm, takerFeePpm, liquidationFeePpm, oracle, mark, index, ts,
                feesAccrued);
    }

    public MarketLeaf withFees(long fees) {
        return new MarketLeaf(tickSize, lotSize, imfPpm, mmfPpm, makerFeePpm, takerFeePpm, liquidationFeePpm, oracle, markPrice,
                fundingIndex, lastOracleTs, fees);
    }
}
