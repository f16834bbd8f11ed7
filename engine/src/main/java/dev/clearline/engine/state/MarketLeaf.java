package dev.clearline.engine.state;

import dev.clearline.engine.abi.AbiReader;
import dev.clearline.engine.abi.AbiWriter;
import dev.clearline.engine.order.Address;

/**
 * {@code abi.encode(uint64 tickSize, uint64 lotSize, uint32 imfPpm, uint32 mmfPpm, uint32 makerFeePpm,
 * uint32 takerFeePpm, address oracle, uint64 markPrice, int64 fundingIndex, uint64 lastOracleTs,
 * uint64 feesAccrued)}. Parameters come only from MarketConfig priority ops; mark, index and time
 * only from signed OraclePrice transitions; fees accrue here on every fill.
 */
public record MarketLeaf(long tickSize, long lotSize, int imfPpm, int mmfPpm, int makerFeePpm, int takerFeePpm,
                         Address oracle, long markPrice, long fundingIndex, long lastOracleTs, long feesAccrued) {
    public byte[] encode() {
        return new AbiWriter(11).uint(tickSize).uint(lotSize).uint(imfPpm).uint(mmfPpm).uint(makerFeePpm)
                .uint(takerFeePpm).address(oracle.bytes()).uint(markPrice).int64(fundingIndex).uint(lastOracleTs)
                .uint(feesAccrued).toBytes();
    }

    public static MarketLeaf decode(byte[] v) {
        AbiReader r = new AbiReader(v, 11);
        return new MarketLeaf(r.uint(63), r.uint(63), (int) r.uint(31), (int) r.uint(31), (int) r.uint(31),
                (int) r.uint(31), new Address(r.address()), r.uint(63), r.int64(), r.uint(63), r.uint(63));
    }

    public MarketLeaf withParams(long tick, long lot, int imf, int mmf, int makerFee, int takerFee, Address oracleKey) {
        return new MarketLeaf(tick, lot, imf, mmf, makerFee, takerFee, oracleKey, markPrice, fundingIndex, lastOracleTs, feesAccrued);
    }

    public MarketLeaf withOracle(long mark, long index, long ts) {
        return new MarketLeaf(tickSize, lotSize, imfPpm, mmfPpm, makerFeePpm, takerFeePpm, oracle, mark, index, ts, feesAccrued);
    }

    public MarketLeaf withFees(long fees) {
        return new MarketLeaf(tickSize, lotSize, imfPpm, mmfPpm, makerFeePpm, takerFeePpm, oracle, markPrice, fundingIndex, lastOracleTs, fees);
    }
}
