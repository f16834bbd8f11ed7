package dev.clearline.prover.dispute;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.contracts.generated.Rollup;
import dev.clearline.contracts.generated.TestCollateral;
import dev.clearline.devnet.junit.DevnetContext;
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
import dev.clearline.prover.l1.RollupLog;
import dev.clearline.prover.l1.TxSender;
import dev.clearline.prover.replay.ReplayListener;
import dev.clearline.prover.replay.Replayer;
import dev.clearline.prover.replay.RpcL1Source;
import dev.clearline.prover.store.ReplayStore;
import dev.clearline.tree.store.MemoryNodeStore;
import java.nio.file.Path;
import java.util.UUID;
import org.web3j.protocol.Web3j;
import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.tx.RawTransactionManager;
import org.web3j.tx.TransactionManager;
import org.web3j.tx.gas.StaticGasProvider;
import org.web3j.tx.response.PollingTransactionReceiptProcessor;

/**
 * A rollup in use on an L1 with the standard contract set: governance lists a market, two traders
 * deposit through the priority queue, a bonded proposer posts batches that a sequencer (the Java
 * batch builder) sealed, honestly or with one lie a test asks for. Keys: 0 deployer/governance,
 * 1 and 2 traders, 3 proposer, 4 watcher, 5 a griefing challenger.
 */
final class Rollout {
    /** Re-sends a move not mined within 2 s; looks for receipts every 20 ms. */
    static final TxSender.FeePolicy FEES = TxSender.FeePolicy.defaults().withResendAfter(2_000).withPollMillis(20);
    static final StaticGasProvider GAS = new StaticGasProvider(BigInteger.valueOf(2_000_000_000L), BigInteger.valueOf(15_000_000));
    final DevnetContext l1;
    final long chainId;
    final String rollupAddress;
    final String gameAddress;
    final Eip712 domain;
    final Signer oracle = new Signer(BigInteger.valueOf(999_999_937L));
    final Signer alice;
    final Signer bob;
    final Credentials proposerKey;
    final Rollup proposer;
    final MemoryNodeStore sequencerNodes = new MemoryNodeStore();
    final BatchBuilder sequencer;
    final long fromBlock;
    long oracleTs = 1;

    Rollout(DevnetContext l1) throws Exception {
        this.l1 = l1;
        this.chainId = l1.web3j().ethChainId().send().getChainId().longValue();
        this.rollupAddress = l1.address("Rollup");
        this.gameAddress = l1.address("DisputeGame");
        // from the rollup's deployment, as `watch` reads by default: the watcher then checks every log answer against
        // the rollup's and the game's counters (each test runs on its own snapshot, so no other test's batch is there)
        this.fromBlock = new dev.clearline.prover.l1.RollupLog(l1.web3j(), rollupAddress).deploymentBlock();
        this.domain = new Eip712(chainId, Address.fromHex(rollupAddress));
        Credentials aliceKey = l1.key(1);
        Credentials bobKey = l1.key(2);
        this.alice = Signer.ofHex(aliceKey.getEcKeyPair().getPrivateKey().toString(16));
        this.bob = Signer.ofHex(bobKey.getEcKeyPair().getPrivateKey().toString(16));
        this.proposerKey = l1.key(3);
        Rollup governance = Rollup.load(rollupAddress, l1.web3j(), transactions(l1.deployer()), GAS);
        ok(governance.configureMarket(BigInteger.ONE, BigInteger.valueOf(100), BigInteger.valueOf(1_000), BigInteger.valueOf(100_000),
                BigInteger.valueOf(50_000), BigInteger.valueOf(200), BigInteger.valueOf(500), BigInteger.valueOf(10_000),
                oracle.address().toString()).send());
        String token = l1.address("TestCollateral");
        TestCollateral minter = TestCollateral.load(token, l1.web3j(), transactions(l1.deployer()), GAS);
        for (Credentials user : List.of(aliceKey, bobKey)) {
            ok(minter.mint(user.getAddress(), BigInteger.valueOf(50_000_000)).send());
            ok(TestCollateral.load(token, l1.web3j(), transactions(user), GAS).approve(rollupAddress, BigInteger.valueOf(50_000_000)).send());
            ok(Rollup.load(rollupAddress, l1.web3j(), transactions(user), GAS).deposit(BigInteger.valueOf(50_000_000)).send());
        }
        this.proposer = Rollup.load(rollupAddress, l1.web3j(), transactions(proposerKey), GAS);
        ok(proposer.joinProposers(proposer.proposerBond().send()).send());
        this.sequencer = new BatchBuilder(new Stf(domain, new BouncyCastleVerifier()), sequencerNodes, new BatchPolicy(100_000, 60));
    }

