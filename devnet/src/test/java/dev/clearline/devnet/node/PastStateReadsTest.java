package dev.clearline.devnet.node;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import dev.clearline.devnet.Devnet;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Hash;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.TransactionEncoder;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.response.EthSendTransaction;
import org.web3j.utils.Numeric;

/**
 * Reads at past blocks (the state there is rebuilt from the last written state by re-executing the
 * blocks after it) answer exactly, and neither they nor reads of the head make libevm log an ERROR.
 * The stack tests used to show bursts of {@code StateOpen failed to open state ... missing trie node}
 * lines: the node looked for the last written state by asking libevm to open each block's root in
 * turn, and libevm logs every root it does not hold as an ERROR. The answers were right; the lines
 * looked like damage. The reads that caused them were mostly reads of {@code latest} that resolved
 * the tag before the node's lock while another client's transaction was being mined, which turned
 * them into reads of the block before, re-executed from the last written state.
 */
class PastStateReadsTest {
    private static final String BOB = "0x00000000000000000000000000000000000000b0";
    private final List<String> libevmErrors = new CopyOnWriteArrayList<>();
    private AppenderBase<ILoggingEvent> capture;

    @BeforeEach
    void captureLibevmErrors() {
        // libevm logs through Log4j's API, which the evm module routes to SLF4J: its lines reach logback's root
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        capture = new AppenderBase<>() {
            @Override
            protected void append(ILoggingEvent event) {
                if (event.getLevel().isGreaterOrEqual(Level.ERROR)) libevmErrors.add(event.getLoggerName() + ": " + event.getFormattedMessage());
            }
        };
        capture.setContext(root.getLoggerContext());
        capture.start();
        root.addAppender(capture);
    }

    @AfterEach
    void stopCapture() {
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(capture);
        capture.stop();
    }

    @Test
    void everyPastBlockReadsExactlyWithoutLibevmErrors() throws Exception {
        AtomicLong clock = new AtomicLong(1_700_000_000L);
        try (Devnet devnet = Devnet.inProcess(NodeConfig.defaults(clock::get))) {
            Web3j web3j = devnet.web3j();
            Credentials alice = devnet.accounts().keys().get(1);
            // Past one write of the state (every 64 blocks), so reads start from two different written states.
            int transfers = DevnetNode.COMMIT_EVERY_BLOCKS + 10;
            List<BigInteger> bobAfter = new ArrayList<>(List.of(BigInteger.ZERO));
            BigInteger bob = BigInteger.ZERO;
            for (int i = 0; i < transfers; i++) {
                BigInteger value = BigInteger.valueOf(1_000 + i);
                assertThat(send(web3j, alice, i, value).hasError()).isFalse();
                bob = bob.add(value);
                bobAfter.add(bob);
            }
            long head = devnet.node().blockNumber();
            assertThat(head).isEqualTo(transfers);
            for (long n = head; n >= 0; n--) {
                DefaultBlockParameter at = DefaultBlockParameter.valueOf(BigInteger.valueOf(n));
                assertThat(web3j.ethGetBalance(BOB, at).send().getBalance()).as("bob at block %d", n).isEqualTo(bobAfter.get((int) n));
                assertThat(web3j.ethGetTransactionCount(alice.getAddress(), at).send().getTransactionCount())
                        .as("alice's nonce at block %d", n).isEqualTo(BigInteger.valueOf(n));
            }
            // A proof at a past block writes that block's state; an evm_revert returns to a written state.
            DefaultBlockParameter past = DefaultBlockParameter.valueOf(BigInteger.valueOf(head - 3));
            var proof = web3j.ethGetProof(BOB, List.of(), past.getValue()).send().getProof();
            assertThat(proof.getBalance()).as("bob's balance in a proof at block %d", head - 3).isEqualTo(bobAfter.get((int) head - 3));
            String pastRoot = web3j.ethGetBlockByNumber(past, false).send().getBlock().getStateRoot();
            assertThat(Numeric.toHexString(Hash.sha3(Numeric.hexStringToByteArray(proof.getAccountProof().get(0)))))
                    .as("the proof's first node hashes to block %d's state root", head - 3).isEqualTo(pastRoot);
            assertThat(web3j.ethGetBalance(BOB, DefaultBlockParameterName.LATEST).send().getBalance()).isEqualTo(bob);
            String snapshot = devnet.dispatcher().handle("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"evm_snapshot\",\"params\":[]}");
            String id = snapshot.replaceAll(".*\"result\":\"([^\"]+)\".*", "$1");
            assertThat(send(web3j, alice, transfers, BigInteger.ONE).hasError()).isFalse();
            devnet.dispatcher().handle("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"evm_revert\",\"params\":[\"" + id + "\"]}");
            assertThat(web3j.ethGetBalance(BOB, DefaultBlockParameterName.LATEST).send().getBalance()).isEqualTo(bob);
            assertThat(web3j.ethGetBalance(BOB, DefaultBlockParameter.valueOf(BigInteger.valueOf(head - 1))).send().getBalance())
                    .isEqualTo(bobAfter.get((int) head - 1));
            assertThat(devnet.node().reExecutedBlocks()).as("reads at blocks whose state was not written re-execute").isPositive();
        }
        assertThat(libevmErrors).as("ERROR lines libevm logged").isEmpty();
    }

