package dev.clearline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.devnet.deploy.Manifest;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The commands run in-process, as a user would type them. */
class CliTest {
    @TempDir
    Path tmp;

    record Run(int code, String out, String err) {}

    static Run run(Lifecycle lifecycle, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true), lifecycle);
        return new Run(code, out.toString(), err.toString());
    }

    /** A devnet command running in the background until {@link #stop()}. */
    static final class Background {
        final CountDownLatch started = new CountDownLatch(1);
        final CountDownLatch stop = new CountDownLatch(1);
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        CompletableFuture<Integer> exit;

        Background start(String... args) throws InterruptedException {
            Lifecycle lifecycle = onStop -> {
                started.countDown();
                stop.await();
                onStop.run();
            };
            exit = CompletableFuture.supplyAsync(() -> Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true), lifecycle));
            // About 10 s for `up` on a quiet machine; the bound catches a hang, not a slow start on a busy one.
            if (!started.await(240, TimeUnit.SECONDS)) {
                // Let the command stop as soon as it reaches its wait, so it does not run on into later tests.
                stop.countDown();
                throw new AssertionError("the command did not start in 240 s; output so far: " + out);
            }
            return this;
        }

        String url() {
            Matcher m = Pattern.compile("RPC URL:\\s+(\\S+)").matcher(out.toString());
            assertThat(m.find()).as(out.toString()).isTrue();
            return m.group(1);
        }

        int stop() throws Exception {
            stop.countDown();
            return exit.get(30, TimeUnit.SECONDS);
        }
    }

    /**
     * Every help renders as written. A text picocli shows is a format string: an unescaped %
     * ("fees 25% higher") made picocli print a warning above `watch --help`, three times, and show
     * the text unformatted. Picocli says so on System.err, which is captured here while every
     * command's help is rendered.
     */
    @Test
    void everyCommandsHelpRendersWithoutAPicocliWarning() {
        PrintWriter sink = new PrintWriter(new StringWriter());
        CommandLine root = Main.commandLine(new Main(), sink, sink, Lifecycle.untilInterrupted());
        java.io.ByteArrayOutputStream warnings = new java.io.ByteArrayOutputStream();
        java.io.PrintStream saved = System.err;
        List<String> rendered = new ArrayList<>();
        System.setErr(new java.io.PrintStream(warnings, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            renderHelps(root, rendered);
        } finally {
            System.setErr(saved);
        }
        assertThat(rendered).as("every command's help").hasSizeGreaterThan(25).contains("clearline watch", "clearline configure-market");
        assertThat(warnings.toString(java.nio.charset.StandardCharsets.UTF_8)).as("picocli's warnings while rendering them (write a % in a help text as %%)")
                .doesNotContain("picocli WARN");
    }

    private static void renderHelps(CommandLine cli, List<String> rendered) {
        cli.getUsageMessage();
        rendered.add(cli.getCommandSpec().qualifiedName());
        cli.getSubcommands().values().forEach(c -> renderHelps(c, rendered));
    }

    @Test
    void commandsThatWorkFromL1AloneDoNotOfferTheSequencersApiButStillTakeIt() {
        for (String[] command : new String[][]{{"claim"}, {"freeze"}, {"escape"}, {"escape", "report"}, {"set-sequencer"}, {"mint"}}) {
            String[] args = java.util.stream.Stream.concat(java.util.Arrays.stream(command), java.util.stream.Stream.of("--help")).toArray(String[]::new);
            Run help = run(stop -> { }, args);
            assertThat(help.code()).isZero();
            assertThat(help.out()).as(String.join(" ", command) + " --help").contains("--rpc-url").doesNotContain("--api");
        }
        for (String command : new String[]{"order", "positions", "withdraw", "deposit", "status", "force-withdraw"}) {
            assertThat(run(stop -> { }, command, "--help").out()).as(command + " --help").contains("--api");
        }
        // a script that passes the same options to every command is not refused: the option is taken, unused
        Run claim = run(stop -> { }, "claim", "--api", "http://127.0.0.1:1", "--rpc-url", "http://127.0.0.1:1", "--rollup",
                "0x" + "11".repeat(20), "--key", "0x" + "11".repeat(32));
        assertThat(claim.err()).doesNotContain("unknown option").contains("127.0.0.1:1");
    }

    @Test
    void helpListsTheCommandsAndSaysWhatUpWillGrowInto() {
        Run help = run(stop -> { }, "--help");
        assertThat(help.code()).isZero();
        assertThat(help.out()).contains("devnet", "deploy", "up");
        assertThat(help.out()).as("the launcher's own commands, which picocli does not run").contains("sequencer --help", "test", "bench MODULE", "mutation");
        Run up = run(stop -> { }, "up", "--help");
        assertThat(up.out()).contains("sequencer", "watcher", "oracle", "demo", "--data-dir", "--block-time", "--api-port", "--time-speed");
    }

    @Test
    void devnetPrintsUrlChainIdAndKeysThenDeployWritesAManifestARerunIsANoopAndGovernanceListsAMarket() throws Exception {
        Background devnet = new Background().start("devnet", "--port", "0", "--chain-id", "31337");
        try {
            assertThat(devnet.out.toString()).contains("Chain id:  31337", "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266",
                    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
            Path manifest = tmp.resolve("deployment.json");
            Run first = run(stop -> { }, "deploy", "--rpc-url", devnet.url(), "--manifest", manifest.toString());
            assertThat(first.code()).as(first.err()).isZero();
            assertThat(first.out()).contains("Deployed", "TestCollateral");
            assertThat(Manifest.read(manifest).orElseThrow().chainId()).isEqualTo(31337);
            Run again = run(stop -> { }, "deploy", "--rpc-url", devnet.url(), "--manifest", manifest.toString());
            assertThat(again.code()).isZero();
            assertThat(again.out()).contains("Up to date");

            // governance lists a market through L1's queue; what the STF would only count as a refused listing is refused first
            String governance = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
            String oracle = "0x00000000000000000000000000000000000000aa";
            String[] where = {"--rpc-url", devnet.url(), "--manifest", manifest.toString(), "--api", "http://127.0.0.1:1"};
            Run bad = run(stop -> { }, concat(new String[] {"configure-market", "--market", "3", "--tick", "0.001", "--lot", "1000",
                    "--initial-margin", "5%", "--oracle", oracle, "--key", governance}, where));
            assertThat(bad.code()).isEqualTo(1);
            assertThat(bad.err()).contains("--maintenance-margin must be less than --initial-margin").doesNotContain("\tat ");
            Run percent = run(stop -> { }, concat(new String[] {"configure-market", "--market", "3", "--tick", "0.001", "--lot", "1000",
                    "--taker-fee", "0.05", "--oracle", oracle, "--key", governance}, where));
            assertThat(percent.code()).isEqualTo(2);
            assertThat(percent.err()).contains("not a percentage", "0.05%");
            Run notGovernance = run(stop -> { }, concat(new String[] {"configure-market", "--market", "3", "--tick", "0.001", "--lot", "1000",
                    "--oracle", oracle, "--key", "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"}, where));
            assertThat(notGovernance.code()).isEqualTo(1);
            assertThat(notGovernance.err()).contains("is not the rollup's governance", "--key");
            Run listed = run(stop -> { }, concat(new String[] {"configure-market", "--market", "3", "--tick", "0.001", "--lot", "1000",
                    "--maker-fee", "0.01%", "--oracle", oracle, "--key", governance, "--json"}, where));
            assertThat(listed.code()).as(listed.err()).isZero();
            var answer = UserOptions.JSON.readTree(listed.out());
            assertThat(answer.path("queueIndex").asLong()).isZero();
            assertThat(answer.path("maxPrice").asLong()).as("2^24 ticks of 0.001").isEqualTo(1_000L << 24);
            var web3j = org.web3j.protocol.Web3j.build(new org.web3j.protocol.http.HttpService(devnet.url()));
            var receipt = web3j.ethGetTransactionReceipt(answer.path("tx").asText()).send().getTransactionReceipt().orElseThrow();
            var op = (dev.clearline.engine.transition.Transition.MarketConfig) dev.clearline.engine.transition.TransitionCodec.decode(
                    dev.clearline.contracts.generated.Rollup.getPriorityOpEnqueuedEvents(receipt).getFirst().encoding);
            assertThat(op).isEqualTo(new dev.clearline.engine.transition.Transition.MarketConfig(0, op.enqueueTime(), 3, 1_000, 1_000, 100_000, 50_000,
                    100, 500, 10_000, dev.clearline.engine.order.Address.fromHex(oracle)));

            // the test token's minter (the deploying key) funds a trader; another key is told whose key it needs
            String trader = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";
            Run minted = run(stop -> { }, concat(new String[] {"mint", "250.5", "--to", trader, "--key", governance}, where));
            assertThat(minted.code()).as(minted.err()).isZero();
            assertThat(minted.out()).contains("Minted 250.500000", "./clearline deposit");
            var token = dev.clearline.contracts.generated.TestCollateral.load(Manifest.read(manifest).orElseThrow().address("TestCollateral"), web3j,
                    new org.web3j.tx.ReadonlyTransactionManager(web3j, trader), UserOptions.gas());
            assertThat(token.balanceOf(trader).send()).isEqualTo(java.math.BigInteger.valueOf(250_500_000L));
            Run notMinter = run(stop -> { }, concat(new String[] {"mint", "1", "--to", trader, "--key",
                    "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"}, where));
            assertThat(notMinter.code()).isEqualTo(1);
            assertThat(notMinter.err()).contains("is not the token's minter", "the key that deployed it");

            // the deployer is the sequencer by default; governance hands the role over, or opens posting with 0x0
            var firstRollup = dev.clearline.contracts.generated.Rollup.load(Manifest.read(manifest).orElseThrow().address("Rollup"), web3j,
                    new org.web3j.tx.ReadonlyTransactionManager(web3j, trader), UserOptions.gas());
            assertThat(firstRollup.sequencer().send()).isEqualToIgnoringCase("0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266");
            Run notGov = run(stop -> { }, concat(new String[] {"set-sequencer", trader, "--key",
                    "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"}, where));
            assertThat(notGov.code()).isEqualTo(1);
            assertThat(notGov.err()).contains("is not the rollup's governance");
            Run notAddress = run(stop -> { }, concat(new String[] {"set-sequencer", "0x12", "--key", governance}, where));
            assertThat(notAddress.code()).isEqualTo(2);
            assertThat(notAddress.err()).contains("is not an address", "0x0 opens posting");
            Run miscased = run(stop -> { }, concat(new String[] {"set-sequencer", "0x70997970C51812dc3A010C7d01b50e0d17dc79c8", "--key", governance}, where));
            assertThat(miscased.code()).isEqualTo(2);
            assertThat(miscased.err()).contains("wrong EIP-55 checksum");
            Run handed = run(stop -> { }, concat(new String[] {"set-sequencer", trader, "--key", governance}, where));
            assertThat(handed.code()).as(handed.err()).isZero();
            assertThat(handed.out()).containsIgnoringCase("The sequencer is now " + trader).contains("--operator-key-file");
            Run sameAgain = run(stop -> { }, concat(new String[] {"set-sequencer", trader, "--key", governance}, where));
            assertThat(sameAgain.code()).isZero();
            assertThat(sameAgain.out()).contains("is the sequencer already; nothing was sent");
            assertThat(firstRollup.sequencer().send()).isEqualToIgnoringCase(trader);
            Run opened = run(stop -> { }, concat(new String[] {"set-sequencer", "0x0", "--key", governance, "--json"}, where));
            assertThat(opened.code()).as(opened.err()).isZero();
            assertThat(UserOptions.JSON.readTree(opened.out()).path("previous").asText()).isEqualToIgnoringCase(trader);
            assertThat(new java.math.BigInteger(firstRollup.sequencer().send().substring(2), 16)).isZero();

            // a deployment on an existing collateral token (here the first deployment's): no TestCollateral of its own,
            // and the trader's deposit goes to the new rollup in that token
            String tokenAddress = token.getContractAddress();
            Path other = tmp.resolve("on-existing-token.json");
            Run onToken = run(stop -> { }, "deploy", "--rpc-url", devnet.url(), "--manifest", other.toString(), "--param",
                    "collateral.token=" + tokenAddress);
            assertThat(onToken.code()).as(onToken.err()).isZero();
            Manifest second = Manifest.read(other).orElseThrow();
            assertThat(second.contract("TestCollateral")).isEmpty();
            assertThat(second.parameters()).containsEntry("collateral.token", tokenAddress).doesNotContainKey("collateral.minter");
            var rollup = dev.clearline.contracts.generated.Rollup.load(second.address("Rollup"), web3j,
                    new org.web3j.tx.ReadonlyTransactionManager(web3j, trader), UserOptions.gas());
            assertThat(rollup.token().send()).isEqualToIgnoringCase(tokenAddress);
            Run deposit = run(stop -> { }, "deposit", "100", "--key", "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
                    "--rpc-url", devnet.url(), "--manifest", other.toString(), "--api", "http://127.0.0.1:1", "--anyway");
            assertThat(deposit.code()).as(deposit.err()).isZero();
            assertThat(token.balanceOf(second.address("Rollup")).send()).isEqualTo(java.math.BigInteger.valueOf(100_000_000L));
            assertThat(run(stop -> { }, "deploy", "--rpc-url", devnet.url(), "--manifest", other.toString(), "--param",
                    "collateral.token=" + tokenAddress).out()).as("a rerun on the same token").contains("Up to date");
            // what cannot be a collateral is refused before anything is sent
            Path refused = tmp.resolve("refused.json");
            Run noCode = run(stop -> { }, "deploy", "--rpc-url", devnet.url(), "--manifest", refused.toString(), "--param", "collateral.token=" + trader);
            assertThat(noCode.code()).isEqualTo(1);
            assertThat(noCode.err()).contains("has no code on this chain").doesNotContain("\tat ");
            Run notErc20 = run(stop -> { }, "deploy", "--rpc-url", devnet.url(), "--manifest", refused.toString(), "--param",
                    "collateral.token=" + second.address("Rollup"));
            assertThat(notErc20.code()).isEqualTo(1);
            assertThat(notErc20.err()).contains("does not answer decimals()");
            Run both = run(stop -> { }, "deploy", "--rpc-url", devnet.url(), "--manifest", refused.toString(), "--param",
                    "collateral.token=" + tokenAddress, "--param", "collateral.minter=" + trader);
            assertThat(both.code()).isEqualTo(1);
            assertThat(both.err()).contains("give one of the two");
            assertThat(Files.exists(refused)).isFalse();
            web3j.shutdown();
        } finally {
            assertThat(devnet.stop()).isZero();
        }
    }

    static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void deployToANodeThatIsNotThereFailsWithAHint() {
        Run r = run(stop -> { }, "deploy", "--rpc-url", "http://127.0.0.1:1", "--manifest", tmp.resolve("m.json").toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("cannot talk to the node", "RPC URL");
    }

    @Test
    void upStartsTheDevnetDeploysAndPrintsTheManifestAndReopensFromItsDataDir() throws Exception {
        Path data = tmp.resolve("chain");
        Path manifest = tmp.resolve("up.json");
        String stackDir = tmp.resolve("stack").toString();
        Background up = new Background().start("up", "--port", "0", "--api-port", "0", "--dir", stackDir, "--no-demo",
                "--data-dir", data.toString(), "--manifest", manifest.toString());
        assertThat(up.out.toString()).contains("Deployed: ", "TestCollateral", "Clearline local stack is up");
        assertThat(up.stop()).isZero();
        assertThat(up.out.toString()).as("a stopped stack says what survived and how to come back").contains("Stopping the stack...",
                "Stopped. The chain is kept in " + data + ": ./clearline up --data-dir " + data + " --dir " + stackDir + " --manifest " + manifest
                        + " resumes it",
                "./clearline devnet --data-dir " + data + " runs its L1 alone");
        String address = Manifest.read(manifest).orElseThrow().address("TestCollateral");
        Background again = new Background().start("up", "--port", "0", "--api-port", "0", "--dir", stackDir, "--no-demo",
                "--data-dir", data.toString(), "--manifest", manifest.toString(), "--status-port", "0", "--watch-metrics-port", "0");
        assertThat(again.out.toString()).contains("Up to date", address, "Clearline local stack is up");
        // with --status-port, what an operator's Prometheus reads of a member: the member, its API and its L1 loop on one port
        java.util.regex.Matcher statusUrl = java.util.regex.Pattern.compile("Status: +(http://\\S+)/member +Metrics \\(Prometheus\\): \\1/metrics")
                .matcher(again.out.toString());
        assertThat(statusUrl.find()).as(again.out.toString()).isTrue();
        var http = java.net.http.HttpClient.newHttpClient();
        String metrics = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(statusUrl.group(1) + "/metrics"))
                .timeout(java.time.Duration.ofSeconds(30)).GET().build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).contains("\nclearline_leader 1\n", "\nclearline_service_answering 1\n", "# HELP clearline_api_requests_total ",
                "\nclearline_l1_poster_stopped 0\n", "# HELP clearline_l1_oldest_priority_op_age_seconds ");
        assertThat(http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(statusUrl.group(1) + "/member"))
                .timeout(java.time.Duration.ofSeconds(30)).GET().build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body())
                .contains("\"role\":\"LEADER\"");
        java.util.regex.Matcher watchUrl = java.util.regex.Pattern.compile("Watcher metrics \\(Prometheus\\): (http://\\S+/metrics)").matcher(again.out.toString());
        assertThat(watchUrl.find()).as(again.out.toString()).isTrue();
        String watcherMetrics = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(watchUrl.group(1)))
                .timeout(java.time.Duration.ofSeconds(30)).GET().build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        assertThat(watcherMetrics).contains("\nclearline_watch_l1_reachable 1\n", "\nclearline_watch_rollup_frozen 0\n", "# HELP clearline_watch_balance_ether ")
                .doesNotContain("clearline_watch_challenge_bond_ether -1");

        // its sequencer stopped from outside, as an operator would stop a cluster's: the stack notices and stops too, saying why
        Path sequencerDir = Path.of(stackDir, "sequencer");
        var stopped = dev.clearline.sequencer.cluster.StopWithSnapshot.stop(sequencerDir, java.time.Duration.ofSeconds(60),
                dev.clearline.sequencer.cluster.StopWithSnapshot.EXIT_GRACE, System::currentTimeMillis, line -> { });
        assertThat(stopped.exitCode()).as(stopped.message()).isZero();
        assertThat(again.exit.get(60, TimeUnit.SECONDS)).as("a stop asked for is not a failure: " + again.err).isZero();
        assertThat(again.err.toString()).contains("the sequencer in " + sequencerDir + " was stopped from outside", "stopping the stack");
        assertThat(again.out.toString()).contains("Stopped. The chain is kept in " + data);
        assertThat(Files.exists(data.resolve("chain.jsonl"))).isTrue();
    }
}
