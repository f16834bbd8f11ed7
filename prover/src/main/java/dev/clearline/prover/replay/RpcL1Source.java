package dev.clearline.prover.replay;

import dev.clearline.prover.l1.RollupLog;
import java.io.IOException;
import java.math.BigInteger;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.methods.response.EthBlock;

/** {@link L1Source} over any JSON-RPC endpoint, through {@link RollupLog}. */
public final class RpcL1Source implements L1Source {
    private final Web3j web3j;
    private final RollupLog log;

    private final dev.clearline.contracts.generated.Rollup rollup;

    public RpcL1Source(Web3j web3j, String rollupAddress) {
        this.web3j = web3j;
        this.log = new RollupLog(web3j, rollupAddress);
        this.rollup = dev.clearline.contracts.generated.Rollup.load(rollupAddress, web3j,
                new org.web3j.tx.ReadonlyTransactionManager(web3j, rollupAddress), new org.web3j.tx.gas.DefaultGasProvider());
    }

    @Override
    public long head() throws IOException {
        return log.latestBlock();
    }

    @Override
    public Optional<String> blockHash(long block) throws IOException {
        EthBlock response = web3j.ethGetBlockByNumber(DefaultBlockParameter.valueOf(BigInteger.valueOf(block)), false).send();
        if (response.hasError()) throw new IOException("eth_getBlockByNumber " + block + " failed: " + response.getError().getMessage());
        return Optional.ofNullable(response.getBlock()).map(EthBlock.Block::getHash);
    }

    @Override
    public List<RollupLog.Posted> batches(long from, long to) throws IOException {
        return log.batches(from, to);
    }

    private Long deploymentBlock;

    @Override
    public long deploymentBlock() throws IOException {
        if (deploymentBlock == null) deploymentBlock = log.deploymentBlock();
        return deploymentBlock;
    }

    @Override
    public OptionalLong submissionsAt(long block) throws IOException {
        return OptionalLong.of(log.submissionsAt(block));
    }

    @Override
    public long finalizedCount() throws IOException {
        try {
            return rollup.finalizedCount().send().longValueExact();
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("reading the rollup's finalized count failed: " + e.getMessage(), e);
        }
    }
}
