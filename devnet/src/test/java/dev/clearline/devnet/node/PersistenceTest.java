package dev.clearline.devnet.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.clearline.devnet.Devnet;
import dev.clearline.devnet.compat.Chain;
import dev.clearline.devnet.junit.TimeTravel;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
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

    @Test
    void aReopenedChainAheadOfTheClockGoesOnFromItsLatestBlock() throws Exception {
        // a chain run under `up`'s fast clock, or moved with evm_increaseTime, is ahead of the wall clock when it
        // is reopened: its time goes on from its latest block, and evm_increaseTime moves it from there
        AtomicLong clock = new AtomicLong(1_700_000_000L);
        NodeConfig config = NodeConfig.defaults(clock::get).withDataDir(dir);
        long head;
        try (Devnet first = Devnet.inProcess(config)) {
            head = new TimeTravel(first.web3jService()).advance(Duration.ofDays(1));
        }
        assertThat(head).isGreaterThanOrEqualTo(clock.get() + 86_400);
        try (Devnet again = Devnet.inProcess(config)) {
            TimeTravel time = new TimeTravel(again.web3jService());
            clock.addAndGet(10);
            assertThat(time.pendingTimestamp()).as("ten seconds of the clock later").isEqualTo(head + 10);
            time.moveClock(Duration.ofSeconds(700));
            assertThat(time.pendingTimestamp()).isEqualTo(head + 710);
            assertThat(time.mine()).isEqualTo(head + 710);
        }
    }

    @Test
    void aSecondDevnetOnADataDirectoryInUseIsRefusedAtOnceAndTheDirectoryIsFreeAfterTheFirstCloses() {
        NodeConfig config = NodeConfig.defaults(() -> 1_700_000_000L).withDataDir(dir);
        try (Devnet first = Devnet.inProcess(config)) {
            assertThatThrownBy(() -> Devnet.inProcess(config))
                    .hasMessageContaining("the data directory " + dir + " is in use by another devnet (pid " + ProcessHandle.current().pid() + ")")
                    .hasMessageContaining("another --data-dir");
            assertThat(first.node().blockNumber()).as("the first one goes on").isZero();
        }
        try (Devnet again = Devnet.inProcess(config)) {
            assertThat(again.chainId()).isEqualTo(31337);
        }
    }

    @Test
    void aDataDirectoryRefusesToReopenUnderAnotherChainId() {
        NodeConfig config = NodeConfig.defaults(() -> 1_700_000_000L).withDataDir(dir);
        try (Devnet first = Devnet.inProcess(config)) {
            assertThat(first.chainId()).isEqualTo(31337);
        }
        assertThatThrownBy(() -> Devnet.inProcess(config.withChainId(1337)))
                .hasMessageContaining("holds chain id 31337, not 1337")
                .hasMessageContaining("--chain-id 31337");
        try (Devnet again = Devnet.inProcess(config)) {
            assertThat(again.chainId()).isEqualTo(31337);
        }
    }

    @Test
    void aTornLastLineReopensAtTheLastCompleteBlockAndSaysWhatWasDropped() throws Exception {
        AtomicLong clock = new AtomicLong(1_700_000_000L);
        NodeConfig config = NodeConfig.defaults(clock::get).withDataDir(dir);
        String bob = "0x00000000000000000000000000000000000000b0";
        String secondHash;
        try (Devnet first = Devnet.inProcess(config)) {
            Chain chain = new Chain(first.web3j(), 31337);
            chain.send(first.accounts().first(), bob, "0x", 21_000);
            secondHash = first.node().head().hash();
            chain.send(first.accounts().first(), bob, "0x", 21_000);
            assertThat(first.node().blockNumber()).isEqualTo(2);
        }
        Path file = dir.resolve("chain.jsonl");
        byte[] bytes = java.nio.file.Files.readAllBytes(file);
        int lastLineStart = new String(bytes, java.nio.charset.StandardCharsets.UTF_8).stripTrailing().lastIndexOf('\n') + 1;
        int cut = lastLineStart + (bytes.length - lastLineStart) / 2; // mid-way through block 2's record
        java.nio.file.Files.write(file, java.util.Arrays.copyOf(bytes, cut));
        try (Devnet again = Devnet.inProcess(config)) {
            assertThat(again.node().blockNumber()).isEqualTo(1);
            assertThat(again.node().head().hash()).isEqualTo(secondHash);
            assertThat(again.node().repair()).hasValueSatisfying(note -> assertThat(note)
                    .contains("torn", "block 2", "reopens at block 1"));
            assertThat(again.node().nonce(again.accounts().first().getAddress(), 1)).isEqualTo(BigInteger.ONE);
            var next = new Chain(again.web3j(), 31337).send(again.accounts().first(), bob, "0x", 21_000);
            assertThat(next.hasError()).isFalse();
            assertThat(again.node().blockNumber()).isEqualTo(2);
        }
        try (Devnet third = Devnet.inProcess(config)) {
            assertThat(third.node().blockNumber()).isEqualTo(2);
            assertThat(third.node().repair()).isEmpty();
        }
    }
}
