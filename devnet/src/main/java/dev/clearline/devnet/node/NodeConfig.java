package dev.clearline.devnet.node;

import dev.clearline.devnet.accounts.DevAccounts;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.function.LongSupplier;

/**
 * How a node starts.
 *
 * @param dataDir       null: in memory; else the chain and world state persist there and reopen
 * @param automine      true: every accepted transaction is mined at once in its own block
 * @param clockSeconds  the wall clock in Unix seconds; block timestamps derive from it plus evm_increaseTime
 * @param blockTxs      automine only: at most this many transactions waiting to be mined go into one block.
 *                      1 (the default) is Hardhat's automine, a block per transaction; more is an opt-in for
 *                      load, where several transactions sent at once share a block (see DevnetNode)
 */
public record NodeConfig(long chainId, long blockGasLimit, BigInteger initialBaseFee, DevAccounts accounts,
                         BigInteger accountBalance, Path dataDir, boolean automine, LongSupplier clockSeconds, int blockTxs,
                         long timeSpeed) {

    /**
     * @param timeSpeed how many L1 seconds {@code clockSeconds} advances per real second (1 unless the clock runs
     *                  fast, as {@code ./clearline up}'s does): told to clients by {@code clearline_nodeInfo}, so that
     *                  they can say how long an L1 wait takes on this node
     */
    public NodeConfig {
        if (blockTxs < 1) throw new IllegalArgumentException("blockTxs must be at least 1, got " + blockTxs);
        if (timeSpeed < 1) throw new IllegalArgumentException("timeSpeed must be at least 1, got " + timeSpeed);
    }

    public NodeConfig(long chainId, long blockGasLimit, BigInteger initialBaseFee, DevAccounts accounts,
                      BigInteger accountBalance, Path dataDir, boolean automine, LongSupplier clockSeconds) {
        this(chainId, blockGasLimit, initialBaseFee, accounts, accountBalance, dataDir, automine, clockSeconds, 1, 1);
    }

    public static final long DEFAULT_CHAIN_ID = 31337;
    public static final long DEFAULT_BLOCK_GAS_LIMIT = 30_000_000;
    public static final BigInteger ONE_GWEI = BigInteger.TEN.pow(9);
    public static final BigInteger DEFAULT_BALANCE = BigInteger.TEN.pow(22);

    /** Hardhat's defaults: chain 31337, 30M gas blocks, 1 gwei initial base fee, 10 accounts of 10,000 ETH. */
    public static NodeConfig defaults(LongSupplier clockSeconds) {
        return new NodeConfig(DEFAULT_CHAIN_ID, DEFAULT_BLOCK_GAS_LIMIT, ONE_GWEI, DevAccounts.defaults(),
                DEFAULT_BALANCE, null, true, clockSeconds);
    }

    public NodeConfig withChainId(long id) {
        return new NodeConfig(id, blockGasLimit, initialBaseFee, accounts, accountBalance, dataDir, automine, clockSeconds, blockTxs, timeSpeed);
    }

    public NodeConfig withDataDir(Path dir) {
        return new NodeConfig(chainId, blockGasLimit, initialBaseFee, accounts, accountBalance, dir, automine, clockSeconds, blockTxs, timeSpeed);
    }

    public NodeConfig withAutomine(boolean on) {
        return new NodeConfig(chainId, blockGasLimit, initialBaseFee, accounts, accountBalance, dataDir, on, clockSeconds, blockTxs, timeSpeed);
    }

    public NodeConfig withAccounts(DevAccounts a) {
        return new NodeConfig(chainId, blockGasLimit, initialBaseFee, a, accountBalance, dataDir, automine, clockSeconds, blockTxs, timeSpeed);
    }

    /** Automine with up to {@code n} waiting transactions per block (1: a block per transaction). */
    public NodeConfig withBlockTxs(int n) {
        return new NodeConfig(chainId, blockGasLimit, initialBaseFee, accounts, accountBalance, dataDir, automine, clockSeconds, n, timeSpeed);
    }

    /** Says that {@link #clockSeconds} runs {@code speed} L1 seconds per real second (it must already run that fast). */
    public NodeConfig withTimeSpeed(long speed) {
        return new NodeConfig(chainId, blockGasLimit, initialBaseFee, accounts, accountBalance, dataDir, automine, clockSeconds, blockTxs, speed);
    }
}
