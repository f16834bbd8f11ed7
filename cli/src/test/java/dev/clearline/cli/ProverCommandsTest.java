package dev.clearline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clearline.contracts.generated.DisputeGame;
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
import dev.clearline.prover.report.DisputeLog;
import dev.clearline.prover.report.DisputeRecord;
import dev.clearline.prover.replay.BatchVerifier;
import dev.clearline.prover.replay.PostedBatch;
import dev.clearline.prover.trace.StepCase;
import dev.clearline.prover.trace.StepCases;
import dev.clearline.tree.store.MemoryNodeStore;
import java.math.BigInteger;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.tx.gas.StaticGasProvider;

/**
 * {@code verify-batch}, {@code trace} and {@code report} against a devnet over HTTP: a deployment
 * made by {@code clearline deploy}, two deposits through the real priority queue, an honest batch
 * and a batch that lies about its post-root, and a dispute over the lie played on the real
 * DisputeGame with the real one-step verifier. Every bad input gets one clear line.
 */
class ProverCommandsTest {
    private static final StaticGasProvider GAS = new StaticGasProvider(BigInteger.valueOf(2_000_000_000L), BigInteger.valueOf(12_000_000));
    private static final String KEY_0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
    private static final String KEY_1 = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
    private static final String KEY_2 = "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a";
    private static final String KEY_3 = "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6";

    @TempDir
    static Path dir;

    private static Devnet devnet;
    private static Path manifest;
    private static TransactionReceipt oneStep;

    @BeforeAll
    static void deployPostTwoBatchesAndDisputeTheLie() throws Exception {
        devnet = Devnet.start(Devnet.Options.http(NodeConfig.defaults(() -> System.currentTimeMillis() / 1000), 0));
        manifest = dir.resolve("deployment.json");
        CliTest.Run deployed = CliTest.run(stop -> { }, "deploy", "--rpc-url", devnet.rpcUrl(), "--manifest", manifest.toString());
        assertThat(deployed.code()).as(deployed.err()).isZero();
        Manifest m = Manifest.read(manifest).orElseThrow();
        String rollupAddress = m.address("Rollup");
        var web3j = devnet.web3j();
        Credentials operator = Credentials.create(KEY_0);
        TestCollateral token = TestCollateral.load(m.address("TestCollateral"), web3j, operator, GAS);
        for (String key : List.of(KEY_1, KEY_2)) {
            Credentials user = Credentials.create(key);
            ok(token.mint(user.getAddress(), BigInteger.valueOf(2_000_000)).send());
            ok(TestCollateral.load(token.getContractAddress(), web3j, user, GAS).approve(rollupAddress, BigInteger.valueOf(2_000_000)).send());
        }
        for (String key : List.of(KEY_1, KEY_2, KEY_1, KEY_2)) {
            ok(Rollup.load(rollupAddress, web3j, Credentials.create(key), GAS).deposit(BigInteger.valueOf(500_000)).send());
        }
        Rollup rollup = Rollup.load(rollupAddress, web3j, operator, GAS);
        ok(rollup.joinProposers(BigInteger.TEN.pow(18)).send());

        Eip712 domain = new Eip712(m.chainId(), Address.fromHex(rollupAddress));
        Stf stf = new Stf(domain, new BouncyCastleVerifier());
        RollupLog log = new RollupLog(web3j, rollupAddress);
        List<Transition> queue = log.priorityOps(0, log.latestBlock());
        assertThat(queue).hasSize(4);
        BatchBuilder sequencer = new BatchBuilder(stf, new MemoryNodeStore(), new BatchPolicy(1_000, 60));
        for (int i = 0; i < queue.size(); i++) {
            assertThat(sequencer.append(queue.get(i), 0).applied()).isTrue();
            if (i == 0 || i == queue.size() - 1) sequencer.seal();
        }
        List<Batch> batches = sequencer.takeSealed();
        assertThat(batches).extracting(b -> b.header().transitionCount()).containsExactly(1, 3);
        Hash32 lie = Hash32.fromHex("0x" + "5e".repeat(32));
        for (Batch b : batches) {
            BatchHeader h = b.header();
            ok(rollup.submitBatch(header(h, h.batchIndex() == 1 ? lie : h.postStateRoot()), b.calldata()).send());
        }

        // A challenger disputes batch 1 (3 transitions). The proposer answers with the right root after
        // transition 0 and a made-up one after transition 1; the challenger names that part; one step.
        Credentials challenger = Credentials.create(KEY_3);
        DisputeGame game = DisputeGame.load(m.address("DisputeGame"), web3j, challenger, GAS);
        DisputeGame proposerSide = DisputeGame.load(m.address("DisputeGame"), web3j, operator, GAS);
        BatchHeader h1 = batches.get(1).header();
        DisputeGame.BatchHeader disputed = new DisputeGame.BatchHeader(BigInteger.ONE, h1.prevStateRoot().bytes(), lie.bytes(),
                BigInteger.valueOf(3), h1.transitionsRoot().bytes(), BigInteger.valueOf(h1.priorityOpsConsumed()));
        ok(game.challenge(disputed, new BigInteger(m.parameters().get("dispute.challengeBond"))).send());
        MemoryNodeStore nodes = new MemoryNodeStore();
        BatchVerifier verifier = new BatchVerifier(stf, nodes);
        verifier.verify(new PostedBatch(batches.get(0).header(), batches.get(0).calldata()));
        PostedBatch lying = new PostedBatch(header1(h1, lie), batches.get(1).calldata());
        List<byte[]> roots = List.of(verifier.rootAfterPrefix(lying, 1).bytes(), Hash32.fromHex("0x" + "66".repeat(32)).bytes());
        ok(proposerSide.bisect(BigInteger.ONE, roots).send());
        ok(game.choose(BigInteger.ONE, roots, BigInteger.ONE).send());
        StepCase step = new StepCases(stf).of(nodes, nodes.latestVersion(), lying, 1);
        List<byte[]> siblings = dev.clearline.engine.batch.TransitionsRoot.proof(batches.get(1).encodedTransitions(), 1).stream()
                .map(Hash32::bytes).toList();
        oneStep = game.oneStep(BigInteger.ONE, step.transition(), siblings, step.witness().witness().encode()).send();
        ok(oneStep);
    }

