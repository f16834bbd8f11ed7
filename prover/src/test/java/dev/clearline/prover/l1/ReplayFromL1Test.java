package dev.clearline.prover.l1;

import dev.clearline.devnet.junit.ForwardingTransport;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.clearline.contracts.generated.Rollup;
import dev.clearline.contracts.generated.TestCollateral;
import dev.clearline.devnet.junit.DevnetContext;
import dev.clearline.devnet.junit.WithDevnet;
import dev.clearline.engine.batch.Batch;
import dev.clearline.engine.batch.BatchBuilder;
import dev.clearline.engine.batch.BatchHeader;
import dev.clearline.engine.batch.BatchPolicy;
import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.BouncyCastleVerifier;
import dev.clearline.engine.order.Eip712;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.engine.stf.Stf;
import dev.clearline.engine.transition.Transition;
import dev.clearline.engine.transition.Transition.OraclePrice;
import dev.clearline.engine.transition.Transition.PostOrder;
import dev.clearline.engine.transition.Transition.Trade;
import dev.clearline.prover.replay.BatchVerifier;
import dev.clearline.prover.replay.Verdict;
import dev.clearline.tree.store.MemoryNodeStore;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.tx.gas.StaticGasProvider;

/**
 * A watcher rebuilds the L2 state from what L1 holds alone: the rollup's events and the calldata
 * of the transactions that posted batches. A sequencer (played by the test) takes deposits from
 * the real priority queue, posts two honest batches and one that lies about its post-root; the
 * watcher, knowing only the RPC endpoint and the rollup's address, judges each.
 */
@WithDevnet
class ReplayFromL1Test {
    private static final StaticGasProvider GAS = new StaticGasProvider(BigInteger.valueOf(2_000_000_000L), BigInteger.valueOf(12_000_000));
    private static final BigInteger BOND = BigInteger.TEN.pow(18);

