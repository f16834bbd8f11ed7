package dev.clearline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.contracts.generated.Rollup;
import dev.clearline.contracts.generated.TestCollateral;
import dev.clearline.devnet.Devnet;
import dev.clearline.devnet.deploy.Manifest;
import dev.clearline.devnet.node.NodeConfig;
import dev.clearline.engine.batch.Batch;
import dev.clearline.engine.batch.BatchBuilder;
import dev.clearline.engine.batch.BatchHeader;
import dev.clearline.engine.batch.BatchPolicy;
import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.BouncyCastleVerifier;
import dev.clearline.engine.order.Eip712;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.stf.Stf;
import dev.clearline.engine.transition.Transition;
import dev.clearline.prover.l1.RollupLog;
import dev.clearline.tree.store.MemoryNodeStore;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.tx.gas.StaticGasProvider;

/**
 * {@code clearline watch} against a devnet over HTTP: a deployment by {@code clearline deploy}, two
 * deposits, an honest batch and a lying one. The watcher, given only the RPC URL, the manifest and
 * its key file, challenges the lie, proves it wrong and the rollup rejects it; the honest batch is
 * left alone. Bad input (no key) is one clear line.
 */
class WatchCommandTest {
    private static final StaticGasProvider GAS = new StaticGasProvider(BigInteger.valueOf(2_000_000_000L), BigInteger.valueOf(12_000_000));
    private static final String KEY_0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
    private static final String KEY_1 = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
    private static final String KEY_2 = "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a";
    private static final String KEY_3 = "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6";

    @TempDir
    Path dir;

