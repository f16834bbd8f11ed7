package dev.clearline.prover.l1;

import dev.clearline.contracts.generated.TestCollateral;
import dev.clearline.devnet.junit.BlockBehind;
import dev.clearline.devnet.junit.CallWatch;
import dev.clearline.devnet.junit.DevnetContext;
import dev.clearline.devnet.junit.WithDevnet;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Hash;
import org.web3j.crypto.TransactionDecoder;
import org.web3j.crypto.transaction.type.Transaction1559;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.tx.gas.DefaultGasProvider;

import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The sender against the devnet's pool and behind a lagging endpoint. When a sent transaction is not
 * mined in time (the pool dropped it, as a node short of room does, or a block passed it over),
 * what it sends next depends on whether L1 passed it over: with no block since, the same signed
 * bytes again (raising fees would only cost the sender, since on a 12 s chain the next
 * block had simply not come); after a block without it, higher fees. And a call that needs the
 * sender's previous transaction is estimated where that transaction is, not on a node behind it.
 */
@WithDevnet
class TxSenderOnARealNodeTest {
    private static final String RECIPIENT = "0x00000000000000000000000000000000000c1ea7";

    @Test
    void aDroppedTransactionWithNoBlockSinceIsSentAgainUnchangedAndMinedAtItsFirstFees(DevnetContext l1) throws Exception {
        Credentials key = l1.key(7);
        CallWatch node = new CallWatch(l1.service());
        List<Boolean> drops = new ArrayList<>();
        l1.time().setAutomine(false);
        try {
            // the pool evicts ours while the sender waits for it; no block comes
            node.beforeCall("eth_getTransactionReceipt", 1, () -> drops.add(l1.time().dropTransaction(Hash.sha3(node.accepted().get(0)))));
            node.beforeCall("eth_getTransactionReceipt", 2, () -> l1.time().mine());
            TxSender.Sent s = sender(node, key, TxSender.Time.SYSTEM).send(RECIPIENT, "0x", BigInteger.ONE);

            assertThat(drops).as("it was waiting in the pool when dropped").containsExactly(true);
            assertThat(s.receipt().isStatusOK()).isTrue();
            assertThat(node.accepted()).hasSize(2);
            assertThat(node.accepted().get(1)).as("the same signed transaction, not a replacement with higher fees").isEqualTo(node.accepted().get(0));
            assertThat(s.receipt().getTransactionHash()).isEqualTo(Hash.sha3(node.accepted().get(0)));
            assertThat(s.attempts()).hasSize(1);
        } finally {
            l1.time().setAutomine(true);
        }
    }

    @Test
    void aTransactionL1PassedOverIsSentAgainWithFeesRaisedByTheBump(DevnetContext l1) throws Exception {
        Credentials key = l1.key(8);
        CallWatch node = new CallWatch(l1.service());
        long before = l1.web3j().ethGetTransactionCount(key.getAddress(), DefaultBlockParameterName.LATEST).send()
                .getTransactionCount().longValueExact();
        l1.time().setAutomine(false);
        try {
            // the pool evicts ours and a block comes without it: L1 moved on
            node.beforeCall("eth_getTransactionReceipt", 1, () -> {
                l1.time().dropTransaction(Hash.sha3(node.accepted().get(0)));
                l1.time().mine();
            });
            node.beforeCall("eth_getTransactionReceipt", 2, () -> l1.time().mine());
            TxSender.Sent s = sender(node, key, TxSender.Time.SYSTEM).send(RECIPIENT, "0x", BigInteger.ONE);

            assertThat(s.receipt().isStatusOK()).isTrue();
            assertThat(node.accepted()).hasSize(2);
            Transaction1559 first = (Transaction1559) TransactionDecoder.decode(node.accepted().get(0)).getTransaction();
            Transaction1559 second = (Transaction1559) TransactionDecoder.decode(node.accepted().get(1)).getTransaction();
            assertThat(second.getNonce()).isEqualTo(first.getNonce()).isEqualTo(BigInteger.valueOf(before));
            assertThat(second.getMaxPriorityFeePerGas()).as("tip raised by at least 25%")
                    .isGreaterThanOrEqualTo(first.getMaxPriorityFeePerGas().multiply(BigInteger.valueOf(125)).divide(BigInteger.valueOf(100)));
            assertThat(second.getMaxFeePerGas()).isGreaterThanOrEqualTo(first.getMaxFeePerGas().multiply(BigInteger.valueOf(125)).divide(BigInteger.valueOf(100)));
            assertThat(s.receipt().getTransactionHash()).isEqualTo(Hash.sha3(node.accepted().get(1)));
            assertThat(s.attempts()).hasSize(2);
        } finally {
            l1.time().setAutomine(true);
        }
    }

