package dev.clearline.evm;

import java.math.BigInteger;
import java.util.Objects;

/**
 * The block a message executes in: what NUMBER, TIMESTAMP, CHAINID, BASEFEE, COINBASE, GASLIMIT,
 * PREVRANDAO and BLOCKHASH see. Time is data here: the caller chooses the timestamp.
 */
public record BlockContext(
        long number,
        long timestamp,
        long chainId,
        BigInteger baseFee,
        Address coinbase,
        long gasLimit,
        Bytes32 prevRandao,
        BlockHashes blockHashes) {

    public static final long DEFAULT_GAS_LIMIT = 30_000_000L;

    public BlockContext {
        if (number < 0 || timestamp < 0 || chainId <= 0) {
            throw new IllegalArgumentException("block number and timestamp must be >= 0 and chain id > 0, got number "
                    + number + ", timestamp " + timestamp + ", chain id " + chainId);
        }
        if (gasLimit <= 0) {
            throw new IllegalArgumentException("block gas limit must be positive, got " + gasLimit);
        }
        Objects.requireNonNull(baseFee, "baseFee (use BigInteger.ZERO for none)");
        if (baseFee.signum() < 0) {
            throw new IllegalArgumentException("base fee must be >= 0, got " + baseFee);
        }
        Objects.requireNonNull(coinbase, "coinbase (use Address.ZERO for none)");
        Objects.requireNonNull(prevRandao, "prevRandao (use Bytes32.ZERO for none)");
        Objects.requireNonNull(blockHashes, "blockHashes (use BlockHashes.NONE for none)");
    }

    /** Block {@code number} at {@code timestamp} on {@code chainId}, no base fee, 30M gas, zero coinbase. */
    public static BlockContext of(long chainId, long number, long timestamp) {
        return new BlockContext(number, timestamp, chainId, BigInteger.ZERO, Address.ZERO, DEFAULT_GAS_LIMIT,
                Bytes32.ZERO, BlockHashes.NONE);
    }

    public BlockContext withNumber(long n) {
        return new BlockContext(n, timestamp, chainId, baseFee, coinbase, gasLimit, prevRandao, blockHashes);
    }

    public BlockContext withTimestamp(long t) {
        return new BlockContext(number, t, chainId, baseFee, coinbase, gasLimit, prevRandao, blockHashes);
    }

    public BlockContext withBaseFee(BigInteger fee) {
        return new BlockContext(number, timestamp, chainId, fee, coinbase, gasLimit, prevRandao, blockHashes);
    }

    public BlockContext withCoinbase(Address c) {
        return new BlockContext(number, timestamp, chainId, baseFee, c, gasLimit, prevRandao, blockHashes);
    }

    public BlockContext withGasLimit(long g) {
        return new BlockContext(number, timestamp, chainId, baseFee, coinbase, g, prevRandao, blockHashes);
    }

    public BlockContext withPrevRandao(Bytes32 r) {
        return new BlockContext(number, timestamp, chainId, baseFee, coinbase, gasLimit, r, blockHashes);
    }

    public BlockContext withBlockHashes(BlockHashes h) {
        return new BlockContext(number, timestamp, chainId, baseFee, coinbase, gasLimit, prevRandao, h);
    }
}
