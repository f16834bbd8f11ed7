package dev.clearline.sequencer.poster;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clearline.contracts.generated.Rollup;
import dev.clearline.contracts.generated.TestCollateral;
import dev.clearline.devnet.junit.DevnetContext;
import dev.clearline.engine.batch.BatchPolicy;
import dev.clearline.engine.exchange.SignedOrder;
import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Eip712;
import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.engine.transition.Transition;
import dev.clearline.prover.l1.RollupLog;
import dev.clearline.sequencer.Market;
import dev.clearline.sequencer.api.Gateway;
import dev.clearline.sequencer.cluster.NodeConfig;
import dev.clearline.sequencer.cluster.SequencerNode;
import dev.clearline.sequencer.command.Command;
import dev.clearline.sequencer.l1.GatewayLink;
import dev.clearline.prover.l1.TxSender;
import dev.clearline.sequencer.state.Genesis;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.tx.gas.StaticGasProvider;

import java.math.BigInteger;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A sequencer node wired to the test devnet's deployed rollup: market 1 listed by governance on
 * L1, two users who deposited through the rollup, and the node's EIP-712 domain bound to that
 * rollup. Trading goes through the node's gateway, as the trader API sends it.
 */
final class L1World implements AutoCloseable {
    static final StaticGasProvider GAS = new StaticGasProvider(BigInteger.valueOf(2_000_000_000L), BigInteger.valueOf(12_000_000));
    static final long DEPOSIT = 50_000_000;

    final DevnetContext l1;
    final String rollupAddress;
    final Genesis genesis;
    final Eip712 domain;
    final SequencerNode node;
    final Gateway gateway;
    final GatewayLink link;
    final Signer oracle = Market.signer(999);
    final Credentials aliceKey;
    final Credentials bobKey;
    final Signer alice;
    final Signer bob;
    final long deployBlock;
    private final AtomicLong nonces = new AtomicLong(1);
    private final AtomicLong clock = new AtomicLong(2_000_000_000L);
    private long oracleTs = 1;

    L1World(DevnetContext l1, Path dir) throws Exception {
        this.l1 = l1;
        this.rollupAddress = l1.address("Rollup");
        this.deployBlock = l1.manifest().blockNumber();
        long chainId = l1.web3j().ethChainId().send().getChainId().longValueExact();
        this.genesis = new Genesis(chainId, Address.fromHex(rollupAddress), Market.GENESIS.books(), new BatchPolicy(64, 2));
        this.domain = genesis.domain();
        this.aliceKey = l1.key(1);
        this.bobKey = l1.key(2);
        this.alice = Signer.ofHex(aliceKey.getEcKeyPair().getPrivateKey().toString(16));
        this.bob = Signer.ofHex(bobKey.getEcKeyPair().getPrivateKey().toString(16));

        Rollup governance = Rollup.load(rollupAddress, l1.web3j(), l1.deployer(), GAS);
        ok(governance.configureMarket(BigInteger.ONE, BigInteger.valueOf(Market.TICK), BigInteger.valueOf(Market.LOT), BigInteger.valueOf(100_000),
                BigInteger.valueOf(50_000), BigInteger.valueOf(200), BigInteger.valueOf(500), BigInteger.valueOf(10_000),
                oracle.address().toString()).send());
        for (Credentials user : List.of(aliceKey, bobKey)) deposit(user, DEPOSIT);

        this.node = SequencerNode.start(NodeConfig.ephemeral(dir, genesis), new NativeSecp256k1Verifier());
        this.gateway = new Gateway(node.config().aeronDir(), node.clientIngress(), domain, new NativeSecp256k1Verifier(), 2);
        this.link = new GatewayLink(gateway);
    }

    void deposit(Credentials user, long amount) throws Exception {
        String token = l1.address("TestCollateral");
        ok(TestCollateral.load(token, l1.web3j(), l1.deployer(), GAS).mint(user.getAddress(), BigInteger.valueOf(amount)).send());
        ok(TestCollateral.load(token, l1.web3j(), user, GAS).approve(rollupAddress, BigInteger.valueOf(amount)).send());
        ok(Rollup.load(rollupAddress, l1.web3j(), user, GAS).deposit(BigInteger.valueOf(amount)).send());
    }

    PriorityOpFeed feed() {
        return new PriorityOpFeed(new RollupLog(l1.web3j(), rollupAddress), link, deployBlock, 0);
    }

    BatchPoster poster(Web3j web3j, Credentials key, TxSender.FeePolicy fees) throws Exception {
        long chainId = web3j.ethChainId().send().getChainId().longValueExact();
        return new BatchPoster(web3j, rollupAddress, new TxSender(web3j, key, chainId, fees, TxSender.Time.SYSTEM), link);
    }

    /** A mark price for market 1 (the exchange's clock moves with it). */
    void price(long price) throws Exception {
        long ts = oracleTs++;
        assertThat(link.submit(new Transition.OraclePrice(1, price, 0, ts, oracle.sign(domain.oraclePriceDigest(1, price, 0, ts))))).isEmpty();
    }

    /** Alice sells and Bob buys {@code lots} at 10_000: one fill. */
    void cross(long lots) throws Exception {
        place(alice, Side.SELL, 10_000, lots);
        place(bob, Side.BUY, 10_000, lots);
    }

    ObjectNode place(Signer s, Side side, long price, long lots) throws Exception {
        Order o = new Order(s.address(), 1, side, price, lots * Market.LOT, 0, TimeInForce.GTC, 0, 0, nonces.getAndIncrement(), 5_000_000);
        ObjectNode r = gateway.place(new SignedOrder(o, domain.chainId(), domain.verifyingContract(), s.sign(domain.orderDigest(o))))
                .get(30, TimeUnit.SECONDS);
        assertThat(r.path("outcomes").path(0).path("accepted").asBoolean()).as("order accepted: %s", r).isTrue();
        return r;
    }

    /** Moves the sequencer's time far enough to seal the open batch. */
    void seal() throws Exception {
        long t = clock.addAndGet(100);
        gateway.submit((id, s) -> new Command.TimeTick(id, s, t)).get(30, TimeUnit.SECONDS);
    }

    /** The first batch: L1's queued ops carried in, a price and one fill, sealed. */
    void sealFirstBatch() throws Exception {
        feed().poll();
        price(10_000);
        cross(1);
        seal();
    }

    ObjectNode state() throws Exception {
        return gateway.query(Command.QueryKind.STATE, 0, null, null).get(30, TimeUnit.SECONDS);
    }

    static void ok(TransactionReceipt r) {
        assertThat(r.isStatusOK()).as("transaction %s: %s", r.getTransactionHash(), r.getRevertReason()).isTrue();
    }

    @Override
    public void close() throws Exception {
        gateway.close();
        node.close();
    }
}
