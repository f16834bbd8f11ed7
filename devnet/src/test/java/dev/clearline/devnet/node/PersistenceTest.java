package dev.clearline.devnet.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.devnet.Devnet;
import dev.clearline.devnet.compat.Chain;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.protocol.core.DefaultBlockParameterName;

class PersistenceTest {
    @TempDir
    Path dir;

    @Test
    void aChainInADataDirectoryReopensWithItsBlocksBalancesAndReceipts() throws Exception {
        AtomicLong clock = new AtomicLong(1_700_000_000L);
        NodeConfig config = NodeConfig.defaults(clock::get).withDataDir(dir);
        String bob = "0x00000000000000000000000000000000000000b0";
        String txHash;
        String headHash;
        long height;
        try (Devnet first = Devnet.inProcess(config)) {
            Chain chain = new Chain(first.web3j(), 31337);
            txHash = chain.send(first.accounts().first(), bob, "0x", 21_000).getTransactionHash();
            chain.send(first.accounts().first(), bob, "0x", 21_000);
            height = first.node().blockNumber();
            headHash = first.node().head().hash();
        }
        try (Devnet again = Devnet.inProcess(config)) {
            assertThat(again.node().blockNumber()).isEqualTo(height);
            assertThat(again.node().head().hash()).isEqualTo(headHash);
            assertThat(again.node().receipt(txHash)).isPresent();
            assertThat(again.web3j().ethGetBalance(bob, DefaultBlockParameterName.LATEST).send().getBalance()).isEqualTo(BigInteger.ZERO);
            Chain chain = new Chain(again.web3j(), 31337);
            var next = chain.send(again.accounts().first(), bob, "0x", 21_000);
            assertThat(next.hasError()).isFalse();
            assertThat(again.web3j().ethGetTransactionCount(again.accounts().first().getAddress(), DefaultBlockParameterName.LATEST)
                    .send().getTransactionCount()).isEqualTo(3);
        }
    }
}