    Rollup rollupAs(Credentials key) {
        return Rollup.load(rollupAddress, l1.web3j(), transactions(key), GAS);
    }

    TransactionManager transactions(Credentials key) {
        return new RawTransactionManager(l1.web3j(), key, chainId, new PollingTransactionReceiptProcessor(l1.web3j(), 20, 500));
    }

    /** The priority ops queued so far that no batch consumed yet, from L1. */
    List<Transition> queued(int consumed) throws IOException {
        RollupLog log = new RollupLog(l1.web3j(), rollupAddress);
        List<Transition> all = log.priorityOps(0, log.latestBlock());
        return all.subList(consumed, all.size());
    }

    /** Three honest batches' worth of transitions: the queue and a price, two resting orders and a trade, another trade. */
    List<List<Transition>> honestGroups() throws IOException {
        List<Transition> first = new ArrayList<>(queued(0));
        first.add(price(10_000));
        Order ask = new Order(alice.address(), 1, Side.SELL, 10_000, 5_000, 0, TimeInForce.GTC, 0, 0, 1, 5_000_000);
        Order bid = new Order(bob.address(), 1, Side.BUY, 10_000, 5_000, 0, TimeInForce.GTC, 0, 0, 1, 5_000_000);
        List<Transition> second = List.of(new PostOrder(ask, alice.sign(domain.orderDigest(ask))),
                new PostOrder(bid, bob.sign(domain.orderDigest(bid))), new Trade(1, 2, 3_000), price(10_100));
        List<Transition> third = List.of(new Trade(1, 2, 1_000), price(10_050), new Trade(1, 2, 1_000));
        return List.of(first, second, third);
    }

    OraclePrice price(long price) {
        return price(price, 0);
    }

    /** A signed price for market 1 with {@code fundingIndex}, at the next oracle time. */
    OraclePrice price(long price, long fundingIndex) {
        long ts = oracleTs++;
        return new OraclePrice(1, price, fundingIndex, ts, oracle.sign(domain.oraclePriceDigest(1, price, fundingIndex, ts)));
    }

    /** {@code user} deposits {@code amount} more through the priority queue (minted and approved first). */
    void deposit(Credentials user, long amount) throws Exception {
        String token = l1.address("TestCollateral");
        ok(TestCollateral.load(token, l1.web3j(), transactions(l1.deployer()), GAS).mint(user.getAddress(), BigInteger.valueOf(amount)).send());
        ok(TestCollateral.load(token, l1.web3j(), transactions(user), GAS).approve(rollupAddress, BigInteger.valueOf(amount)).send());
        ok(rollupAs(user).deposit(BigInteger.valueOf(amount)).send());
    }

    /** Seals each group as one batch with the honest sequencer. */
    List<Batch> seal(List<List<Transition>> groups) {
        List<Batch> batches = new ArrayList<>();
        for (List<Transition> group : groups) {
            for (Transition t : group) assertThat(sequencer.append(t, 0).applied()).as("%s applies", t).isTrue();
            sequencer.seal();
            batches.addAll(sequencer.takeSealed());
        }
        return batches;
    }

    /** Posts {@code header} with {@code calldata} from the proposer. */
    void post(BatchHeader h, byte[] calldata) throws Exception {
        ok(submission(h, calldata).send());
    }

