package dev.clearline.devnet.node;

import static dev.clearline.devnet.node.PipelinedMiningTest.refusal;
import static dev.clearline.devnet.node.PipelinedMiningTest.sent;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.TransactionEncoder;

/**
 * The pool behind automine switched off: what waits, what a block takes, what it drops. The
 * replacement rules are checked against Hardhat's node in the compatibility suite; these are the
 * devnet's own rules where Hardhat's differ or cannot be reached from a client.
 */
class TransactionPoolTest {
    static final BigInteger GWEI = BigInteger.valueOf(1_000_000_000L);
    static final BigInteger ETH = GWEI.multiply(GWEI);
    final AtomicLong clock = new AtomicLong(1_700_000_000L);

    static byte[] transfer(Credentials from, long nonce, String to, BigInteger value, BigInteger maxFee) {
        RawTransaction tx = RawTransaction.createEtherTransaction(31337, BigInteger.valueOf(nonce), BigInteger.valueOf(21000), to,
                value, GWEI.min(maxFee), maxFee);
        return TransactionEncoder.signMessage(tx, 31337, from);
    }

    @Test
    void pipelinedAutomineCannotBeSwitchedOffAndSaysWhatToDoInstead() {
        try (DevnetNode node = DevnetNode.start(NodeConfig.defaults(clock::get).withBlockTxs(4))) {
            Outcome<Boolean> off = node.setAutomine(false);
            assertThat(off).isInstanceOfSatisfying(Outcome.Refused.class,
                    r -> assertThat(r.error().message()).contains("--block-txs").contains("start it without --block-txs"));
            assertThat(node.automine()).isTrue();
            assertThat(node.setAutomine(true)).isInstanceOf(Outcome.Done.class);
        }
    }

    @Test
    void whatWaitedWhileAutomineWasOffGoesIntoTheBlockOfTheNextSendOnceItIsBackOn() {
        try (DevnetNode node = DevnetNode.start(NodeConfig.defaults(clock::get))) {
            Credentials alice = node.config().accounts().keys().get(1);
            String bob = node.config().accounts().keys().get(2).getAddress().toLowerCase();
            long head = node.head().number();
            node.setAutomine(false);
            String first = sent(node.sendRawTransaction(transfer(alice, 0, bob, BigInteger.ONE, GWEI.multiply(BigInteger.TEN))));
            String second = sent(node.sendRawTransaction(transfer(alice, 1, bob, BigInteger.ONE, GWEI.multiply(BigInteger.TEN))));
            assertThat(node.head().number()).isEqualTo(head);
            assertThat(node.pendingNonce(alice.getAddress())).isEqualTo(BigInteger.TWO);
            assertThat(node.pendingBlock().transactions()).extracting(SignedTx::hash).containsExactly(first, second);

            node.setAutomine(true);
            String third = sent(node.sendRawTransaction(transfer(alice, 2, bob, BigInteger.ONE, GWEI.multiply(BigInteger.TEN))));
            assertThat(node.head().number()).isEqualTo(head + 1);
            assertThat(node.head().transactions()).extracting(SignedTx::hash).containsExactly(first, second, third);
            assertThat(node.pendingTransactions()).isEmpty();
        }
    }

    @Test
    void aTransactionBelowTheBaseFeeWaitsAndHoldsItsSendersLaterOnesBehindIt() {
        try (DevnetNode node = DevnetNode.start(NodeConfig.defaults(clock::get))) {
            Credentials alice = node.config().accounts().keys().get(1);
            String bob = node.config().accounts().keys().get(2).getAddress().toLowerCase();
            node.setAutomine(false);
            node.setNextBlockBaseFee(GWEI.multiply(BigInteger.valueOf(50)));
            String cheap = sent(node.sendRawTransaction(transfer(alice, 0, bob, BigInteger.ONE, GWEI.multiply(BigInteger.TEN))));
            String dear = sent(node.sendRawTransaction(transfer(alice, 1, bob, BigInteger.ONE, GWEI.multiply(BigInteger.valueOf(100)))));
            node.mine(null);
            assertThat(node.head().transactions()).as("nonce 1 cannot go before nonce 0").isEmpty();
            assertThat(node.pendingTransactions()).extracting(SignedTx::hash).containsExactly(cheap, dear);

            node.setNextBlockBaseFee(GWEI);
            node.mine(null);
            assertThat(node.head().transactions()).extracting(SignedTx::hash).containsExactly(cheap, dear);
            assertThat(node.head().baseFeePerGas()).isEqualTo(GWEI);
        }
    }

