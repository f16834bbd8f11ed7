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
 */
public record NodeConfig(long chainId, long blockGasLimit, BigInteger initialBaseFee, DevAccounts accounts,
                         BigInteger accountBalance, Path dataDir, boolean automine, LongSupplier clockSeconds) {

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
        return new NodeConfig(id, blockGasLimit, initialBaseFee, accounts, accountBalance, dataDir, automine, clockSeconds);
    }

    public NodeConfig withDataDir(Path dir) {
        return new NodeConfig(chainId, blockGasLimit, initialBaseFee, accounts, accountBalance, dir, automine, clockSeconds);
    }

    public NodeConfig withAutomine(boolean on) {
        return new NodeConfig(chainId, blockGasLimit, initialBaseFee, accounts, accountBalance, dataDir, on, clockSeconds);
    }

    public NodeConfig withAccounts(DevAccounts a) {
        return new NodeConfig(chainId, blockGasLimit, initialBaseFee, a, accountBalance, dataDir, automine, clockSeconds);
    }
}
