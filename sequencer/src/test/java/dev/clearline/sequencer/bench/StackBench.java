package dev.clearline.sequencer.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clearline.contracts.Artifacts;
import dev.clearline.contracts.generated.Rollup;
import dev.clearline.contracts.generated.TestCollateral;
import dev.clearline.devnet.Devnet;
import dev.clearline.devnet.deploy.ContractSet;
import dev.clearline.devnet.deploy.Deployer;
import dev.clearline.devnet.deploy.DeploymentParameters;
import dev.clearline.devnet.deploy.Manifest;
import dev.clearline.engine.batch.BatchPolicy;
import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Eip712;
import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.transition.Transition;
import dev.clearline.engine.transition.TransitionCodec;
import dev.clearline.prover.l1.RollupLog;
import dev.clearline.sequencer.FastSigner;
import dev.clearline.sequencer.Market;
import dev.clearline.sequencer.api.Gateway;
import dev.clearline.sequencer.api.RateLimiter;
import dev.clearline.sequencer.api.TraderApi;
import dev.clearline.sequencer.cluster.NodeConfig;
import dev.clearline.sequencer.cluster.SequencerNode;
import dev.clearline.sequencer.command.Command;
import dev.clearline.sequencer.l1.GatewayLink;
import dev.clearline.sequencer.poster.Deployment;
import dev.clearline.sequencer.poster.L1Side;
import dev.clearline.sequencer.state.Genesis;
import dev.clearline.testkit.bench.MachineIdle;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.tx.RawTransactionManager;
import org.web3j.tx.gas.StaticGasProvider;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code ./clearline bench sequencer stack [seconds] [orders-per-second]}: the whole path on the
 * running stack. An in-process devnet with the contracts deployed, the market and the traders'
 * deposits through L1's queue, the sequencer node (cluster log on), its trader API and its L1 side
 * posting with the operator key. Crossing signed orders are offered over loopback WebSocket for
 * {@code seconds}; the run ends when L1 holds the batch with the last fill. Reports fills per
 * second from the first order sent to that batch posted, and the calldata bytes per fill of the
 * batches as L1 received them (read back from the rollup's logs). Writes
 * bench-results/sequencer-stack.md.
 */
public final class StackBench {
    static final StaticGasProvider GAS = new StaticGasProvider(BigInteger.valueOf(2_000_000_000L), BigInteger.valueOf(12_000_000));
    static final int TRADERS = 8;
    static final long DEPOSIT = 1_000_000_000_000L;

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0].trim()) : 5;
        int rate = args.length > 1 ? Integer.parseInt(args[1].trim()) : 2_000;
        int cores = Runtime.getRuntime().availableProcessors();
        Path dir = Files.createTempDirectory("sequencer-stack-bench");
        dev.clearline.devnet.node.NodeConfig chain = dev.clearline.devnet.node.NodeConfig.defaults(() -> System.currentTimeMillis() / 1000);
        try (Devnet devnet = Devnet.start(Devnet.Options.http(chain, 0))) {
            Credentials gov = devnet.accounts().first();
            Manifest m = switch (new Deployer(devnet.web3jService(), gov, Artifacts.onClasspath(), Deployer.Settings.defaults(), msg -> { },
                    System::currentTimeMillis).deploy(ContractSet.standard(), DeploymentParameters.defaults(gov.getAddress(),
                            Map.of("rollup.sequencer", devnet.accounts().keys().get(TRADERS + 1).getAddress())),
                    dir.resolve("deployment.json"), true)) {
                case Deployer.Deployed d -> d.manifest();
                case Deployer.Failed f -> throw new IllegalStateException("deploying failed: " + f.message());
            };
            Web3j web3j = Web3j.build(devnet.web3jService());
            long chainId = devnet.chainId();
            String rollup = m.address("Rollup");
            Signer oracle = Market.signer(999);
            ok(rollup(web3j, rollup, gov, chainId).configureMarket(BigInteger.ONE, BigInteger.valueOf(100), BigInteger.valueOf(1_000),
                    BigInteger.valueOf(100_000), BigInteger.valueOf(50_000), BigInteger.valueOf(200), BigInteger.valueOf(500),
                    BigInteger.valueOf(10_000), oracle.address().toString()).send());
            List<FastSigner> signers = new ArrayList<>();
            for (int i = 1; i <= TRADERS; i++) {
                Credentials k = devnet.accounts().keys().get(i);
                String token = m.address("TestCollateral");
                ok(TestCollateral.load(token, web3j, new RawTransactionManager(web3j, gov, chainId), GAS).mint(k.getAddress(), BigInteger.valueOf(DEPOSIT)).send());
                ok(TestCollateral.load(token, web3j, new RawTransactionManager(web3j, k, chainId), GAS).approve(rollup, BigInteger.valueOf(DEPOSIT)).send());
                ok(rollup(web3j, rollup, k, chainId).deposit(BigInteger.valueOf(DEPOSIT)).send());
                signers.add(new FastSigner(k.getEcKeyPair().getPrivateKey()));
            }

            Genesis dev = Genesis.devnet(Address.fromHex(rollup));
            Genesis genesis = new Genesis(chainId, Address.fromHex(rollup), dev.books(), new BatchPolicy(BatchPolicy.POOLED_TRANSITIONS, 2));
            Eip712 domain = genesis.domain();
            try (SequencerNode node = SequencerNode.start(NodeConfig.ephemeral(dir.resolve("node"), genesis), new NativeSecp256k1Verifier())) {
                Gateway gateway = new Gateway(node.config().aeronDir(), node.clientIngress(), domain, new NativeSecp256k1Verifier(), cores);
                GatewayLink link = new GatewayLink(gateway);
                Credentials operator = devnet.accounts().keys().get(TRADERS + 1);
                try (TraderApi api = new TraderApi(gateway, new RateLimiter(1e9, 1e9, System::nanoTime), new RateLimiter(1e9, 1e9, System::nanoTime), "127.0.0.1", 0, 64 * 1024);
                     L1Side l1 = L1Side.start(new L1Side.Settings(devnet.rpcUrl(), new Deployment(chainId, rollup, m.blockNumber()), operator, 200, 0),
                             link)) {
                    await(() -> link.priorityOpsConsumed() >= 1 + TRADERS, 120, "the market and deposits from L1");
                    long ts = System.currentTimeMillis() / 1000;
                    if (link.submit(new Transition.OraclePrice(1, 10_000, 0, ts, oracle.sign(domain.oraclePriceDigest(1, 10_000, 0, ts)))).isPresent()) {
                        throw new IllegalStateException("the oracle price was refused");
                    }
                    Rollup reader = rollup(web3j, rollup, gov, chainId);
                    long before = sealAndPost(gateway, reader);

                    AtomicLong nonce = new AtomicLong(1);
                    SequencerBench.run(api.port(), signers, domain, nonce, Math.min(rate, 500), 1); // warm-up, its batches included in `before`
                    before = sealAndPost(gateway, reader);
                    MachineIdle idle0 = MachineIdle.now();
                    long t0 = System.nanoTime();
                    SequencerBench.Result r = SequencerBench.run(api.port(), signers, domain, nonce, rate, seconds);
                    long after = sealAndPost(gateway, reader);
                    double elapsed = (System.nanoTime() - t0) / 1e9;
                    double idle = MachineIdle.now().percentSince(idle0);

                    RollupLog log = new RollupLog(web3j, rollup);
                    long fills = 0, transitions = 0, bytes = 0, batches = 0;
                    int trade = TransitionCodec.encode(new Transition.Trade(1, 2, 1)).length > 0 ? TransitionCodec.encode(new Transition.Trade(1, 2, 1))[0] & 0xff : -1;
                    int tradeAt = TransitionCodec.encode(new Transition.TradeAtPrice(1, 2, 1, 1))[0] & 0xff;
                    for (RollupLog.Posted p : log.batches(m.blockNumber(), log.latestBlock())) {
                        long index = p.batch().header().batchIndex();
                        if (index < before || index >= after) continue;
                        batches++;
                        byte[] cd = p.batch().calldata();
                        bytes += cd.length;
                        for (int off = 0; off < cd.length; ) {
                            int type = cd[off] & 0xff;
                            if (type == trade || type == tradeAt) fills++;
                            transitions++;
                            off += TransitionCodec.lengthOf(type);
                        }
                    }
                    List<String> rows = new ArrayList<>();
                    String note = String.format(Locale.ROOT, "offered %,d orders/s for %d s over %d connections (acked %,d of %,d); %d batch(es), %,d transitions,"
                            + " first order sent to the last batch on L1 in %.1f s; idle %s", rate, seconds, SequencerBench.CONNECTIONS, r.acked(), r.sent(),
                            batches, transitions, elapsed, SequencerBench.pct(idle));
                    rows.add(SequencerBench.row("fills to L1", "fills/s", fills / elapsed, "fills/s", "-", note));
                    rows.add(SequencerBench.row("fills to L1", "orders acked/s (same run)", r.ackRate(), "orders/s", "-", "the acknowledgement rate of that load"));
                    rows.add(SequencerBench.row("calldata", "bytes per fill", fills == 0 ? 0 : (double) bytes / fills, "bytes", "-",
                            String.format(Locale.ROOT, "%,d calldata bytes for %,d fills (PostOrders and oracle prices included), read back from the rollup", bytes, fills)));
                    write(rows, cores, seconds, rate);
                } finally {
                    gateway.close();
                }
            }
        }
    }

    /** Seals the open batch (a tick past its age) and waits until L1 holds every sealed batch; returns how many there are. */
    static long sealAndPost(Gateway gateway, Rollup reader) throws Exception {
        Thread.sleep(2_100);
        long t = System.currentTimeMillis() / 1000 + 3;
        gateway.submit((id, s) -> new Command.TimeTick(id, s, t)).get(30, TimeUnit.SECONDS);
        ObjectNode st = gateway.query(Command.QueryKind.STATE, 0, null, null).get(30, TimeUnit.SECONDS);
        long sealed = st.path("sealedBatches").asLong();
        await(() -> reader.nextBatchIndex().send().longValueExact() >= sealed, 300, "batch " + (sealed - 1) + " on L1");
        return sealed;
    }

    static Rollup rollup(Web3j web3j, String address, Credentials key, long chainId) {
        return Rollup.load(address, web3j, new RawTransactionManager(web3j, key, chainId), GAS);
    }

    static void ok(TransactionReceipt r) throws IOException {
        if (!r.isStatusOK()) throw new IOException("setup transaction " + r.getTransactionHash() + " reverted: " + r.getRevertReason());
    }

    interface Check {
        boolean get() throws Exception;
    }

    static void await(Check c, int seconds, String what) throws Exception {
        long end = System.currentTimeMillis() + seconds * 1_000L;
        while (!c.get()) {
            if (System.currentTimeMillis() > end) throw new IllegalStateException("timed out waiting for " + what);
            Thread.sleep(100);
        }
    }

    static void write(List<String> rows, int cores, int seconds, int rate) throws IOException {
        double load = java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        StringBuilder md = new StringBuilder("# sequencer: fills from the API to L1, and calldata per fill, on the running stack\n\n");
        md.append(String.format(Locale.ROOT, "Machine: %d cores, %s %s, %s. Command: `./clearline bench sequencer stack %d %d`. Load average %.1f at the end.%n%n",
                cores, System.getProperty("java.vm.name"), System.getProperty("java.vm.version"), Instant.now(), seconds, rate, load));
        md.append("Path: signed orders over loopback WebSocket -> signature recovery -> Aeron Cluster log (archive on) -> engine + Merkle tree"
                + " -> sealed batches (" + dev.clearline.engine.batch.BatchPolicy.POOLED_TRANSITIONS + " transitions or 2 s) -> the node's L1 side posts them to the devnet's rollup (in-process devnet over"
                + " HTTP JSON-RPC, automine). Everything shares the same cores, the devnet's EVM included. Fills are the Trade transitions in"
                + " the batches L1 received during the run.\n\n");
        md.append("| benchmark | metric | value | unit | goal | notes |\n| --- | --- | ---: | --- | --- | --- |\n");
        for (String r : rows) md.append(r).append('\n');
        Path out = Path.of("bench-results", "sequencer-stack.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, md.toString());
        System.out.println(md);
    }
}