    @AfterAll
    static void stop() {
        if (devnet != null) devnet.close();
    }

    private static BatchHeader header1(BatchHeader h, Hash32 post) {
        return new BatchHeader(h.batchIndex(), h.prevStateRoot(), post, h.transitionCount(), h.transitionsRoot(), h.priorityOpsConsumed());
    }

    private static Rollup.BatchHeader header(BatchHeader h, Hash32 post) {
        return new Rollup.BatchHeader(BigInteger.valueOf(h.batchIndex()), h.prevStateRoot().bytes(), post.bytes(),
                BigInteger.valueOf(h.transitionCount()), h.transitionsRoot().bytes(), BigInteger.valueOf(h.priorityOpsConsumed()));
    }

    private static void ok(TransactionReceipt r) {
        assertThat(r.isStatusOK()).as("transaction %s: %s", r.getTransactionHash(), r.getRevertReason()).isTrue();
    }

    private static CliTest.Run run(String... args) {
        return CliTest.run(stop -> { }, args);
    }

    private static String[] l1(String... args) {
        String[] all = new String[args.length + 4];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--rpc-url";
        all[args.length + 1] = devnet.rpcUrl();
        all[args.length + 2] = "--manifest";
        all[args.length + 3] = manifest.toString();
        return all;
    }

    /** One line on stderr, with the fragments, the exit code, no stack trace. */
    private static void assertOneLine(CliTest.Run r, int code, String... fragments) {
        assertThat(r.code()).as(r.out() + r.err()).isEqualTo(code);
        assertThat(r.err().strip().lines().count()).as(r.err()).isEqualTo(1);
        assertThat(r.err()).contains(fragments).doesNotContain("Exception", "\tat ");
    }

    @Test
    void verifyBatchJudgesTheHonestBatchHonestAndTheLieFraud() {
        CliTest.Run honest = run(l1("verify-batch", "0"));
        assertThat(honest.code()).as(honest.err()).isZero();
        assertThat(honest.out()).contains("batch=0", "verdict=honest");
        CliTest.Run fraud = run(l1("verify-batch", "1"));
        assertThat(fraud.code()).as(fraud.err()).isEqualTo(VerifyBatchesCommand.FRAUD_FOUND);
        assertThat(fraud.out()).contains("batch=1", "verdict=fraud:wrong-post-root claimed=0x5e5e");
    }

    @Test
    void withADataDirASecondRunResumesInsteadOfReplayingAgain() throws Exception {
        String data = dir.resolve("watcher").toString();
        CliTest.Run first = run(l1("verify-batch", "1", "--data-dir", data));
        assertThat(first.code()).as(first.err()).isEqualTo(VerifyBatchesCommand.FRAUD_FOUND);
        assertThat(first.out()).contains("verdict=fraud:wrong-post-root", "replayed=2");
        CliTest.Run again = run(l1("verify-batch", "0", "--data-dir", data));
        assertThat(again.code()).as(again.err()).isZero();
        assertThat(again.out()).contains("verdict=honest", "replayed=0");
        // The same directory for another contract (one with code) is refused, not mixed in.
        String other = Manifest.read(manifest).orElseThrow().address("TestCollateral");
        assertOneLine(run("verify-batch", "0", "--data-dir", data, "--rpc-url", devnet.rpcUrl(), "--rollup", other),
                1, "holds the state of chain=31337", "give another --data-dir");
    }