    /** The proposer's post of {@code header} with {@code calldata}, with a fixed gas limit (no estimate), not sent yet. */
    org.web3j.protocol.core.RemoteFunctionCall<TransactionReceipt> submission(BatchHeader h, byte[] calldata) {
        return proposer.submitBatch(new Rollup.BatchHeader(BigInteger.valueOf(h.batchIndex()), h.prevStateRoot().bytes(),
                h.postStateRoot().bytes(), BigInteger.valueOf(h.transitionCount()), h.transitionsRoot().bytes(),
                BigInteger.valueOf(h.priorityOpsConsumed())), calldata);
    }

    static BatchHeader withPostRoot(BatchHeader h, Hash32 post) {
        return new BatchHeader(h.batchIndex(), h.prevStateRoot(), post, h.transitionCount(), h.transitionsRoot(), h.priorityOpsConsumed());
    }

    static BatchHeader withPrevRoot(BatchHeader h, Hash32 prev) {
        return new BatchHeader(h.batchIndex(), prev, h.postStateRoot(), h.transitionCount(), h.transitionsRoot(), h.priorityOpsConsumed());
    }

    /** A watcher for {@code key} with its own replay of L1, kept in a fresh store under target/. */
    Watcher watcher(Credentials key, Watcher.Role role) throws IOException {
        return watcher(key, role, Path.of("target", "watcher-stores", UUID.randomUUID().toString()));
    }

    /** A watcher for {@code key} whose replay is kept in {@code storeDir} (a restart opens the same one). */
    Watcher watcher(Credentials key, Watcher.Role role, Path storeDir) throws IOException {
        return watcher(dispute(key), role, storeDir);
    }

    /** A challenging and defending watcher playing {@code side}'s games. */
    Watcher watcher(DisputeL1 side, Path storeDir) throws IOException {
        return watcher(side, new Watcher.Role(true, true), storeDir);
    }

    Watcher watcher(DisputeL1 side, Watcher.Role role, Path storeDir) throws IOException {
        return watcher(side, role, storeDir, new ReplayListener() {});
    }

    /** As above, telling {@code listener} what the watcher's replay reports. */
    Watcher watcher(DisputeL1 side, Watcher.Role role, Path storeDir, ReplayListener listener) throws IOException {
        ReplayStore store = ReplayStore.open(storeDir, "chain=" + chainId + " rollup=" + rollupAddress.toLowerCase());
        return new Watcher(new RpcL1Source(side.web3j(), rollupAddress), store, new Stf(domain, new BouncyCastleVerifier()), side, role,
                new Replayer.Settings(fromBlock, 2_000, 64), listener);
    }

    /**
     * What a watcher says it spent is what L1 holds: the transactions its polls counted (the {@code watch} figure an
     * operator reads) are its ledger's, and each ledger entry's gas is its receipt's, so the gas report's total is L1's.
     */
    static void accountsForEveryTransaction(Watcher w, Web3j web3j) throws IOException {
        GasLedger ledger = w.ledger();
        assertThat(w.gameCounts().transactionsSent()).as("transactions the polls counted, against the ledger %s", ledger.entries())
                .isEqualTo(ledger.transactions());
        long onL1 = 0;
        for (GasLedger.Entry e : ledger.entries()) {
            TransactionReceipt r = web3j.ethGetTransactionReceipt(e.transactionHash()).send().getTransactionReceipt().orElseThrow();
            assertThat(e.gasUsed()).as("gas of %s", e).isEqualTo(r.getGasUsed().longValueExact());
            onL1 += r.getGasUsed().longValueExact();
        }
        assertThat(ledger.totalGas()).as("the ledger's total gas").isEqualTo(onL1);
    }

    DisputeL1 dispute(Credentials key) {
        return dispute(key, l1.web3j());
    }

    /** {@code key}'s side of the games, sending through {@code web3j} (a lossy path, say). */
    DisputeL1 dispute(Credentials key, Web3j web3j) {
        return new DisputeL1(web3j, rollupAddress, gameAddress, new TxSender(web3j, key, chainId, FEES, TxSender.Time.SYSTEM));
    }

    static void ok(TransactionReceipt r) {
        assertThat(r.isStatusOK()).as("transaction %s: %s", r.getTransactionHash(), r.getRevertReason()).isTrue();
    }
}
