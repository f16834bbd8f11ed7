package dev.clearline.devnet.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.devnet.Devnet;
import dev.clearline.devnet.compat.Chain;
import dev.clearline.devnet.junit.ChainEdits;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.TransactionEncoder;

/**
 * The coinbase, gas limit and prevRandao a block was mined with ({@code hardhat_setCoinbase},
 * {@code evm_setBlockGasLimit}, {@code hardhat_setPrevRandao}) are the ones it is re-executed
 * with, and {@code hardhat_reset} leaves a fresh chain, also in a data directory. What a client
 * sees of them is checked against Hardhat's node by {@code NetworkHelpersTest}.
 */
class BlockSettingsTest {
    private static final String COINBASE = "0x00000000000000000000000000000000000d0001";
    private static final String BOB = "0x00000000000000000000000000000000000000b0";

    @TempDir
    Path dir;

    /** Runtime code that stores PREVRANDAO, COINBASE and GASLIMIT in slots 0, 1 and 2: what a block's settings change in state. */
    private static final byte[] RECORDER = org.web3j.utils.Numeric.hexStringToByteArray("0x44600055416001554560025500");
    private static final String RECORDER_AT = "0x00000000000000000000000000000000000d0002";

    /** A transfer paying a tip of 1 gwei per gas, so the coinbase gains 21,000 gwei. */
    private static byte[] tipped(Credentials from, long nonce, long gas) {
        return tipped(from, nonce, gas, BOB);
    }

    private static byte[] tipped(Credentials from, long nonce, long gas, String to) {
        RawTransaction tx = RawTransaction.createTransaction(31337, BigInteger.valueOf(nonce), BigInteger.valueOf(gas), to,
                BigInteger.ONE, "", BigInteger.valueOf(1_000_000_000L), BigInteger.valueOf(100_000_000_000L));
        return TransactionEncoder.signMessage(tx, 31337, from);
    }

    @Test
    void aPastBlockIsReExecutedWithTheCoinbaseAndRandaoItWasMinedWith() {
        try (Devnet d = Devnet.inProcess(NodeConfig.defaults(() -> 1_700_000_000L))) {
            DevnetNode node = d.node();
            node.setCoinbase(COINBASE);
            byte[] randao = new byte[32];
            randao[31] = 7;
            node.setPrevRandao(randao);
            node.setCode(RECORDER_AT, RECORDER);
            for (int i = 0; i < 3; i++) {
                assertThat(node.sendRawTransaction(tipped(d.accounts().first(), i, 100_000, RECORDER_AT))).isInstanceOf(Outcome.Done.class);
            }
            assertThat(node.block(1).orElseThrow().miner()).isEqualTo(COINBASE);
            assertThat(node.block(1).orElseThrow().mixHash()).endsWith("07");
            assertThat(node.block(2).orElseThrow().mixHash()).as("only the next block").doesNotEndWith("0007");
            assertThat(node.storage(RECORDER_AT, new byte[32], 1)).as("the EVM saw the set prevRandao").endsWith((byte) 7);
            assertThat(node.balance(COINBASE, DevnetNode.LATEST)).as("it got the tips").isPositive();
            // later settings must not leak into the re-execution of earlier blocks
            node.setCoinbase(BOB);
            assertThat(node.setBlockGasLimit(25_000_000)).isInstanceOf(Outcome.Done.class);
            // block 2's state was never written: the read re-executes blocks 1 and 2 and checks their roots
            long before = node.reExecutedBlocks();
            BigInteger atTwo = node.balance(COINBASE, 2);
            assertThat(node.reExecutedBlocks()).isGreaterThan(before);
            assertThat(atTwo).isPositive().isLessThan(node.balance(COINBASE, DevnetNode.LATEST));
        }
    }

    @Test
    void aLowerBlockGasLimitRefusesWhatNoLongerFitsAndAReopenedChainKeepsItsSettings() throws Exception {
        try (Devnet d = Devnet.inProcess(NodeConfig.defaults(() -> 1_700_000_000L).withDataDir(dir))) {
            DevnetNode node = d.node();
            node.setCoinbase(COINBASE);
            assertThat(node.setBlockGasLimit(100_000)).isInstanceOf(Outcome.Done.class);
            assertThat(node.setBlockGasLimit(20_999)).isInstanceOf(Outcome.Refused.class);
            Outcome<String> tooBig = node.sendRawTransaction(tipped(d.accounts().first(), 0, 100_001));
            assertThat(tooBig).isInstanceOfSatisfying(Outcome.Refused.class, r -> assertThat(r.error().message())
                    .contains("exceeds block gas limit", "100000"));
            assertThat(node.sendRawTransaction(tipped(d.accounts().first(), 0, 100_000))).isInstanceOf(Outcome.Done.class);
            assertThat(node.head().gasLimit()).isEqualTo(100_000);
        }
        try (Devnet again = Devnet.inProcess(NodeConfig.defaults(() -> 1_700_000_000L).withDataDir(dir))) {
            DevnetNode node = again.node();
            assertThat(node.blockGasLimit()).as("the head's, not the configured one").isEqualTo(100_000);
            assertThat(node.sendRawTransaction(tipped(again.accounts().first(), 1, 21_000))).isInstanceOf(Outcome.Done.class);
            assertThat(node.head().miner()).isEqualTo(COINBASE);
        }
    }

    @Test
    void aResetLeavesAFreshGenesisAlsoInTheChainFile() throws Exception {
        try (Devnet d = Devnet.inProcess(NodeConfig.defaults(() -> 1_700_000_000L).withDataDir(dir))) {
            new Chain(d.web3j(), 31337).send(d.accounts().first(), BOB, "0x", 21_000);
            new ChainEdits(d.web3jService()).setBalance(COINBASE, BigInteger.TEN);
            d.node().setCoinbase(COINBASE);
            d.node().reset();
            assertThat(d.node().blockNumber()).isZero();
            assertThat(d.node().balance(BOB, DevnetNode.LATEST)).isZero();
            assertThat(d.node().balance(COINBASE, DevnetNode.LATEST)).isZero();
            assertThat(d.node().nonce(d.accounts().first().getAddress(), DevnetNode.LATEST)).isZero();
            assertThat(d.node().head().miner()).isEqualTo(DevnetNode.ZERO_ADDRESS);
        }
        assertThat(Files.readAllLines(dir.resolve("chain.jsonl"), StandardCharsets.UTF_8)).hasSize(1);
        try (Devnet again = Devnet.inProcess(NodeConfig.defaults(() -> 1_700_000_000L).withDataDir(dir))) {
            assertThat(again.node().blockNumber()).isZero();
            assertThat(again.node().repair()).isEmpty();
            assertThat(again.node().balance(again.accounts().first().getAddress(), 0)).isEqualTo(again.node().config().accountBalance());
        }
    }
}