    @Test
    void traceWritesTheDocumentedJsonOfTheOneStep() throws Exception {
        Path out = dir.resolve("t.json");
        CliTest.Run r = run(l1("trace", "1", "2", "--out", out.toString()));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("transition=Deposit", "java=APPLIED", "solidity=APPLIED", "agree=true");
        JsonNode json = new ObjectMapper().readTree(out.toFile());
        assertThat(json.path("format").asText()).isEqualTo("clearline.step-trace/1");
        assertThat(json.path("batchIndex").asLong()).isEqualTo(1);
        assertThat(json.path("steps").size()).isPositive();
    }

    @Test
    void reportReadsTheGameFromL1AndWritesTheHtmlAndTextReports() throws Exception {
        Path out = dir.resolve("reports");
        CliTest.Run r = run(l1("report", "1", "--out-dir", out.toString()));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("dispute=1", "batch=1", "step=1", "verdict=\"Challenger wins (RootMismatch)");
        String html = Files.readString(out.resolve("dispute-1.html"));
        assertThat(html).contains("<div id=\"verdict\" class=\"verdict fraud\">Challenger wins (RootMismatch)", oneStep.getTransactionHash());
        String text = Files.readString(out.resolve("dispute-1.txt"));
        assertThat(text).contains("game 1 at", "challenge", "oneStep", "gas " + oneStep.getGasUsed(), "Disputed transition: step 1 of batch 1",
                "0x" + "66".repeat(32));
        assertThat(text.lines().filter(l -> l.matches("\\s+\\d+\\s+\\S+\\s+(challenge|bisect|choose|oneStep)\\s.*")).toList())
                .as(text).hasSize(4).anySatisfy(l -> assertThat(l).contains("choose", "[0, 3) part 1"));
    }

    /**
     * A node that no longer finds transactions by hash (geth keeps that index for about a year);
     * {@code noBlockReceipts}: nor does it serve {@code eth_getBlockReceipts}.
     */
    static final class PrunedTxIndex extends dev.clearline.devnet.junit.ForwardingTransport {
        private final boolean noBlockReceipts;

        PrunedTxIndex(org.web3j.protocol.Web3jService node, boolean noBlockReceipts) {
            super(node);
            this.noBlockReceipts = noBlockReceipts;
        }

        @Override
        @SuppressWarnings({"rawtypes", "unchecked"})
        public <T extends org.web3j.protocol.core.Response> T send(org.web3j.protocol.core.Request request, Class<T> type)
                throws java.io.IOException {
            boolean forgotten = request.getMethod().equals("eth_getTransactionReceipt");
            boolean unsupported = noBlockReceipts && request.getMethod().equals("eth_getBlockReceipts");
            if (!forgotten && !unsupported) return super.send(request, type);
            try {
                T r = type.getDeclaredConstructor().newInstance();
                if (unsupported) r.setError(new org.web3j.protocol.core.Response.Error(-32601, "the method eth_getBlockReceipts does not exist"));
                return r;
            } catch (ReflectiveOperationException e) {
                throw new java.io.IOException(e);
            }
        }
    }

    @Test
    void aMoveWhoseReceiptTheNodeNoLongerFindsByHashTakesItsGasFromItsBlockOrIsShownUnknownNeverZero() throws Exception {
        String game = Manifest.read(manifest).orElseThrow().address("DisputeGame");
        long oneStepGas = oneStep.getGasUsed().longValueExact();
        var fresh = DisputeLog.read(devnet.web3j(), game, 1, 0).rounds();
        assertThat(fresh.getLast().gasUsed()).isEqualTo(oneStepGas);

        var fromBlocks = DisputeLog.read(org.web3j.protocol.Web3j.build(new PrunedTxIndex(new org.web3j.protocol.http.HttpService(devnet.rpcUrl()),
                false)), game, 1, 0).rounds();
        assertThat(fromBlocks).extracting(DisputeRecord.Round::gasUsed).as("each move's gas, read from its block's receipts")
                .containsExactlyElementsOf(fresh.stream().map(DisputeRecord.Round::gasUsed).toList());

        var unknown = DisputeLog.read(org.web3j.protocol.Web3j.build(new PrunedTxIndex(new org.web3j.protocol.http.HttpService(devnet.rpcUrl()),
                true)), game, 1, 0).rounds();
        assertThat(unknown).hasSize(fresh.size()).allSatisfy(r -> {
            assertThat(r.gasUsed()).isEqualTo(DisputeRecord.GAS_UNKNOWN);
            assertThat(r.gasText()).startsWith("unknown");
        });
    }