    @Test
    void aPooledTransactionABlockPassesOverIsReplacedInThePoolAndOnlyTheReplacementIsMined(DevnetContext l1) throws Exception {
        Credentials key = l1.key(4);
        CallWatch node = new CallWatch(l1.service());
        Web3j web3j = Web3j.build(node);
        TxSender sender = new TxSender(web3j, key, chainId(web3j), TxSender.FeePolicy.defaults().withResendAfter(300).withPollMillis(20),
                TxSender.Time.SYSTEM);
        var thread = java.util.concurrent.Executors.newSingleThreadExecutor();
        l1.time().setAutomine(false);
        try {
            var sending = thread.submit(() -> sender.send(RECIPIENT, "0x", BigInteger.ONE));
            node.awaitCall("eth_getTransactionReceipt", 1);
            Transaction1559 first = (Transaction1559) TransactionDecoder.decode(node.accepted().get(0)).getTransaction();
            // a block whose base fee is above what ours pays: L1 moved on, ours still waits in the pool
            l1.time().setNextBlockBaseFee(first.getMaxFeePerGas().add(BigInteger.ONE));
            l1.time().mine();
            node.awaitCall("eth_getTransactionReceipt", 2);
            l1.time().setNextBlockBaseFee(BigInteger.valueOf(1_000_000_000L));
            l1.time().mine();
            TxSender.Sent s = sending.get(30, java.util.concurrent.TimeUnit.SECONDS);

            assertThat(node.accepted()).hasSize(2);
            Transaction1559 second = (Transaction1559) TransactionDecoder.decode(node.accepted().get(1)).getTransaction();
            assertThat(second.getNonce()).as("a replacement under the same nonce").isEqualTo(first.getNonce());
            assertThat(second.getMaxPriorityFeePerGas()).isGreaterThanOrEqualTo(
                    first.getMaxPriorityFeePerGas().multiply(BigInteger.valueOf(125)).divide(BigInteger.valueOf(100)));
            assertThat(s.receipt().getTransactionHash()).isEqualTo(Hash.sha3(node.accepted().get(1)));
            assertThat(s.attempts()).hasSize(2);
            assertThat(l1.web3j().ethGetTransactionReceipt(Hash.sha3(node.accepted().get(0))).send().getTransactionReceipt())
                    .as("the replaced one is gone from the pool, never mined").isEmpty();
            assertThat(l1.web3j().ethGetTransactionByHash(Hash.sha3(node.accepted().get(0))).send().getTransaction()).isEmpty();
        } finally {
            thread.shutdownNow();
            l1.time().setAutomine(true);
        }
    }

    @Test
    void aCallNeedingTheLastMinedTransactionIsEstimatedAtItsBlockThoughTheEndpointAnswersFromANodeBehind(DevnetContext l1) throws Exception {
        Credentials minter = l1.deployer();
        String other = l1.key(6).getAddress();
        TestCollateral token = TestCollateral.load(l1.address("TestCollateral"), l1.web3j(), minter, new DefaultGasProvider());
        BigInteger held = token.balanceOf(minter.getAddress()).send();
        BigInteger minted = BigInteger.valueOf(1_000_000);
        BlockBehind balancer = new BlockBehind(l1.service());
        TxSender sender = new TxSender(Web3j.build(balancer), minter, chainId(l1.web3j()), TxSender.FeePolicy.defaults().withPollMillis(20),
                TxSender.Time.SYSTEM);
        assertThat(sender.send(token.getContractAddress(), token.mint(minter.getAddress(), minted).encodeFunctionCall(), BigInteger.ZERO)
                .receipt().isStatusOK()).isTrue();

        // moving all it now holds needs the mint: on the node a block behind that transfer reverts
        balancer.lag(3, true);
        BigInteger all = held.add(minted);
        TxSender.Sent s = sender.send(token.getContractAddress(), token.transfer(other, all).encodeFunctionCall(), BigInteger.ZERO);

        assertThat(s.receipt().isStatusOK()).isTrue();
        assertThat(token.balanceOf(other).send()).isGreaterThanOrEqualTo(all);
        assertThat(token.balanceOf(minter.getAddress()).send()).isZero();
        assertThat(balancer.lagging()).as("the node behind was asked and refused the block it lacks").isZero();
    }

