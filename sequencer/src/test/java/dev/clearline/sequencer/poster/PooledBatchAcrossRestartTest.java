package dev.clearline.sequencer.poster;

import dev.clearline.contracts.generated.Rollup;
import dev.clearline.devnet.junit.CallWatch;
import dev.clearline.devnet.junit.DevnetContext;
import dev.clearline.devnet.junit.ForwardingTransport;
import dev.clearline.devnet.junit.WithDevnet;
import dev.clearline.prover.l1.TxSender;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Hash;
import org.web3j.crypto.TransactionDecoder;
import org.web3j.crypto.transaction.type.Transaction1559;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.Response;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A poster killed while its batch waits in L1's pool (automine off on the devnet, as on a chain
 * between blocks), and its restart with the same key. The restarted poster waits for what the
 * pool holds rather than posting the batch again under the next nonce (which would land twice,
 * the second reverting); when the pool still holds it past the patience, it replaces it under the
 * same nonce with fees the pool accepts, and the batch lands once; and when the pooled one lands just
 * as the replacement is being prepared, the replacement's estimate fails and nothing is sent.
 */
@WithDevnet
class PooledBatchAcrossRestartTest {
    @TempDir
    Path dir;

    @Test
    void aBatchAKilledPosterLeftInThePoolIsAwaitedNotPostedAgainByTheRestartedOne(DevnetContext l1) throws Exception {
        try (L1World w = new L1World(l1, dir)) {
            Credentials operator = l1.key(8);
            long before = readyToPost(w, operator);
            ExecutorService restarted = Executors.newSingleThreadExecutor();
            l1.time().setAutomine(false);
            try {
                killedWithItsBatchPooled(w, operator);

                CallWatch secondNode = new CallWatch(l1.service());
                Future<Integer> second = restarted.submit(() -> w.poster(Web3j.build(secondNode), operator, TxSender.FeePolicy.defaults())
                        .postAvailable());
                secondNode.awaitCall("eth_getTransactionCount", 0); // it looks at the pool before anything else
                l1.time().mine();

                assertThat(second.get(60, TimeUnit.SECONDS)).as("the pooled batch was the only one").isZero();
                assertThat(secondNode.accepted()).as("nothing sent by the restarted poster").isEmpty();
                assertPostedOnce(w, l1, operator, before);
            } finally {
                restarted.shutdownNow();
                l1.time().setAutomine(true);
            }
        }
    }

    @Test
    void aBatchStillPooledPastTheRestartsPatienceIsReplacedUnderItsNonceAndLandsOnce(DevnetContext l1) throws Exception {
        try (L1World w = new L1World(l1, dir)) {
            Credentials operator = l1.key(9);
            long before = readyToPost(w, operator);
            ExecutorService restarted = Executors.newSingleThreadExecutor();
            l1.time().setAutomine(false);
            try {
                String pooledRaw = killedWithItsBatchPooled(w, operator);
                Transaction1559 pooled = passedOver(l1, pooledRaw);
                CallWatch secondNode = new CallWatch(l1.service());
                Future<Integer> second = restarted.submit(restartedWithVirtualTime(w, secondNode, operator)::postAvailable);
                secondNode.awaitCall("eth_getTransactionReceipt", 1);
                l1.time().setNextBlockBaseFee(BigInteger.valueOf(1_000_000_000L));
                l1.time().mine();

                assertThat(second.get(60, TimeUnit.SECONDS)).isEqualTo(1);
                Transaction1559 replacement = (Transaction1559) TransactionDecoder.decode(secondNode.accepted().getLast()).getTransaction();
                assertThat(replacement.getNonce()).as("under the pooled one's nonce").isEqualTo(pooled.getNonce());
                assertThat(replacement.getMaxPriorityFeePerGas()).isGreaterThan(pooled.getMaxPriorityFeePerGas());
                assertThat(replacement.getData()).as("the same batch").isEqualTo(pooled.getData());
                assertThat(l1.web3j().ethGetTransactionReceipt(Hash.sha3(pooledRaw)).send().getTransactionReceipt())
                        .as("the replaced attempt never lands").isEmpty();
                assertPostedOnce(w, l1, operator, before);
            } finally {
                restarted.shutdownNow();
                l1.time().setAutomine(true);
            }
        }
    }

    @Test
    void aPooledBatchThatLandsJustAsTheRestartedPosterWouldReplaceItIsCountedNotSentAgain(DevnetContext l1) throws Exception {
        try (L1World w = new L1World(l1, dir)) {
            Credentials operator = l1.key(7);
            long before = readyToPost(w, operator);
            ExecutorService restarted = Executors.newSingleThreadExecutor();
            l1.time().setAutomine(false);
            try {
                String pooledRaw = killedWithItsBatchPooled(w, operator);
                passedOver(l1, pooledRaw);
                // past the patience the restarted poster estimates its replacement: the fee falls and the pooled batch lands first
                LandsBeforeTheEstimate node = new LandsBeforeTheEstimate(l1);
                Future<Integer> second = restarted.submit(restartedWithVirtualTime(w, node, operator)::postAvailable);

                assertThat(second.get(60, TimeUnit.SECONDS)).as("the batch is on L1: counted").isEqualTo(1);
                assertThat(node.landed).isTrue();
                assertThat(node.sends).as("and nothing sent for it").isZero();
                assertThat(l1.web3j().ethGetTransactionReceipt(Hash.sha3(pooledRaw)).send().getTransactionReceipt()).isPresent();
                assertPostedOnce(w, l1, operator, before);
            } finally {
                restarted.shutdownNow();
                l1.time().setAutomine(true);
            }
        }
    }