    @Test
    void aReopenedDataDirectoryReadsItsPastBlocksWithoutSearchingForWrittenStates(@TempDir Path dir) throws Exception {
        AtomicLong clock = new AtomicLong(1_700_000_000L);
        NodeConfig config = NodeConfig.defaults(clock::get).withDataDir(dir);
        Credentials alice;
        int transfers = DevnetNode.COMMIT_EVERY_BLOCKS + 10;
        List<BigInteger> bobAfter = new ArrayList<>(List.of(BigInteger.ZERO));
        try (Devnet first = Devnet.inProcess(config)) {
            alice = first.accounts().keys().get(1);
            BigInteger bob = BigInteger.ZERO;
            for (int i = 0; i < transfers; i++) {
                BigInteger value = BigInteger.valueOf(7_000 + i);
                assertThat(send(first.web3j(), alice, i, value).hasError()).isFalse();
                bob = bob.add(value);
                bobAfter.add(bob);
            }
        }
        assertThat(dir.resolve(WrittenStates.FILE)).as("the written states are recorded beside the chain").exists();
        try (Devnet again = Devnet.inProcess(config)) {
            Web3j web3j = again.web3j();
            assertThat(again.node().blockNumber()).isEqualTo(transfers);
            for (long n = transfers; n >= 0; n--) {
                DefaultBlockParameter at = DefaultBlockParameter.valueOf(BigInteger.valueOf(n));
                assertThat(web3j.ethGetBalance(BOB, at).send().getBalance()).as("bob at block %d after reopening", n)
                        .isEqualTo(bobAfter.get((int) n));
            }
        }
        // Before the written states were recorded, the reopened node knew only its head's state and
        // searched back from the first past block read by opening each root: an ERROR line per block.
        assertThat(libevmErrors).as("ERROR lines libevm logged").isEmpty();
    }