    @Test
    void aLongReplayShowsProgressAtMostOncePerSecond() {
        java.io.StringWriter err = new java.io.StringWriter();
        long[] now = {0};
        L1Options options = new L1Options();
        options.rpcUrl = java.net.URI.create(devnet.rpcUrl());
        options.manifest = manifest;
        try (L1Options.Connection c = options.connect()) {
            // A clock that moves 1.2 s per reading: each batch replayed crosses a second.
            ReplayToBatch.Found f = ReplayToBatch.upTo(c, 0, 1, new java.io.PrintWriter(err, true), () -> now[0] += 1_200_000_000L);
            assertThat(f.verdict().honest()).isFalse();
        }
        assertThat(err.toString()).isEqualTo("replay: batch 0 (1 of 2 postings, 50%)" + System.lineSeparator());
        now[0] = 0;
        java.io.StringWriter quiet = new java.io.StringWriter();
        try (L1Options.Connection c = options.connect()) {
            ReplayToBatch.upTo(c, 0, 1, new java.io.PrintWriter(quiet, true), () -> 0L);
        }
        assertThat(quiet.toString()).as("a replay under a second prints nothing").isEmpty();
    }

    @Test
    void aBatchThatDoesNotExistIsOneLineNamingTheBatchesThereAre() throws Exception {
        assertOneLine(run(l1("verify-batch", "7")), 1, "batch 7 does not exist", "holds batches 0 to 1");
        // reading starts where the Rollup was deployed, not at genesis, with its manifest or only its address
        Manifest.Contract rollup = Manifest.read(manifest).orElseThrow().contract("Rollup").orElseThrow();
        long deployed = devnet.web3j().ethGetTransactionReceipt(rollup.transactionHash()).send().getTransactionReceipt().orElseThrow()
                .getBlockNumber().longValueExact();
        assertThat(deployed).isPositive();
        assertOneLine(run(l1("verify-batch", "7")), 1, "(read from block " + deployed + ")");
        assertOneLine(run("verify-batch", "7", "--rpc-url", devnet.rpcUrl(), "--rollup", rollup.address()), 1, "(read from block " + deployed + ")");
        assertOneLine(run(l1("verify-batch", "7", "--from-block", "0")), 1, "(read from block 0)");
        // a later start would miss the first batches and call the next one fraud: refused, with what to give
        String later = Long.toString(deployed + 1);
        assertOneLine(run(l1("verify-batches", "--from-block", later)), 2, "--from-block " + later + " is after block " + deployed,
                "give at most " + deployed);
        assertOneLine(run(l1("trace", "9", "0")), 1, "batch 9 does not exist");
    }

    @Test
    void aStepOutsideTheBatchIsOneLineWithTheStepsItHas() {
        assertOneLine(run(l1("trace", "0", "4")), 1, "batch 0 has 1 transitions", "STEP 0 to 0");
    }

    @Test
    void aDisputeThatDoesNotExistIsOneLine() {
        assertOneLine(run(l1("report", "5", "--out-dir", dir.toString())), 1, "there is no dispute 5", "games 1 to 1");
    }

    @Test
    void aManifestForAnotherChainIsOneLineNamingBothChains() throws Exception {
        Path other = dir.resolve("other-chain.json");
        Files.writeString(other, Files.readString(manifest).replaceFirst("\"chainId\" : 31337", "\"chainId\" : 1"));
        assertOneLine(run("verify-batch", "0", "--rpc-url", devnet.rpcUrl(), "--manifest", other.toString()), 1,
                "the manifest is for chain 1", "serves chain 31337");
    }

    @Test
    void aRollupAddressWithoutCodeIsOneLine() {
        assertOneLine(run("verify-batch", "0", "--rpc-url", devnet.rpcUrl(), "--rollup", "0x" + "00".repeat(19) + "77"), 1,
                "there is no contract at", "check --rollup");
    }

    @Test
    void anUnreachableRpcIsOneLineWithTheWayOut() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        for (String command : List.of("verify-batch", "trace", "report")) {
            List<String> args = new java.util.ArrayList<>(List.of(command, "1"));
            if (command.equals("trace")) args.add("0");
            args.addAll(List.of("--rpc-url", "http://127.0.0.1:" + port, "--rollup", "0x5FbDB2315678afecb367f032d93F642f64180aa3"));
            if (command.equals("report")) args.addAll(List.of("--dispute-game", "0x5FbDB2315678afecb367f032d93F642f64180aa3"));
            assertOneLine(run(args.toArray(String[]::new)), 1, "cannot read L1 at http://127.0.0.1:" + port, "check --rpc-url");
        }
    }

    @Test
    void aMissingManifestIsOneLineSayingWhatToGive() {
        assertOneLine(run("verify-batch", "0", "--rpc-url", devnet.rpcUrl(), "--manifest", dir.resolve("none.json").toString()), 1,
                "the manifest", "does not exist");
    }
}