    /** Lowers the base fee and mines a block just before the first gas estimate it passes on; counts raw sends. */
    private static final class LandsBeforeTheEstimate extends ForwardingTransport {
        private final DevnetContext l1;
        volatile boolean landed;
        volatile int sends;

        LandsBeforeTheEstimate(DevnetContext l1) {
            super(l1.service());
            this.l1 = l1;
        }

        @Override
        @SuppressWarnings("rawtypes")
        public <T extends Response> T send(Request request, Class<T> responseType) throws IOException {
            if ("eth_estimateGas".equals(request.getMethod()) && !landed) {
                l1.time().setNextBlockBaseFee(BigInteger.valueOf(1_000_000_000L));
                l1.time().mine();
                landed = true;
            }
            if ("eth_sendRawTransaction".equals(request.getMethod())) sends++;
            return node.send(request, responseType);
        }
    }

    /** L1 moves on without the pooled batch: a block whose base fee is above what it pays. Returns the pooled transaction. */
    private static Transaction1559 passedOver(DevnetContext l1, String pooledRaw) throws Exception {
        Transaction1559 pooled = (Transaction1559) TransactionDecoder.decode(pooledRaw).getTransaction();
        l1.time().setNextBlockBaseFee(pooled.getMaxFeePerGas().add(BigInteger.ONE));
        l1.time().mine();
        return pooled;
    }

    /** The poster a restart makes, through {@code node}; the minute's patience for the pool passes in virtual time. */
    private static BatchPoster restartedWithVirtualTime(L1World w, org.web3j.protocol.Web3jService node, Credentials operator) throws Exception {
        Web3j web3j = Web3j.build(node);
        TxSender sender = new TxSender(web3j, operator, web3j.ethChainId().send().getChainId().longValueExact(),
                TxSender.FeePolicy.defaults(), new VirtualTime());
        return new BatchPoster(web3j, w.rollupAddress, sender, w.link);
    }

    /** Seals the first batch and bonds the operator while L1 still mines at once; returns the operator's mined nonce. */
    private static long readyToPost(L1World w, Credentials operator) throws Exception {
        w.sealFirstBatch();
        w.poster(w.l1.web3j(), operator, TxSender.FeePolicy.defaults()).ensureBond();
        return nonce(w.l1.web3j(), operator);
    }

    /** A poster that sends the first batch, and is killed while it waits for it in the pool; returns what it sent. */
    private static String killedWithItsBatchPooled(L1World w, Credentials operator) throws Exception {
        ExecutorService process = Executors.newSingleThreadExecutor();
        CallWatch node = new CallWatch(w.l1.service());
        process.submit(() -> w.poster(Web3j.build(node), operator, TxSender.FeePolicy.defaults()).postAvailable());
        node.awaitCall("eth_getTransactionReceipt", 1);
        process.shutdownNow();
        assertThat(process.awaitTermination(30, TimeUnit.SECONDS)).as("the first poster stopped").isTrue();
        assertThat(node.accepted()).hasSize(1);
        assertThat(nonce(w.l1.web3j(), operator)).as("its batch is not mined").isEqualTo(
                w.l1.web3j().ethGetTransactionCount(operator.getAddress(), DefaultBlockParameterName.PENDING).send()
                        .getTransactionCount().longValueExact() - 1);
        return node.accepted().getFirst();
    }

    private static void assertPostedOnce(L1World w, DevnetContext l1, Credentials operator, long nonceBefore) throws Exception {
        Rollup rollup = Rollup.load(w.rollupAddress, l1.web3j(), operator, L1World.GAS);
        assertThat(rollup.nextBatchIndex().send().longValueExact()).isEqualTo(1);
        assertThat(rollup.submissions().send().longValueExact()).as("posted once").isEqualTo(1);
        assertThat(nonce(l1.web3j(), operator)).as("one transaction mined for it").isEqualTo(nonceBefore + 1);
    }

    private static long nonce(Web3j web3j, Credentials key) throws Exception {
        return web3j.ethGetTransactionCount(key.getAddress(), DefaultBlockParameterName.LATEST).send().getTransactionCount().longValueExact();
    }

    /** Time that passes as fast as the sender sleeps: its waits are counted, barely spent. */
    private static final class VirtualTime implements TxSender.Time {
        private volatile long now;

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
}