    @Test
    void aTornOrForeignLineInTheWrittenStatesFileIsSkipped(@TempDir Path dir) throws Exception {
        AtomicLong clock = new AtomicLong(1_700_000_000L);
        NodeConfig config = NodeConfig.defaults(clock::get).withDataDir(dir);
        Credentials alice;
        try (Devnet first = Devnet.inProcess(config)) {
            alice = first.accounts().keys().get(1);
            for (int i = 0; i < 3; i++) assertThat(send(first.web3j(), alice, i, BigInteger.TEN).hasError()).isFalse();
        }
        Path file = dir.resolve(WrittenStates.FILE);
        // A root the database never held (it lost it, or the line is from elsewhere) and a torn last line.
        Files.writeString(file, "0x" + "ab".repeat(32) + "\nnot a root\n0x12", StandardOpenOption.APPEND);
        try (Devnet again = Devnet.inProcess(config)) {
            assertThat(send(again.web3j(), alice, 3, BigInteger.TEN).hasError()).isFalse();
            DefaultBlockParameter at = DefaultBlockParameter.valueOf(BigInteger.TWO);
            assertThat(again.web3j().ethGetBalance(BOB, at).send().getBalance()).isEqualTo(BigInteger.valueOf(20));
        }
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).as("the torn line was ended before the next root was recorded").contains("0x12");
        assertThat(lines.get(lines.size() - 1)).matches("0x[0-9a-f]{64}");
    }

    @Test
    void anEstimateAtAPastBlockReExecutesTheBlocksBeforeItOnce() throws Exception {
        AtomicLong clock = new AtomicLong(1_700_000_000L);
        try (Devnet devnet = Devnet.inProcess(NodeConfig.defaults(clock::get))) {
            Credentials alice = devnet.accounts().keys().get(1);
            for (int i = 0; i < 12; i++) assertThat(send(devnet.web3j(), alice, i, BigInteger.ONE).hasError()).isFalse();
            long before = devnet.node().reExecutedBlocks();
            String answer = devnet.dispatcher().handle("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_estimateGas\",\"params\":[{\"from\":\""
                    + alice.getAddress() + "\",\"to\":\"" + BOB + "\",\"value\":\"0x1\"},\"0xa\"]}");
            assertThat(answer).contains("\"result\":\"0x5208\"");
            // Block 10's state is rebuilt from genesis (the last written state) once, not once per step of the search.
            assertThat(devnet.node().reExecutedBlocks() - before).as("blocks re-executed for one estimate at block 10").isEqualTo(10);
            assertThat(devnet.dispatcher().handle("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"eth_getBalance\",\"params\":[\""
                    + BOB + "\",\"0xa\"]}")).as("a read at block 10 afterwards").contains("\"result\":\"0xa\"");
        }
        assertThat(libevmErrors).as("ERROR lines libevm logged").isEmpty();
    }

    @Test
    void readsOfLatestWhileAnotherClientsBlocksAreMinedReadTheHeadWithoutReExecuting() throws Exception {
        AtomicLong clock = new AtomicLong(1_700_000_000L);
        try (Devnet devnet = Devnet.inProcess(NodeConfig.defaults(clock::get))) {
            Web3j web3j = devnet.web3j();
            Credentials alice = devnet.accounts().keys().get(1);
            AtomicBoolean sending = new AtomicBoolean(true);
            List<Throwable> failures = new CopyOnWriteArrayList<>();
            AtomicLong reads = new AtomicLong();
            Thread reader = Thread.ofPlatform().start(() -> {
                try {
                    BigInteger last = BigInteger.ZERO;
                    while (sending.get()) {
                        BigInteger seen = web3j.ethGetBalance(BOB, DefaultBlockParameterName.LATEST).send().getBalance();
                        if (seen.compareTo(last) < 0) throw new AssertionError("latest went back from " + last + " to " + seen);
                        last = seen;
                        reads.incrementAndGet();
                    }
                } catch (Throwable t) {
                    failures.add(t);
                }
            });
            for (int i = 0; i < 200; i++) assertThat(send(web3j, alice, i, BigInteger.ONE).hasError()).isFalse();
            sending.set(false);
            reader.join();
            assertThat(failures).isEmpty();
            assertThat(reads.get()).isPositive();
            assertThat(devnet.node().reExecutedBlocks()).as("blocks re-executed to answer reads of latest").isZero();
        }
        assertThat(libevmErrors).as("ERROR lines libevm logged").isEmpty();
    }

    private static EthSendTransaction send(Web3j web3j, Credentials from, long nonce, BigInteger value) throws Exception {
        RawTransaction tx = RawTransaction.createEtherTransaction(31337, BigInteger.valueOf(nonce), BigInteger.valueOf(21_000), BOB,
                value, BigInteger.valueOf(1_000_000_000L), BigInteger.valueOf(5_000_000_000L));
        return web3j.ethSendRawTransaction(Numeric.toHexString(TransactionEncoder.signMessage(tx, 31337, from))).send();
    }
}