    @Test
    void aWaitingTransactionItsSenderCanNoLongerPayForIsDroppedAndItsNonceFreeAgain() {
        try (DevnetNode node = DevnetNode.start(NodeConfig.defaults(clock::get))) {
            Credentials alice = node.config().accounts().keys().get(1);
            String bob = node.config().accounts().keys().get(2).getAddress().toLowerCase();
            BigInteger fee = GWEI.multiply(BigInteger.TEN);
            node.setAutomine(false);
            // each alone is affordable (10,000 ETH), both together are not
            String most = sent(node.sendRawTransaction(transfer(alice, 0, bob, ETH.multiply(BigInteger.valueOf(9_000)), fee)));
            String more = sent(node.sendRawTransaction(transfer(alice, 1, bob, ETH.multiply(BigInteger.valueOf(5_000)), fee)));
            node.mine(null);
            assertThat(node.head().transactions()).extracting(SignedTx::hash).containsExactly(most);
            assertThat(node.pendingTransactions()).isEmpty();
            assertThat(node.transaction(more)).isEmpty();
            assertThat(node.pendingNonce(alice.getAddress())).isEqualTo(BigInteger.ONE);

            String smaller = sent(node.sendRawTransaction(transfer(alice, 1, bob, ETH, fee)));
            node.mine(null);
            assertThat(node.head().transactions()).extracting(SignedTx::hash).isEqualTo(List.of(smaller));
        }
    }

    @Test
    void aReplacementNamesTheFeesThatWouldReplace() {
        try (DevnetNode node = DevnetNode.start(NodeConfig.defaults(clock::get))) {
            Credentials alice = node.config().accounts().keys().get(1);
            String bob = node.config().accounts().keys().get(2).getAddress().toLowerCase();
            node.setAutomine(false);
            String waiting = sent(node.sendRawTransaction(transfer(alice, 0, bob, BigInteger.ONE, GWEI.multiply(BigInteger.TEN))));
            String why = refusal(node.sendRawTransaction(transfer(alice, 0, bob, BigInteger.TWO, GWEI.multiply(BigInteger.valueOf(10)))));
            assertThat(why).startsWith("replacement transaction underpriced").contains(waiting)
                    .contains("maxFeePerGas at least 11000000000").contains("maxPriorityFeePerGas at least 1100000000");
            assertThat(node.pendingTransactions()).extracting(SignedTx::hash).containsExactly(waiting);
        }
    }

    @Test
    void aDroppedTransactionFreesItsNonceAndItsSendersLaterOnesWaitBehindTheGapUntilItIsFilled() {
        try (DevnetNode node = DevnetNode.start(NodeConfig.defaults(clock::get))) {
            Credentials alice = node.config().accounts().keys().get(1);
            Credentials carol = node.config().accounts().keys().get(3);
            String bob = node.config().accounts().keys().get(2).getAddress().toLowerCase();
            BigInteger fee = GWEI.multiply(BigInteger.TEN);
            node.setAutomine(false);
            String first = sent(node.sendRawTransaction(transfer(alice, 0, bob, BigInteger.ONE, fee)));
            String second = sent(node.sendRawTransaction(transfer(alice, 1, bob, BigInteger.ONE, fee)));
            String third = sent(node.sendRawTransaction(transfer(alice, 2, bob, BigInteger.ONE, fee)));
            String others = sent(node.sendRawTransaction(transfer(carol, 0, bob, BigInteger.ONE, fee)));

            assertThat(node.dropTransaction(second)).isEqualTo(Outcome.done(true));
            assertThat(node.pendingTransactions()).as("nonce 2 waits behind the gap; another sender's stays")
                    .extracting(SignedTx::hash).containsExactly(first, others);
            assertThat(node.gappedTransactions()).extracting(SignedTx::hash).containsExactly(third);
            assertThat(node.transaction(third)).as("still known by its hash").hasValueSatisfying(v -> assertThat(v.pending()).isTrue());
            assertThat(node.pendingNonce(alice.getAddress())).isEqualTo(BigInteger.ONE);
            assertThat(node.dropTransaction(second)).as("no longer waiting").isEqualTo(Outcome.done(false));
            node.mine(null);
            assertThat(node.head().transactions()).as("nothing behind the gap is mined").extracting(SignedTx::hash)
                    .containsExactlyInAnyOrder(first, others);

            String again = sent(node.sendRawTransaction(transfer(alice, 1, bob, BigInteger.ONE, fee)));
            assertThat(again).as("the same signed bytes are welcome back").isEqualTo(second);
            assertThat(node.gappedTransactions()).as("the gap filled").isEmpty();
            assertThat(node.pendingNonce(alice.getAddress())).isEqualTo(BigInteger.valueOf(3));
            node.mine(null);
            assertThat(node.head().transactions()).extracting(SignedTx::hash).containsExactly(second, third);
            assertThat(node.dropTransaction(second)).isInstanceOfSatisfying(Outcome.Refused.class,
                    r -> assertThat(r.error().message()).contains(second).contains("is mined in block " + node.head().number()));
        }
    }