    @Test
    void aWatcherReadingOnlyL1FindsTheHonestBatchesHonestAndTheLieAtItsBatch(DevnetContext l1) throws Exception {
        Credentials operator = l1.deployer();
        Credentials aliceKey = l1.key(1);
        Credentials bobKey = l1.key(2);
        String token = l1.address("TestCollateral");
        Rollup rollup = Rollup.deploy(l1.web3j(), operator, GAS, token, operator.getAddress(), l1.key(7).getAddress(),
                l1.key(8).getAddress(), BigInteger.valueOf(3_600), BigInteger.valueOf(7_200), BOND, BigInteger.valueOf(50),
                BigInteger.valueOf(4_096), new byte[32], operator.getAddress()).send();
        long chainId = l1.web3j().ethChainId().send().getChainId().longValue();
        Eip712 domain = new Eip712(chainId, Address.fromHex(rollup.getContractAddress()));
        Signer oracle = new Signer(BigInteger.valueOf(999_999_937L));
        Signer alice = Signer.ofHex(aliceKey.getEcKeyPair().getPrivateKey().toString(16));
        Signer bob = Signer.ofHex(bobKey.getEcKeyPair().getPrivateKey().toString(16));

        // Users and governance go through L1: a market, two deposits.
        ok(rollup.configureMarket(BigInteger.ONE, BigInteger.valueOf(100), BigInteger.valueOf(1_000), BigInteger.valueOf(100_000),
                BigInteger.valueOf(50_000), BigInteger.valueOf(200), BigInteger.valueOf(500), BigInteger.valueOf(10_000), oracle.address().toString()).send());
        TestCollateral minter = TestCollateral.load(token, l1.web3j(), operator, GAS);
        for (Credentials user : List.of(aliceKey, bobKey)) {
            ok(minter.mint(user.getAddress(), BigInteger.valueOf(50_000_000)).send());
            ok(TestCollateral.load(token, l1.web3j(), user, GAS).approve(rollup.getContractAddress(), BigInteger.valueOf(50_000_000)).send());
            ok(Rollup.load(rollup.getContractAddress(), l1.web3j(), user, GAS).deposit(BigInteger.valueOf(50_000_000)).send());
        }
        ok(rollup.joinProposers(BOND).send());

        // The sequencer: consumes the queue exactly as L1 recorded it, then trades.
        RollupLog log = new RollupLog(l1.web3j(), rollup.getContractAddress());
        // the rollup names the block it was deployed in: no log of it is older; a contract that does not answer reads as 0
        long deployed = rollup.getTransactionReceipt().orElseThrow().getBlockNumber().longValueExact();
        assertThat(deployed).isPositive();
        assertThat(log.deploymentBlock()).isEqualTo(deployed);
        assertThat(log.priorityOps(deployed, log.latestBlock())).isEqualTo(log.priorityOps(0, log.latestBlock()));
        assertThat(new RollupLog(l1.web3j(), token).deploymentBlock()).isZero();
        List<Transition> queue = log.priorityOps(0, log.latestBlock());
        assertThat(queue).hasSize(3);
        Stf stf = new Stf(domain, new BouncyCastleVerifier());
        BatchBuilder sequencer = new BatchBuilder(stf, new MemoryNodeStore(), new BatchPolicy(1_000, 60));
        List<Transition> first = new ArrayList<>(queue);
        first.add(price(domain, oracle, 10_000, 1));
        Order ask = new Order(alice.address(), 1, Side.SELL, 10_000, 5_000, 0, TimeInForce.GTC, 0, 0, 1, 5_000_000);
        Order bid = new Order(bob.address(), 1, Side.BUY, 10_000, 5_000, 0, TimeInForce.GTC, 0, 0, 1, 5_000_000);
        List<Transition> second = List.of(new PostOrder(ask, alice.sign(domain.orderDigest(ask))),
                new PostOrder(bid, bob.sign(domain.orderDigest(bid))), new Trade(1, 2, 3_000), price(domain, oracle, 10_100, 2));
        List<Transition> third = List.of(new Trade(1, 2, 2_000));
        List<Batch> batches = new ArrayList<>();
        for (List<Transition> group : List.of(first, second, third)) {
            for (Transition t : group) assertThat(sequencer.append(t, 0).applied()).as("%s applies", t).isTrue();
            sequencer.seal();
            batches.addAll(sequencer.takeSealed());
        }
        Hash32 lie = Hash32.fromHex("0x" + "5e".repeat(32));
        for (Batch b : batches) {
            BatchHeader h = b.header();
            Hash32 claimed = h.batchIndex() == 2 ? lie : h.postStateRoot();
            ok(rollup.submitBatch(new Rollup.BatchHeader(BigInteger.valueOf(h.batchIndex()), h.prevStateRoot().bytes(),
                    claimed.bytes(), BigInteger.valueOf(h.transitionCount()), h.transitionsRoot().bytes(),
                    BigInteger.valueOf(h.priorityOpsConsumed())), b.calldata()).send());
        }

        // The watcher: an RPC endpoint and an address, nothing from the operator.
        BatchVerifier watcher = new BatchVerifier(new Stf(domain, new BouncyCastleVerifier()), new MemoryNodeStore());
        List<Verdict> verdicts = new ArrayList<>();
        for (RollupLog.Posted p : new RollupLog(l1.web3j(), rollup.getContractAddress()).batches(0, log.latestBlock())) {
            verdicts.add(watcher.verify(p.batch()));
        }
        assertThat(verdicts).containsExactly(
                new Verdict.Honest(0, batches.get(0).header().postStateRoot()),
                new Verdict.Honest(1, batches.get(1).header().postStateRoot()),
                new Verdict.WrongPostRoot(2, lie, batches.get(2).header().postStateRoot()));

        // behind a hosted RPC's caps on eth_getLogs (at most one log per answer; at most two blocks per query) the
        // same batches and queue are read, in halves of the range the node refused
        long head = log.latestBlock();
        List<RollupLog.Posted> whole = log.batches(0, head);
        for (CappedLogsTransport capped : List.of(new CappedLogsTransport(l1.service(), 1, Long.MAX_VALUE),
                new CappedLogsTransport(l1.service(), Integer.MAX_VALUE, 2))) {
            RollupLog behind = new RollupLog(org.web3j.protocol.Web3j.build(capped), rollup.getContractAddress());
            assertThat(behind.batches(0, head)).usingRecursiveFieldByFieldElementComparator().containsExactlyElementsOf(whole);
            assertThat(behind.priorityOps(0, head)).isEqualTo(queue);
            assertThat(capped.queries.get()).as("queries for %d blocks", head).isBetween(3, (int) (8 * head));
        }

        // the posting transactions come in one batch request, not one request each; a node that refuses batch
        // requests is asked one at a time, with the same answer
        java.util.concurrent.atomic.AtomicInteger batchRequests = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger alone = new java.util.concurrent.atomic.AtomicInteger();
        ForwardingTransport batching = new ForwardingTransport(l1.service()) {
            @Override
            public org.web3j.protocol.core.BatchResponse sendBatch(org.web3j.protocol.core.BatchRequest batch) throws java.io.IOException {
                batchRequests.incrementAndGet();
                return node.sendBatch(batch);
            }

            @Override
            @SuppressWarnings({"rawtypes", "unchecked"})
            public <T extends org.web3j.protocol.core.Response> T send(org.web3j.protocol.core.Request request, Class<T> type) throws java.io.IOException {
                if (request.getMethod().startsWith("eth_getTransactionBy")) alone.incrementAndGet();
                return super.send(request, type);
            }

            @Override
            public void close() {
                // the node is the test's
            }
        };
        assertThat(new RollupLog(org.web3j.protocol.Web3j.build(batching), rollup.getContractAddress()).batches(0, head))
                .usingRecursiveFieldByFieldElementComparator().containsExactlyElementsOf(whole);
        assertThat(batchRequests.get()).isOne();
        assertThat(alone.get()).isZero();
        ForwardingTransport noBatches = new ForwardingTransport(l1.service()) {
            @Override
            public org.web3j.protocol.core.BatchResponse sendBatch(org.web3j.protocol.core.BatchRequest batch) throws java.io.IOException {
                throw new java.io.IOException("Invalid response received: 400; {\"error\":\"batch requests are not supported\"}");
            }

            @Override
            public void close() {
                // the node is the test's
            }
        };
        assertThat(new RollupLog(org.web3j.protocol.Web3j.build(noBatches), rollup.getContractAddress()).batches(0, head))
                .usingRecursiveFieldByFieldElementComparator().containsExactlyElementsOf(whole);

        // a node that keeps no index by transaction hash for these blocks (geth's default past about a year) still serves
        // the batches by their place in the block; one that answers neither says what to do
        RollupLog unindexed = new RollupLog(org.web3j.protocol.Web3j.build(new Unanswered(l1.service(), "eth_getTransactionByHash")),
                rollup.getContractAddress());
        assertThat(unindexed.batches(0, head)).usingRecursiveFieldByFieldElementComparator().containsExactlyElementsOf(whole);
        RollupLog pruned = new RollupLog(org.web3j.protocol.Web3j.build(new Unanswered(l1.service(), "eth_getTransactionByHash",
                "eth_getTransactionByBlockHashAndIndex")), rollup.getContractAddress());
        assertThatThrownBy(() -> pruned.batches(0, head)).isInstanceOf(java.io.IOException.class)
                .hasMessageContaining("the node knows neither transaction").hasMessageContaining("--rpc-url");
    }

