package dev.clearline.devnet.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Keys;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.TransactionEncoder;

/**
 * With {@code blockTxs > 1} (in memory) automine answers eth_sendRawTransaction before the block is
 * mined and a miner thread mines in arrival order: whatever a client asks after an answer must see
 * the transaction mined, and every refusal must read as without the queue. The default (a block
 * per transaction, mined before the answer) is held to the same observations.
 */
class PipelinedMiningTest {
    static final BigInteger GWEI = BigInteger.valueOf(1_000_000_000L);
    final AtomicLong clock = new AtomicLong(1_700_000_000L);

    static byte[] transfer(Credentials from, long nonce, String to, BigInteger value) {
        RawTransaction tx = RawTransaction.createEtherTransaction(31337, BigInteger.valueOf(nonce), BigInteger.valueOf(21000), to,
                value, GWEI, GWEI.multiply(BigInteger.TWO));
        return TransactionEncoder.signMessage(tx, 31337, from);
    }

    static String sent(Outcome<String> o) {
        return switch (o) {
            case Outcome.Done<String> d -> d.value();
            case Outcome.Refused<String> r -> throw new AssertionError("refused: " + r.error().message());
        };
    }

    static String refusal(Outcome<String> o) {
        return switch (o) {
            case Outcome.Done<String> d -> throw new AssertionError("accepted " + d.value() + ", expected a refusal");
            case Outcome.Refused<String> r -> r.error().message();
        };
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "blockTxs {0}")
    @org.junit.jupiter.params.provider.ValueSource(ints = {1, 4})
    void whatIsAskedRightAfterAnAnswerSeesTheTransactionMined(int blockTxs) {
        try (DevnetNode node = DevnetNode.start(NodeConfig.defaults(clock::get).withBlockTxs(blockTxs))) {
            Credentials alice = node.config().accounts().keys().get(1);
            String bob = node.config().accounts().keys().get(2).getAddress().toLowerCase();
            BigInteger bobBefore = node.balance(bob, node.blockNumber());
            for (int i = 0; i < 30; i++) {
                long head = node.head().number();
                String hash = sent(node.sendRawTransaction(transfer(alice, i, bob, BigInteger.ONE)));
                // No wait of any kind between the answer and these reads.
                Receipt r = node.receipt(hash).orElseThrow(() -> new AssertionError("no receipt right after the answer"));
                assertThat(r.blockNumber()).isEqualTo(head + 1);
                assertThat(node.blockNumber()).isEqualTo(head + 1);
                assertThat(node.transaction(hash).orElseThrow().pending()).isFalse();
                assertThat(node.balance(bob, node.blockNumber())).isEqualTo(bobBefore.add(BigInteger.valueOf(i + 1)));
                assertThat(node.pendingNonce(alice.getAddress())).isEqualTo(BigInteger.valueOf(i + 1));
            }
        }
    }

    @Test
    void concurrentSendersAreMinedOneTransactionPerBlockInNonceOrder() throws Exception {
        try (DevnetNode node = DevnetNode.start(NodeConfig.defaults(clock::get))) {
            mineConcurrently(node, 4, 40);
            long first = 1;
            long last = node.blockNumber();
            assertThat(last - first + 1).isEqualTo(4 * 40);
            checkOrder(node, first, last, 1);
        }
    }

    @Test
    void optInBlocksOfSeveralTransactionsKeepArrivalOrderAndConsistentReceipts() throws Exception {
        try (DevnetNode node = DevnetNode.start(NodeConfig.defaults(clock::get).withBlockTxs(8))) {
            mineConcurrently(node, 4, 40);
            int mined = checkOrder(node, 1, node.blockNumber(), 8);
            assertThat(mined).isEqualTo(4 * 40);
        }
    }