    @Test
    void theWatcherChallengesTheLyingBatchAndTheRollupRejectsIt() throws Exception {
        try (Devnet devnet = Devnet.start(Devnet.Options.http(NodeConfig.defaults(() -> System.currentTimeMillis() / 1000), 0))) {
            Path manifest = dir.resolve("deployment.json");
            CliTest.Run deployed = CliTest.run(stop -> { }, "deploy", "--rpc-url", devnet.rpcUrl(), "--manifest", manifest.toString());
            assertThat(deployed.code()).as(deployed.err()).isZero();
            Manifest m = Manifest.read(manifest).orElseThrow();
            String rollupAddress = m.address("Rollup");
            var web3j = devnet.web3j();
            Credentials operator = Credentials.create(KEY_0);
            TestCollateral token = TestCollateral.load(m.address("TestCollateral"), web3j, operator, GAS);
            for (String key : List.of(KEY_1, KEY_2)) {
                Credentials user = Credentials.create(key);
                ok(token.mint(user.getAddress(), BigInteger.valueOf(1_000_000)).send());
                ok(TestCollateral.load(token.getContractAddress(), web3j, user, GAS).approve(rollupAddress, BigInteger.valueOf(1_000_000)).send());
                ok(Rollup.load(rollupAddress, web3j, user, GAS).deposit(BigInteger.valueOf(1_000_000)).send());
            }
            Rollup rollup = Rollup.load(rollupAddress, web3j, operator, GAS);
            ok(rollup.joinProposers(BigInteger.TEN.pow(18)).send());
            Stf stf = new Stf(new Eip712(m.chainId(), Address.fromHex(rollupAddress)), new BouncyCastleVerifier());
            RollupLog log = new RollupLog(web3j, rollupAddress);
            BatchBuilder sequencer = new BatchBuilder(stf, new MemoryNodeStore(), new BatchPolicy(1_000, 60));
            for (Transition t : log.priorityOps(0, log.latestBlock())) {
                assertThat(sequencer.append(t, 0).applied()).isTrue();
                sequencer.seal();
            }
            List<Batch> batches = sequencer.takeSealed();
            Hash32 lie = Hash32.fromHex("0x" + "5e".repeat(32));
            for (Batch b : batches) {
                BatchHeader h = b.header();
                Hash32 post = h.batchIndex() == 1 ? lie : h.postStateRoot();
                ok(rollup.submitBatch(new Rollup.BatchHeader(BigInteger.valueOf(h.batchIndex()), h.prevStateRoot().bytes(), post.bytes(),
                        BigInteger.valueOf(h.transitionCount()), h.transitionsRoot().bytes(), BigInteger.valueOf(h.priorityOpsConsumed())),
                        b.calldata()).send());
            }
            Path keyFile = dir.resolve("watcher.key");
            Files.writeString(keyFile, KEY_3 + "\n");

            // Runs until the rollup has rejected the lie (or 120 s pass), then stops as Ctrl-C would. With the
            // smallest node cache nearly every read goes to RocksDB: what it judges must not depend on the cache.
            // Its metrics port meanwhile shows what a watcher's operator alerts on: the fraud found, the game played to the end.
            int metricsPort;
            try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
                metricsPort = free.getLocalPort();
            }
            java.util.concurrent.atomic.AtomicReference<java.util.Map<String, Double>> scraped = new java.util.concurrent.atomic.AtomicReference<>();
            CliTest.Run watch = CliTest.run(stop -> {
                long deadline = System.nanoTime() + 120_000_000_000L;
                while (System.nanoTime() < deadline && !rejected(rollup)) Thread.sleep(200);
                while (System.nanoTime() < deadline && metrics(metricsPort).getOrDefault("clearline_watch_games_finished_total", 0.0) < 1) Thread.sleep(100);
                scraped.set(metrics(metricsPort));
                stop.run();
            }, "watch", "--rpc-url", devnet.rpcUrl(), "--manifest", manifest.toString(), "--key-file", keyFile.toString(), "--poll-ms", "100",
                    "--data-dir", dir.resolve("watch").toString(), "--node-cache", "8", "--metrics-port", Integer.toString(metricsPort));
            assertThat(watch.code()).as(watch.err()).isZero();
            assertThat(rollup.nextBatchIndex().send()).isEqualTo(BigInteger.ONE);
            // what it won waits in the contracts until asked for: its bond back and the liar's slashed bond less the burnt share
            BigInteger owed = dev.clearline.contracts.generated.DisputeGame.load(m.address("DisputeGame"), web3j, operator, GAS).challengeBond().send()
                    .add(rollup.proposerBond().send().multiply(BigInteger.valueOf(100).subtract(rollup.slashBurnPercent().send())).divide(BigInteger.valueOf(100)));
            assertThat(watch.out()).contains(" owedWei=" + owed + " (collect it: ./clearline bonds --withdraw");
            assertThat(watch.out()).contains("batches=2 fraud=1").contains("gamesOver={1=challenger-won}").contains("transactions=2")
                    .contains("Metrics: http://127.0.0.1:" + metricsPort + "/metrics");
            assertThat(scraped.get()).containsEntry("clearline_watch_batches_judged_total", 2.0).containsEntry("clearline_watch_fraud_total", 1.0)
                    .containsEntry("clearline_watch_latest_batch", 1.0).containsEntry("clearline_watch_games_finished_total", 1.0)
                    .containsEntry("clearline_watch_games_active", 0.0).containsEntry("clearline_watch_l1_reachable", 1.0)
                    .containsEntry("clearline_watch_rollup_frozen", 0.0).containsEntry("clearline_watch_reorgs_total", 0.0)
                    .containsEntry("clearline_watch_challenges_refused", 0.0).containsEntry("clearline_watch_moves_refused", 0.0);
            assertThat(scraped.get().get("clearline_watch_transactions_total")).isPositive();
            assertThat(scraped.get().keySet()).as("every watcher metric the operator's alert rules and dashboard (ops/) name").containsAll(operatorMetrics());
            assertThat(scraped.get().get("clearline_watch_l1_block")).isPositive().isLessThanOrEqualTo(scraped.get().get("clearline_watch_l1_head"));
            // its key's ether beside the bond a challenge locks (it challenged once: the bond came back with the win)
            BigInteger wei = devnet.web3j().ethGetBalance(org.web3j.crypto.Credentials.create(KEY_3).getAddress(),
                    org.web3j.protocol.core.DefaultBlockParameterName.LATEST).send().getBalance();
            assertThat(scraped.get().get("clearline_watch_balance_ether")).as("the watcher key's ether")
                    .isCloseTo(new java.math.BigDecimal(wei).movePointLeft(18).doubleValue(), org.assertj.core.data.Offset.offset(1.0));
            assertThat(scraped.get().get("clearline_watch_challenge_bond_ether")).as("a challenge's bond").isPositive()
                    .isLessThan(scraped.get().get("clearline_watch_balance_ether"));
            CliTest.Run badPort = CliTest.run(stop -> { }, "watch", "--rpc-url", devnet.rpcUrl(), "--manifest", manifest.toString(), "--key-file",
                    keyFile.toString(), "--data-dir", dir.resolve("watch").toString(), "--metrics-port", "70000");
            assertThat(badPort.code()).isNotZero();
            assertThat(badPort.err()).contains("--metrics-port must be 0 (any free port) to 65535, got 70000").doesNotContain("Exception");

            // Restarted on the same --data-dir: nothing is judged again, nothing is sent.
            CliTest.Run again = CliTest.run(stop -> {
                Thread.sleep(1_000);
                stop.run();
            }, "watch", "--rpc-url", devnet.rpcUrl(), "--manifest", manifest.toString(), "--key-file", keyFile.toString(), "--poll-ms", "100",
                    "--data-dir", dir.resolve("watch").toString());
            assertThat(again.code()).as(again.err()).isZero();
            assertThat(again.out()).contains("batches=0 fraud=0").contains("transactions=0");

            // A key that cannot pay a challenge's bond is named at the start, while there is time to fund it. (Kept in an
            // encrypted keystore: the address named is the one the keystore opens to.)
            Path emptyKey = dir.resolve("empty.key");
            Files.writeString(emptyKey, "0x1111111111111111111111111111111111111111111111111111111111111111\n");
            Path password = Files.writeString(dir.resolve("empty.password"), "watcher pass phrase\n");
            Path keystore = dir.resolve("empty.json");
            CliTest.Run made = CliTest.run(stop -> { }, "keystore", "new", keystore.toString(), "--import-key-file", emptyKey.toString(),
                    "--password-file", password.toString());
            assertThat(made.code()).as(made.err()).isZero();
            ch.qos.logback.classic.Logger watchLog = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(WatchCommand.class);
            ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> seen = new ch.qos.logback.core.read.ListAppender<>();
            seen.start();
            watchLog.addAppender(seen);
            try {
                CliTest.Run unfunded = CliTest.run(stop -> stop.run(), "watch", "--rpc-url", devnet.rpcUrl(), "--manifest", manifest.toString(),
                        "--keystore", keystore.toString(), "--password-file", password.toString(), "--data-dir", dir.resolve("watch-unfunded").toString());
                assertThat(unfunded.code()).as(unfunded.err()).isZero();
            } finally {
                watchLog.detachAppender(seen);
            }
            assertThat(seen.list).extracting(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
                    .anySatisfy(line -> assertThat(line).contains("event=cannot-challenge", "account=0x19e7e376e7c213b7e7e7e46cc70a5dd086daff2a",
                            "balanceWei=0", "fund this key"));

            // A manifest for another chain is one line naming both chains, before anything is read or sent.
            Path other = dir.resolve("other-chain.json");
            Files.writeString(other, Files.readString(manifest).replaceFirst("\"chainId\" : " + m.chainId(), "\"chainId\" : 1"));
            CliTest.Run wrongChain = CliTest.run(stop -> { }, "watch", "--rpc-url", devnet.rpcUrl(), "--manifest", other.toString(),
                    "--key-file", keyFile.toString(), "--data-dir", dir.resolve("watch").toString());
            assertThat(wrongChain.code()).isNotZero();
            assertThat(wrongChain.err()).contains("the manifest is for chain 1", "serves chain " + m.chainId()).doesNotContain("Exception");

            CliTest.Run tinyCache = CliTest.run(stop -> { }, "watch", "--rpc-url", devnet.rpcUrl(), "--manifest", manifest.toString(),
                    "--key-file", keyFile.toString(), "--data-dir", dir.resolve("watch").toString(), "--node-cache", "4");
            assertThat(tinyCache.code()).isNotZero();
            assertThat(tinyCache.err()).contains("--node-cache must be 8 to 536870912 nodes, got 4").doesNotContain("Exception");

            // a table larger than the heap allows is refused before it is allocated, with what to do (the test JVM's default
            // heap is a quarter of the machine's memory: below 96 GB of it, a quarter of the heap is less than the 6 GB table)
            if (Runtime.getRuntime().maxMemory() / 4 < 6L << 30) {
                CliTest.Run hugeCache = CliTest.run(stop -> { }, "watch", "--rpc-url", devnet.rpcUrl(), "--manifest", manifest.toString(),
                        "--key-file", keyFile.toString(), "--data-dir", dir.resolve("watch").toString(), "--node-cache", "536870912");
                assertThat(hugeCache.code()).isNotZero();
                assertThat(hugeCache.err()).contains("--node-cache 536870912 needs 6144 MB for its table alone", "CLEARLINE_JAVA_OPTS")
                        .doesNotContain("Exception");
            }
        }
    }