    @Test
    void aNonceAnotherProgramUsedAfterOursWasDroppedFailsTheSendWithAClearErrorInsteadOfSpinningOrSendingTwice(DevnetContext l1)
            throws Exception {
        Credentials key = l1.key(5);
        String elsewhere = "0x00000000000000000000000000000000000e15e1";
        CallWatch node = new CallWatch(l1.service());
        TxSender ours = sender(node, key, new FastClock());
        BigInteger recipientBefore = l1.web3j().ethGetBalance(RECIPIENT, DefaultBlockParameterName.LATEST).send().getBalance();
        l1.time().setAutomine(false);
        try {
            // ours is dropped from the pool; while it is awaited, another program with the same key spends the nonce
            node.beforeCall("eth_getTransactionReceipt", 1, () -> {
                l1.time().dropTransaction(Hash.sha3(node.accepted().get(0)));
                l1.time().setAutomine(true);
                sendingElsewhere(l1, key, elsewhere, BigInteger.TWO).run();
            });

            assertThatThrownBy(() -> ours.send(RECIPIENT, "0x", BigInteger.ONE))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("was used on L1, but by none of the")
                    .hasMessageContaining("not known to be mined")
                    .hasMessageContaining(key.getAddress());
            assertThat(l1.web3j().ethGetBalance(RECIPIENT, DefaultBlockParameterName.LATEST).send().getBalance())
                    .as("the call was not done under another nonce").isEqualTo(recipientBefore);
            assertThat(l1.web3j().ethGetBalance(elsewhere, DefaultBlockParameterName.LATEST).send().getBalance()).isEqualTo(BigInteger.TWO);

            // the next call reads the nonce afresh and goes through
            assertThat(ours.send(RECIPIENT, "0x", BigInteger.ONE).receipt().isStatusOK()).isTrue();
        } finally {
            l1.time().setAutomine(true);
        }
    }

    /**
     * L1 reorganises away the blocks of two of the sender's transactions, and the new branch is shorter than the block of
     * the last one (a devnet mines only on a transaction; a real chain's new head may be lower for a moment): told of the
     * fork, the sender neither waits for a block that is gone nor sends under a nonce the new branch never reached. The
     * next call goes out at once under the first nonce the new branch leaves free. Before, it waited 30 s for "the node
     * to reach" the lost block, then failed telling the caller to use another endpoint.
     */
    @Test
    void aSenderToldOfAReorgSendsUnderTheNonceTheNewBranchLeavesAndWaitsForNoLostBlock(DevnetContext l1) throws Exception {
        Credentials key = l1.key(6);
        FastClock clock = new FastClock();
        CallWatch node = new CallWatch(l1.service());
        TxSender sender = sender(node, key, clock);
        long fork = l1.web3j().ethBlockNumber().send().getBlockNumber().longValueExact();
        String beforeBoth = l1.time().snapshot();
        long first = sender.send(RECIPIENT, "0x", BigInteger.ONE).nonce();
        assertThat(sender.send(RECIPIENT, "0x", BigInteger.ONE).nonce()).isEqualTo(first + 1);
        assertThat(l1.time().revert(beforeBoth)).isTrue();

        sender.reorganised(fork);
        long before = clock.millis();
        long sendsBefore = node.callsOf("eth_sendRawTransaction");
        TxSender.Sent again = sender.send(RECIPIENT, "0x", BigInteger.ONE);
        assertThat(again.nonce()).as("the first nonce the new branch leaves free").isEqualTo(first);
        // a node that pools a nonce past a gap (geth does) would keep one sent under the old count for good, unmined
        assertThat(node.callsOf("eth_sendRawTransaction") - sendsBefore).as("one send, none under a nonce the new branch never reached").isOne();
        assertThat(again.receipt().isStatusOK()).isTrue();
        assertThat(clock.millis() - before).as("no wait for the block the reorg took away (sender's clock)").isLessThan(5_000);
        assertThat(sender.send(RECIPIENT, "0x", BigInteger.ONE).nonce()).isEqualTo(first + 1);
    }