    private static void mineConcurrently(DevnetNode node, int senders, int each) throws Exception {
        String to = node.config().accounts().first().getAddress().toLowerCase();
        ExecutorService pool = Executors.newFixedThreadPool(senders);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int s = 0; s < senders; s++) {
                Credentials key = node.config().accounts().keys().get(1 + s);
                done.add(pool.submit(() -> {
                    for (int n = 0; n < each; n++) sent(node.sendRawTransaction(transfer(key, n, to, BigInteger.TWO)));
                    return null;
                }));
            }
            for (Future<?> f : done) f.get();
        } finally {
            pool.shutdown();
        }
        for (int s = 0; s < senders; s++) {
            assertThat(node.nonce(node.config().accounts().keys().get(1 + s).getAddress(), node.blockNumber()))
                    .isEqualTo(BigInteger.valueOf(each));
        }
    }

    /** Every sender's nonces appear in order along the chain, blocks hold at most {@code most}; returns the transactions seen. */
    private static int checkOrder(DevnetNode node, long first, long last, int most) {
        Map<String, Long> next = new HashMap<>();
        int seen = 0;
        for (long b = first; b <= last; b++) {
            Block block = node.block(b).orElseThrow();
            assertThat(block.transactions()).isNotEmpty().hasSizeLessThanOrEqualTo(most);
            long cumulative = 0;
            for (int i = 0; i < block.transactions().size(); i++) {
                SignedTx tx = block.transactions().get(i);
                long expected = next.getOrDefault(tx.from(), 0L);
                assertThat(tx.nonce().longValueExact()).as("nonce of %s in block %d", tx.from(), b).isEqualTo(expected);
                next.put(tx.from(), expected + 1);
                Receipt r = block.receipts().get(i);
                cumulative += r.gasUsed();
                assertThat(r.transactionIndex()).isEqualTo(i);
                assertThat(r.cumulativeGasUsed()).isEqualTo(cumulative);
                assertThat(r.success()).isTrue();
                assertThat(node.receipt(tx.hash()).orElseThrow().blockNumber()).isEqualTo(b);
                seen++;
            }
            assertThat(block.gasUsed()).isEqualTo(cumulative);
        }
        return seen;
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "blockTxs {0}")
    @org.junit.jupiter.params.provider.ValueSource(ints = {1, 4})
    void refusalsBehindAQueueReadAsWithoutIt(int blockTxs) throws Exception {
        try (DevnetNode node = DevnetNode.start(NodeConfig.defaults(clock::get).withBlockTxs(blockTxs))) {
            Credentials alice = node.config().accounts().keys().get(1);
            Credentials carol = Credentials.create(Keys.createEcKeyPair());
            String carolAddress = carol.getAddress().toLowerCase();
            BigInteger funds = GWEI.multiply(BigInteger.valueOf(200_000));
            sent(node.sendRawTransaction(transfer(alice, 0, carolAddress, funds)));
            // Carol can pay for one transfer of half her funds, not two; the second is judged behind the first.
            String bob = node.config().accounts().keys().get(2).getAddress();
            BigInteger half = funds.divide(BigInteger.TWO);
            for (int i = 1; i <= 20; i++) sent(node.sendRawTransaction(transfer(alice, i, bob, BigInteger.ONE)));
            sent(node.sendRawTransaction(transfer(carol, 0, bob, half)));
            Outcome<String> poor = node.sendRawTransaction(transfer(carol, 1, bob, half));
            BigInteger have = node.balance(carolAddress, node.blockNumber());
            BigInteger want = BigInteger.valueOf(21000).multiply(GWEI.multiply(BigInteger.TWO)).add(half);
            assertThat(refusal(poor)).isEqualTo("insufficient funds for gas * price + value: address " + carolAddress
                    + " have " + have + " want " + want);
            for (int i = 21; i <= 40; i++) sent(node.sendRawTransaction(transfer(alice, i, bob, BigInteger.ONE)));
            Outcome<String> gap = node.sendRawTransaction(transfer(alice, 42, bob, BigInteger.ONE));
            assertThat(refusal(gap)).isEqualTo("nonce too high: address " + alice.getAddress().toLowerCase()
                    + ", tx: 42 state: 41; with automine on nothing waits behind a nonce gap (as on Hardhat's node): send in nonce order,"
                    + " or switch automine off (evm_setAutomine) to have it wait until nonce 41 arrives");
            Outcome<String> again = node.sendRawTransaction(transfer(alice, 40, bob, BigInteger.ONE));
            assertThat(refusal(again)).startsWith("nonce too low: address " + alice.getAddress().toLowerCase() + ", tx: 40 state: 41");
            long blocks = node.blockNumber();
            if (blockTxs == 1) assertThat(blocks).isEqualTo(1 + 20 + 1 + 20);
            assertThat(node.nonce(alice.getAddress(), blocks)).isEqualTo(BigInteger.valueOf(41));
        }
    }

    @Test
    void withADataDirectoryTheAnswerComesAfterTheBlockIsInTheChainFile(@TempDir Path dir) throws Exception {
        try (DevnetNode node = DevnetNode.start(NodeConfig.defaults(clock::get).withDataDir(dir))) {
            Credentials alice = node.config().accounts().keys().get(1);
            String bob = node.config().accounts().keys().get(2).getAddress();
            for (int i = 0; i < 5; i++) {
                sent(node.sendRawTransaction(transfer(alice, i, bob, BigInteger.ONE)));
                // Read before asking the node anything: the line must already be there.
                assertThat(Files.readAllLines(dir.resolve("chain.jsonl"))).hasSize(i + 2);
            }
        }
    }
}