    /** A node with automine off and Alice sending Bob transfers at a 10 gwei fee cap: the tests of what waits behind a nonce gap. */
    private record Pool(DevnetNode node, Credentials alice, String bob) implements AutoCloseable {
        Outcome<String> attempt(long nonce, BigInteger value) {
            return node.sendRawTransaction(transfer(alice, nonce, bob, value, GWEI.multiply(BigInteger.TEN)));
        }

        String send(long nonce, BigInteger value) {
            return sent(attempt(nonce, value));
        }

        @Override
        public void close() {
            node.close();
        }
    }

    private Pool pool() {
        DevnetNode node = DevnetNode.start(NodeConfig.defaults(clock::get));
        node.setAutomine(false);
        return new Pool(node, node.config().accounts().keys().get(1), node.config().accounts().keys().get(2).getAddress().toLowerCase());
    }

    @Test
    void aSenderMayHaveAtMostSixtyFourTransactionsWaitingBehindAGap() {
        try (Pool p = pool()) {
            for (int n = 1; n <= NonceGapQueue.PER_SENDER; n++) p.send(n, BigInteger.ONE);
            assertThat(p.node().gappedTransactions()).hasSize(NonceGapQueue.PER_SENDER);
            assertThat(p.node().pendingTransactions()).isEmpty();
            assertThat(refusal(p.attempt(NonceGapQueue.PER_SENDER + 1, BigInteger.ONE)))
                    .startsWith("txpool is full: " + NonceGapQueue.PER_SENDER + " transactions of " + p.alice().getAddress().toLowerCase())
                    .contains("send nonce 0 first");
            p.send(0, BigInteger.ONE);
            assertThat(p.node().pendingTransactions()).as("the gap filled: all of them may be mined").hasSize(NonceGapQueue.PER_SENDER + 1);
            assertThat(p.node().gappedTransactions()).isEmpty();
        }
    }

    @Test
    void aRevertBringsBackTheTransactionsThatWaitedBehindAGapAtItsSnapshot() {
        try (Pool p = pool()) {
            String ahead = p.send(1, BigInteger.ONE);
            int snapshot = p.node().snapshot();
            String filler = p.send(0, BigInteger.ONE);
            p.node().mine(null);
            assertThat(p.node().head().transactions()).extracting(SignedTx::hash).containsExactly(filler, ahead);

            assertThat(p.node().revert(snapshot)).isTrue();
            assertThat(p.node().gappedTransactions()).extracting(SignedTx::hash).containsExactly(ahead);
            assertThat(p.node().pendingNonce(p.alice().getAddress())).isEqualTo(BigInteger.ZERO);
        }
    }

    @Test
    void theTransactionsAfterOneItsSenderCanNoLongerPayForWaitBehindItsNonce() {
        try (Pool p = pool()) {
            // each alone is affordable (10,000 ETH), the first two together are not
            String most = p.send(0, ETH.multiply(BigInteger.valueOf(9_000)));
            p.send(1, ETH.multiply(BigInteger.valueOf(5_000)));
            String after = p.send(2, BigInteger.ONE);
            p.node().mine(null);
            assertThat(p.node().head().transactions()).extracting(SignedTx::hash).containsExactly(most);
            assertThat(p.node().pendingTransactions()).isEmpty();
            assertThat(p.node().gappedTransactions()).as("nonce 2 waits for a nonce 1 its sender can pay").extracting(SignedTx::hash)
                    .containsExactly(after);

            String smaller = p.send(1, ETH);
            p.node().mine(null);
            assertThat(p.node().head().transactions()).extracting(SignedTx::hash).containsExactly(smaller, after);
        }
    }
}