    /** Time that passes as fast as the sender sleeps, so a 30 s patience is spent in milliseconds. */
    /**
     * L1 loses a mined transaction of the sender's (a reorg into a branch without it, nobody tells the sender, and the pool
     * does not take it back): the next call goes out under the nonce after it, and a node without automine (as geth) pools
     * it behind the gap, where no fee bump reaches it. The sender fills the gap with an empty transfer to itself, and the
     * call runs once, under its own nonce. Before, it raised its fees for ever.
     */
    @Test
    void aCallPooledBehindTheGapALostTransactionLeftRunsOnceAfterTheSenderFillsTheGap(DevnetContext l1) throws Exception {
        Credentials key = l1.key(9);
        CallWatch node = new CallWatch(l1.service());
        TxSender sender = sender(node, key, TxSender.Time.SYSTEM);
        BigInteger paidBefore = l1.web3j().ethGetBalance(RECIPIENT, DefaultBlockParameterName.LATEST).send().getBalance();
        String beforeLost = l1.time().snapshot();
        long lost = sender.send(RECIPIENT, "0x", BigInteger.ONE).nonce();
        assertThat(l1.time().revert(beforeLost)).isTrue();

        l1.time().setAutomine(false);
        java.util.concurrent.atomic.AtomicBoolean mining = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread miner = Thread.ofVirtual().start(() -> {
            while (mining.get()) {
                try {
                    l1.time().mine();
                    Thread.sleep(100);
                } catch (Exception e) {
                    return;
                }
            }
        });
        try {
            var call = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return sender.send(RECIPIENT, "0x", BigInteger.ONE);
                } catch (Exception e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });
            TxSender.Sent s = call.get(60, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(s.receipt().isStatusOK()).isTrue();
            assertThat(s.nonce()).as("under the nonce it was signed with").isEqualTo(lost + 1);
            assertThat(l1.web3j().ethGetBalance(RECIPIENT, DefaultBlockParameterName.LATEST).send().getBalance())
                    .as("the call ran once, the lost one not at all").isEqualTo(paidBefore.add(BigInteger.ONE));
            assertThat(node.accepted().stream().map(raw -> TransactionDecoder.decode(raw))
                    .filter(t -> t.getTo().equalsIgnoreCase(key.getAddress()) && t.getNonce().longValueExact() == lost))
                    .as("the gap filled by an empty transfer to itself").hasSize(1);
        } finally {
            mining.set(false);
            miner.join();
            l1.time().setAutomine(true);
        }
    }

    private static final class FastClock implements TxSender.Time {
        private long now;

        @Override
        public long millis() {
            return now;
        }

        @Override
        public void sleep(long millis) throws InterruptedException {
            now += millis;
            Thread.sleep(1);
        }
    }

    @Test
    void aNodeThatRefusesABlockItHasNotReachedIsToldApartFromARevert() {
        assertThat(TxSender.behind("header not found")).isTrue();
        assertThat(TxSender.behind("Received invalid block tag 0x10. Latest block number is 15")).isTrue();
        assertThat(TxSender.behind("unknown block")).isTrue();
        assertThat(TxSender.behind("execution reverted: NotMinter(0x..)")).isFalse();
        assertThat(TxSender.behind("insufficient funds for gas * price + value")).isFalse();
    }

    private static TxSender sender(CallWatch node, Credentials key, TxSender.Time time) throws IOException {
        Web3j web3j = Web3j.build(node);
        return new TxSender(web3j, key, chainId(web3j), TxSender.FeePolicy.defaults().withResendAfter(300).withPollMillis(20), time);
    }

    private static long chainId(Web3j web3j) throws IOException {
        return web3j.ethChainId().send().getChainId().longValueExact();
    }

    /** {@code key} sends {@code value} to {@code to} through the real node, as another program would. */
    private static Runnable sendingElsewhere(DevnetContext l1, Credentials key, String to, BigInteger value) {
        return () -> {
            try {
                new TxSender(l1.web3j(), key, chainId(l1.web3j()), TxSender.FeePolicy.defaults(), TxSender.Time.SYSTEM).send(to, "0x", value);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
    }
}