    @Test
    void withoutAKeyTheWatcherSaysHowToGiveOne() {
        CliTest.Run r = CliTest.run(stop -> { }, "watch", "--rollup", "0x" + "11".repeat(20));
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("--key-file").contains(WatchCommand.KEY_ENV).doesNotContain("Exception");
    }

    private static boolean rejected(Rollup rollup) {
        try {
            return BigInteger.ONE.equals(rollup.nextBatchIndex().send());
        } catch (Exception e) {
            return false;
        }
    }

    private static void ok(TransactionReceipt r) {
        assertThat(r.isStatusOK()).as("transaction %s: %s", r.getTransactionHash(), r.getRevertReason()).isTrue();
    }

    /**
     * The watcher metrics the operator's alert rules and dashboard name: a renamed metric must not leave an alert that never
     * fires or a panel that stays empty.
     */
    private static java.util.Set<String> operatorMetrics() {
        java.util.Set<String> names = dev.clearline.testkit.ops.OperatorQueries.metrics(n -> n.startsWith("clearline_watch_"));
        assertThat(names).as("the rules watch the watchers").isNotEmpty();
        return names;
    }

    /** A watcher's {@code /metrics} samples by name; empty while it does not answer. */
    private static java.util.Map<String, Double> metrics(int port) {
        java.util.Map<String, Double> samples = new java.util.HashMap<>();
        try {
            var r = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + port + "/metrics")).timeout(java.time.Duration.ofSeconds(10)).GET().build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            for (String line : r.body().split("\n")) {
                if (line.isEmpty() || line.startsWith("#")) continue;
                int space = line.lastIndexOf(' ');
                samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
            }
        } catch (java.io.IOException e) {
            samples.clear(); // not listening yet
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return samples;
    }
}