    /** A real node that answers null to {@code methods}, as a node without the data does. */
    private static final class Unanswered extends ForwardingTransport {
        private final List<String> methods;

        Unanswered(org.web3j.protocol.Web3jService node, String... methods) {
            super(node);
            this.methods = List.of(methods);
        }

        @Override
        @SuppressWarnings({"rawtypes", "unchecked"})
        public <T extends org.web3j.protocol.core.Response> T send(org.web3j.protocol.core.Request request, Class<T> type) throws java.io.IOException {
            if (!methods.contains(request.getMethod())) return super.send(request, type);
            try {
                T nothing = type.getDeclaredConstructor().newInstance();
                nothing.setId(request.getId());
                return nothing;
            } catch (ReflectiveOperationException e) {
                throw new java.io.IOException(e);
            }
        }

        @Override
        public void close() {
            // the node is the test's
        }
    }

    @Test
    void inputThatIsNotASubmitBatchCallIsNotReadAsABatch() {
        assertThat(RollupLog.decodeSubmitBatch(new byte[4 + 8 * 32])).isEmpty();
        byte[] truncated = java.util.Arrays.copyOf(RollupLog.SUBMIT_BATCH, 4 + 7 * 32);
        assertThat(RollupLog.decodeSubmitBatch(truncated)).isEmpty();
    }

    private static OraclePrice price(Eip712 domain, Signer oracle, long price, long ts) {
        return new OraclePrice(1, price, 0, ts, oracle.sign(domain.oraclePriceDigest(1, price, 0, ts)));
    }

    private static void ok(TransactionReceipt r) {
        assertThat(r.isStatusOK()).as("transaction %s: %s", r.getTransactionHash(), r.getRevertReason()).isTrue();
    }
}
