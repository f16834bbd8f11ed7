package dev.clearline.devnet.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.clearline.contracts.Artifacts;
import dev.clearline.devnet.accounts.DevAccounts;
import dev.clearline.devnet.deploy.ContractSet;
import dev.clearline.devnet.deploy.Deployer;
import dev.clearline.devnet.deploy.DeploymentParameters;
import dev.clearline.devnet.deploy.Manifest;
import dev.clearline.devnet.junit.ChainEdits;
import dev.clearline.devnet.junit.TimeTravel;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Hash;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.Web3jService;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.request.EthFilter;
import org.web3j.protocol.core.methods.response.EthCall;
import org.web3j.protocol.core.methods.response.EthSendTransaction;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.utils.Numeric;

/**
 * The deployment and contract smoke tests every L1 must pass: the embedded devnet and Hardhat's
 * node run the same client code. A difference in behaviour fails a test.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class L1Compatibility {
    static final String TRANSFER_TOPIC = Numeric.toHexString(Hash.sha3("Transfer(address,address,uint256)".getBytes()));
    static final DevAccounts KEYS = DevAccounts.defaults();
    static final String ZERO_HASH = "0x" + "0".repeat(64);

    @TempDir
    Path tmp;
    Web3jService service;
    Web3j web3j;
    Chain chain;
    TimeTravel time;
    Manifest manifest;
    String token;
    String snapshot;

    /** Starts the node under test and returns a web3j transport to it. */
    abstract Web3jService startNode();

    abstract void stopNode();

    /** The node's JSON-RPC WebSocket: the same host and port as its HTTP endpoint. */
    abstract String webSocketUrl();

    @BeforeAll
    void deployContractSet() throws Exception {
        service = startNode();
        web3j = Web3j.build(service);
        chain = new Chain(web3j, 31337);
        time = new TimeTravel(service);
        Path dir = Files.createTempDirectory("clearline-compat");
        Deployer.Result result = deployer(2).deploy(ContractSet.standard(), params(), dir.resolve("deployment.json"), false);
        assertThat(result).as(result.toString()).isInstanceOf(Deployer.Deployed.class);
        manifest = ((Deployer.Deployed) result).manifest();
        token = manifest.address("TestCollateral");
    }

    Deployer deployer(int confirmations) {
        return new Deployer(service, KEYS.first(), Artifacts.onClasspath(), Deployer.Settings.defaults().withConfirmations(confirmations),
                m -> { }, System::currentTimeMillis);
    }

    static DeploymentParameters params() {
        return DeploymentParameters.defaults(KEYS.first().getAddress(), Map.of());
    }

    @AfterAll
    void stop() {
        stopNode();
    }

    @BeforeEach
    void snapshot() {
        snapshot = time.snapshot();
    }

    @AfterEach
    void revert() {
        assertThat(time.revert(snapshot)).isTrue();
    }

    @Test
    void deploymentLeavesVerifiedCodeAndAManifestThatMakesARerunANoop() throws Exception {
        String code = web3j.ethGetCode(token, DefaultBlockParameterName.LATEST).send().getCode();
        assertThat(Numeric.toHexString(Hash.sha3(Numeric.hexStringToByteArray(code)))).isEqualTo(manifest.contract("TestCollateral").orElseThrow().codeHash());
        assertThat(manifest.chainId()).isEqualTo(31337);
        assertThat(manifest.blockHash()).isEqualTo(web3j.ethGetBlockByNumber(DefaultBlockParameter.valueOf(BigInteger.valueOf(manifest.blockNumber())), false)
                .send().getBlock().getHash());
        Path file = tmp.resolve("again.json");
        manifest.write(file);
        long before = chain.blockNumber();
        Deployer.Result again = deployer(1).deploy(ContractSet.standard(), params(), file, false);
        assertThat(again).isEqualTo(new Deployer.Deployed(manifest, true));
        assertThat(chain.blockNumber()).isEqualTo(before);
        // The minter immutable is baked into the code: it must be the deployer.
        EthCall minter = chain.call(KEYS.first().getAddress(), token, Chain.encode("minter"));
        assertThat(Numeric.toBigInt(minter.getValue())).isEqualTo(Numeric.toBigInt(KEYS.first().getAddress()));
    }

    @Test
    void theL1SetIsDeployedWiredTogetherWithItsParameters() throws Exception {
        String rollup = manifest.address("Rollup");
        String game = manifest.address("DisputeGame");
        String hatch = manifest.address("EscapeHatch");
        assertThat(Numeric.toBigInt(chain.call(KEYS.first().getAddress(), rollup, Chain.encode("disputeGame")).getValue()))
                .isEqualTo(Numeric.toBigInt(game));
        assertThat(Numeric.toBigInt(chain.call(KEYS.first().getAddress(), rollup, Chain.encode("escapeHatch")).getValue()))
                .isEqualTo(Numeric.toBigInt(hatch));
        assertThat(Numeric.toBigInt(chain.call(KEYS.first().getAddress(), rollup, Chain.encode("token")).getValue()))
                .isEqualTo(Numeric.toBigInt(token));
        assertThat(Numeric.toBigInt(chain.call(KEYS.first().getAddress(), game, Chain.encode("verifier")).getValue()))
                .isEqualTo(Numeric.toBigInt(manifest.address("StepVerifier")));
        assertThat(Numeric.toBigInt(chain.call(KEYS.first().getAddress(), game, Chain.encode("arity")).getValue()))
                .isEqualTo(new BigInteger(manifest.parameters().get("dispute.arity")));
        assertThat(Numeric.toBigInt(chain.call(KEYS.first().getAddress(), rollup, Chain.encode("challengePeriod")).getValue()))
                .isEqualTo(new BigInteger(manifest.parameters().get("rollup.challengePeriod")));
    }

    @Test
    void aManifestForAResetChainIsReportedNotReused() throws Exception {
        Path file = tmp.resolve("stale.json");
        String nowhere = "0x00000000000000000000000000000000000000aa";
        List<Manifest.Contract> contracts = new java.util.ArrayList<>(manifest.contracts());
        contracts.set(0, new Manifest.Contract("TestCollateral", nowhere, List.of(), ZERO_HASH, ZERO_HASH, ZERO_HASH));
        Manifest stale = new Manifest(Manifest.VERSION, 31337, manifest.deployer(), 1, manifest.blockHash(), manifest.parameters(),
                contracts);
        stale.write(file);
        Deployer.Result result = deployer(1).deploy(ContractSet.standard(), params(), file, false);
        assertThat(result).isInstanceOf(Deployer.Failed.class);
        assertThat(((Deployer.Failed) result).message()).contains("no code there", nowhere, "(or give another --manifest)", "deploy --fresh");
    }

    @Test
    void mintAndTransferMoveBalancesAndEmitTransferLogs() throws Exception {
        Credentials alice = KEYS.keys().get(1);
        Credentials bob = KEYS.keys().get(2);
        TransactionReceipt minted = chain.mined(KEYS.first(), token, Chain.mint(alice.getAddress(), 1_000), 200_000);
        TransactionReceipt moved = chain.mined(alice, token, Chain.transfer(bob.getAddress(), 400), 200_000);
        assertThat(minted.isStatusOK()).isTrue();
        assertThat(moved.isStatusOK()).isTrue();
        assertThat(chain.tokenBalance(token, alice.getAddress())).isEqualTo(600);
        assertThat(chain.tokenBalance(token, bob.getAddress())).isEqualTo(400);
        Log log = moved.getLogs().get(0);
        assertThat(log.getAddress()).isEqualToIgnoringCase(token);
        assertThat(log.getTopics()).containsExactly(TRANSFER_TOPIC, pad(alice.getAddress()), pad(bob.getAddress()));
        assertThat(Numeric.toBigInt(log.getData())).isEqualTo(400);
        assertThat(log.getBlockHash()).isEqualTo(moved.getBlockHash());

        EthFilter filter = new EthFilter(DefaultBlockParameter.valueOf(minted.getBlockNumber()), DefaultBlockParameterName.LATEST, token);
        filter.addSingleTopic(TRANSFER_TOPIC);
        filter.addOptionalTopics(pad(alice.getAddress()));
        var fromAlice = web3j.ethGetLogs(filter).send().getLogs();
        assertThat(fromAlice).hasSize(1);
        assertThat(((Log) fromAlice.get(0).get()).getTransactionHash()).isEqualTo(moved.getTransactionHash());
    }

    @Test
    void aCustomErrorComesBackAsRevertDataFromEthCall() throws Exception {
        String pauper = KEYS.keys().get(5).getAddress();
        EthCall call = chain.call(pauper, token, Chain.transfer(KEYS.keys().get(6).getAddress(), 5));
        assertThat(call.hasError()).isTrue();
        String expected = Chain.encode("InsufficientBalance", new Address(pauper), new Uint256(0), new Uint256(5))
                .replace(Chain.encode("InsufficientBalance", new Address(pauper), new Uint256(0), new Uint256(5)).substring(0, 10),
                        Numeric.toHexString(Hash.sha3("InsufficientBalance(address,uint256,uint256)".getBytes())).substring(0, 10));
        assertThat(Chain.revertData(call.getError())).as(call.getError().getCode() + " " + call.getError().getMessage() + " " + call.getError().getData()).isEqualTo(expected);
    }

    @Test
    void aRevertingTransactionIsMinedWithStatusZeroAndChangesNothing() throws Exception {
        String pauper = KEYS.keys().get(5).getAddress();
        TransactionReceipt r = chain.mined(KEYS.keys().get(5), token, Chain.transfer(KEYS.keys().get(6).getAddress(), 5), 100_000);
        assertThat(r.isStatusOK()).isFalse();
        assertThat(r.getLogs()).isEmpty();
        assertThat(chain.tokenBalance(token, pauper)).isZero();
        assertThat(web3j.ethGetTransactionCount(pauper, DefaultBlockParameterName.LATEST).send().getTransactionCount()).isEqualTo(1);
    }

    @Test
    void timeTravelMovesBlockTimestampsAndSnapshotsRewindTheChain() throws Exception {
        long before = time.latestTimestamp();
        long after = time.advance(Duration.ofDays(7));
        assertThat(after - before).isBetween(7 * 86_400L, 7 * 86_400L + 5);
        String inner = time.snapshot();
        long height = chain.blockNumber();
        String blockHash = web3j.ethGetBlockByNumber(DefaultBlockParameterName.LATEST, false).send().getBlock().getHash();
        chain.mined(KEYS.first(), token, Chain.mint(KEYS.keys().get(3).getAddress(), 77), 200_000);
        assertThat(chain.tokenBalance(token, KEYS.keys().get(3).getAddress())).isEqualTo(77);
        assertThat(time.revert(inner)).isTrue();
        assertThat(chain.blockNumber()).isEqualTo(height);
        assertThat(web3j.ethGetBlockByNumber(DefaultBlockParameterName.LATEST, false).send().getBlock().getHash()).isEqualTo(blockHash);
        assertThat(chain.tokenBalance(token, KEYS.keys().get(3).getAddress())).isZero();
        long at = time.latestTimestamp() + 1000;
        assertThat(time.mineAt(at)).isEqualTo(at);
    }

    @Test
    void thePendingBlockCarriesTheClockWhileNoBlockIsMined() throws Exception {
        // what a client reads as "now" on an automining chain nobody sends to (an operator gone quiet):
        // the latest block's time stands still, the pending block's moves with the clock
        long height = chain.blockNumber();
        long latest = time.latestTimestamp();
        time.moveClock(Duration.ofHours(2));
        assertThat(chain.blockNumber()).isEqualTo(height);
        assertThat(time.latestTimestamp()).isEqualTo(latest);
        long pending = time.pendingTimestamp();
        // the upper bound leaves room for the seconds since the latest block was mined (a slow machine)
        assertThat(pending).isBetween(latest + 7_200, latest + 7_200 + 600);
        var block = web3j.ethGetBlockByNumber(DefaultBlockParameterName.PENDING, true).send().getBlock();
        assertThat(block.getParentHash()).isEqualTo(web3j.ethGetBlockByNumber(DefaultBlockParameterName.LATEST, false).send().getBlock().getHash());
        assertThat(block.getTransactions()).as("automine: nothing waits").isEmpty();
        assertThat(time.mine()).as("the next block carries the pending block's time or later").isBetween(pending, pending + 600);
    }

    @Test
    void replaysAndNonceGapsAreRefusedAndTheChainStaysAsItWas() throws Exception {
        Credentials k = KEYS.keys().get(4);
        BigInteger nonce = web3j.ethGetTransactionCount(k.getAddress(), DefaultBlockParameterName.PENDING).send().getTransactionCount();
        String raw = chain.signed(k, nonce, token, Chain.encode("approve", new Address(KEYS.first().getAddress()), new Uint256(1)), 100_000);
        EthSendTransaction first = web3j.ethSendRawTransaction(raw).send();
        assertThat(first.hasError()).isFalse();
        long height = chain.blockNumber();
        String head = web3j.ethGetBlockByNumber(DefaultBlockParameterName.LATEST, false).send().getBlock().getHash();
        EthSendTransaction replay = web3j.ethSendRawTransaction(raw).send();
        EthSendTransaction gap = chain.sendWithNonce(k, nonce.add(BigInteger.TEN), token, "0x", 100_000);
        assertThat(replay.hasError()).as("replay refused").isTrue();
        assertThat(replay.getError().getCode()).isEqualTo(-32000);
        assertThat(replay.getError().getMessage()).containsIgnoringCase("nonce");
        assertThat(gap.hasError()).as("nonce gap refused").isTrue();
        assertThat(chain.blockNumber()).isEqualTo(height);
        assertThat(web3j.ethGetBlockByNumber(DefaultBlockParameterName.LATEST, false).send().getBlock().getHash()).isEqualTo(head);
    }

    @Test
    void aLogFilterReportsEachNewTransferOnce() throws Exception {
        EthFilter filter = new EthFilter(DefaultBlockParameterName.LATEST, DefaultBlockParameterName.LATEST, token);
        filter.addSingleTopic(TRANSFER_TOPIC);
        BigInteger id = web3j.ethNewFilter(filter).send().getFilterId();
        chain.mined(KEYS.first(), token, Chain.mint(KEYS.keys().get(7).getAddress(), 5), 200_000);
        var changes = web3j.ethGetFilterChanges(id).send().getLogs();
        assertThat(changes).hasSize(1);
        assertThat(web3j.ethGetFilterChanges(id).send().getLogs()).isEmpty();
        assertThat(web3j.ethUninstallFilter(id).send().isUninstalled()).isTrue();
    }

    @Test
    void theEstimateIsEnoughAndEthCallSeesTheResult() throws Exception {
        String data = Chain.mint(KEYS.keys().get(8).getAddress(), 9);
        BigInteger estimate = web3j.ethEstimateGas(org.web3j.protocol.core.methods.request.Transaction.createFunctionCallTransaction(
                KEYS.first().getAddress(), null, null, null, token, data)).send().getAmountUsed();
        TransactionReceipt r = chain.mined(KEYS.first(), token, data, estimate.longValueExact());
        assertThat(r.isStatusOK()).isTrue();
        assertThat(r.getGasUsed()).isLessThanOrEqualTo(estimate);
        assertThat(chain.tokenBalance(token, KEYS.keys().get(8).getAddress())).isEqualTo(9);
    }

    @Test
    void devAccountsAreUnlockedForEthSendTransaction() throws Exception {
        String holder = KEYS.keys().get(9).getAddress();
        var sent = web3j.ethSendTransaction(org.web3j.protocol.core.methods.request.Transaction.createFunctionCallTransaction(
                KEYS.first().getAddress(), null, null, BigInteger.valueOf(200_000), token, Chain.mint(holder, 21))).send();
        assertThat(sent.hasError()).as(sent.getError() == null ? "" : sent.getError().getMessage()).isFalse();
        assertThat(web3j.ethGetTransactionReceipt(sent.getTransactionHash()).send().getTransactionReceipt().orElseThrow().isStatusOK()).isTrue();
        assertThat(chain.tokenBalance(token, holder)).isEqualTo(21);
        assertThat(web3j.ethAccounts().send().getAccounts()).hasSize(10).first().asString().isEqualToIgnoringCase(KEYS.first().getAddress());
    }

    @Test
    void withAutomineOffATransactionWaitsUntilMinedAndABumpOfBothFeesReplacesIt() throws Exception {
        Credentials k = KEYS.keys().get(6);
        String holder = KEYS.keys().get(5).getAddress();
        BigInteger nonce = web3j.ethGetTransactionCount(k.getAddress(), DefaultBlockParameterName.LATEST).send().getTransactionCount();
        time.setAutomine(false);
        try {
            long height = chain.blockNumber();
            String first = chain.signed(k, nonce, token, approve(holder, 1), 200_000, gwei(10), gwei(100));
            assertThat(web3j.ethSendRawTransaction(first).send().hasError()).isFalse();
            assertThat(chain.blockNumber()).as("nothing mined on a send").isEqualTo(height);
            assertThat(receipt(first)).isEmpty();
            assertThat(web3j.ethGetTransactionCount(k.getAddress(), DefaultBlockParameterName.PENDING).send().getTransactionCount())
                    .as("the pending count includes the waiting one").isEqualTo(nonce.add(BigInteger.ONE));

            EthSendTransaction tooLittle = web3j.ethSendRawTransaction(
                    chain.signed(k, nonce, token, approve(holder, 2), 200_000, gwei(10).add(BigInteger.ONE), gwei(105))).send();
            EthSendTransaction tipUnraised = web3j.ethSendRawTransaction(
                    chain.signed(k, nonce, token, approve(holder, 2), 200_000, gwei(10), gwei(200))).send();
            assertThat(tooLittle.hasError()).as("a 5 % bump does not replace").isTrue();
            assertThat(tooLittle.getError().getMessage()).containsIgnoringCase("underpriced");
            assertThat(tipUnraised.hasError()).as("the tip must rise too").isTrue();
            assertThat(tipUnraised.getError().getMessage()).containsIgnoringCase("underpriced");

            String second = chain.signed(k, nonce, token, approve(holder, 2), 200_000, gwei(11), gwei(110));
            assertThat(web3j.ethSendRawTransaction(second).send().hasError()).as("10 % on both fees replaces").isFalse();

            time.setNextBlockBaseFee(gwei(200));
            time.mine();
            assertThat(chain.blockNumber()).isEqualTo(height + 1);
            assertThat(receipt(second)).as("a block whose base fee is above it passes it over").isEmpty();
            // and it still waits (Hardhat's pending count leaves out what the next block could not take, geth's and the devnet's count it)
            assertThat(web3j.ethGetTransactionByHash(Hash.sha3(second)).send().getTransaction())
                    .hasValueSatisfying(t -> assertThat(t.getBlockHash()).isNull());

            time.setNextBlockBaseFee(gwei(1));
            time.mine();
            assertThat(receipt(second)).as("mined once the fee falls").hasValueSatisfying(r -> assertThat(r.isStatusOK()).isTrue());
            assertThat(receipt(first)).as("the replaced one never is").isEmpty();
            assertThat(Numeric.toBigInt(chain.call(k.getAddress(), token,
                    Chain.encode("allowance", new Address(k.getAddress()), new Address(holder))).getValue())).isEqualTo(2);
        } finally {
            time.setAutomine(true);
        }
    }

    @Test
    void aDroppedTransactionLeavesThePoolAndItsNonceFreeAndAMinedOneCannotBeDropped() throws Exception {
        Credentials k = KEYS.keys().get(7);
        String holder = KEYS.keys().get(5).getAddress();
        BigInteger nonce = web3j.ethGetTransactionCount(k.getAddress(), DefaultBlockParameterName.LATEST).send().getTransactionCount();
        time.setAutomine(false);
        try {
            String raw = chain.signed(k, nonce, token, approve(holder, 3), 200_000, gwei(1), gwei(100));
            assertThat(web3j.ethSendRawTransaction(raw).send().hasError()).isFalse();

            assertThat(time.dropTransaction(Hash.sha3(raw))).as("it waited, so it is dropped").isTrue();
            assertThat(web3j.ethGetTransactionByHash(Hash.sha3(raw)).send().getTransaction()).as("gone from the pool").isEmpty();
            assertThat(web3j.ethGetTransactionCount(k.getAddress(), DefaultBlockParameterName.PENDING).send().getTransactionCount())
                    .as("its nonce is free again").isEqualTo(nonce);
            assertThat(time.dropTransaction(Hash.sha3(raw))).as("nothing left to drop").isFalse();

            assertThat(web3j.ethSendRawTransaction(raw).send().hasError()).as("the same signed bytes are accepted again").isFalse();
            time.mine();
            assertThat(receipt(raw)).hasValueSatisfying(r -> assertThat(r.isStatusOK()).isTrue());
            assertThatThrownBy(() -> time.dropTransaction(Hash.sha3(raw))).as("a mined transaction cannot be dropped")
                    .hasMessageContaining("mined");
        } finally {
            time.setAutomine(true);
        }
    }

    /**
     * A client sending several transactions at once, each under its own nonce, reaches the node in any order. With automine
     * off, one ahead of its sender's next nonce waits behind the gap (geth's and Hardhat's "queued" transactions): known by
     * its hash, replaceable by fee, left out of the pending count and of the blocks until the gap is filled; then the
     * whole run goes into one block in nonce order. Dropping a transaction in the middle puts those after it back behind a
     * gap. Checked against Hardhat's node 2.29 by hand (2026-12-06) before it ran here on both.
     */
    @Test
    void withAutomineOffATransactionAheadOfItsNonceWaitsBehindTheGapUntilItIsFilled() throws Exception {
        Credentials k = KEYS.keys().get(7);
        String holder = KEYS.keys().get(5).getAddress();
        BigInteger n = web3j.ethGetTransactionCount(k.getAddress(), DefaultBlockParameterName.LATEST).send().getTransactionCount();
        BigInteger one = BigInteger.ONE;
        BigInteger two = BigInteger.TWO;
        time.setAutomine(false);
        try {
            String ahead = chain.signed(k, n.add(one), token, approve(holder, 11), 200_000, gwei(1), gwei(100));
            EthSendTransaction sent = web3j.ethSendRawTransaction(ahead).send();
            assertThat(sent.hasError()).as("accepted behind the gap: %s", sent.getError() == null ? "" : sent.getError().getMessage()).isFalse();
            assertThat(sent.getTransactionHash()).isEqualTo(Hash.sha3(ahead));
            assertThat(web3j.ethGetTransactionCount(k.getAddress(), DefaultBlockParameterName.PENDING).send().getTransactionCount())
                    .as("the pending count stops at the gap").isEqualTo(n);
            assertThat(web3j.ethGetTransactionByHash(Hash.sha3(ahead)).send().getTransaction()).as("known by its hash, not mined")
                    .hasValueSatisfying(t -> assertThat(t.getBlockHash()).isNull());
            EthSendTransaction again = web3j.ethSendRawTransaction(ahead).send();
            assertThat(again.hasError()).as("the same bytes again").isTrue();
            assertThat(again.getError().getMessage()).containsIgnoringCase("known");
            EthSendTransaction cheap = web3j.ethSendRawTransaction(
                    chain.signed(k, n.add(one), token, approve(holder, 12), 200_000, gwei(1), gwei(105))).send();
            assertThat(cheap.hasError()).as("a 5 % bump does not replace it").isTrue();
            assertThat(cheap.getError().getMessage()).containsIgnoringCase("underpriced");
            String bumped = chain.signed(k, n.add(one), token, approve(holder, 13), 200_000, gwei(2), gwei(110));
            assertThat(web3j.ethSendRawTransaction(bumped).send().hasError()).as("10 % on both fees replaces it").isFalse();

            long height = chain.blockNumber();
            time.mine();
            assertThat(chain.blockNumber()).isEqualTo(height + 1);
            assertThat(receipt(bumped)).as("a block leaves it behind the gap").isEmpty();

            String filler = chain.signed(k, n, token, approve(holder, 14), 200_000, gwei(1), gwei(100));
            assertThat(web3j.ethSendRawTransaction(filler).send().hasError()).isFalse();
            assertThat(web3j.ethGetTransactionCount(k.getAddress(), DefaultBlockParameterName.PENDING).send().getTransactionCount())
                    .as("the gap filled, both count").isEqualTo(n.add(two));
            time.mine();
            TransactionReceipt first = receipt(filler).orElseThrow();
            TransactionReceipt second = receipt(bumped).orElseThrow();
            assertThat(second.getBlockNumber()).as("one block").isEqualTo(first.getBlockNumber());
            assertThat(second.getTransactionIndex()).as("in nonce order").isEqualTo(first.getTransactionIndex().add(one));
            assertThat(receipt(ahead)).as("the replaced one never is").isEmpty();
            assertThat(Numeric.toBigInt(chain.call(k.getAddress(), token,
                    Chain.encode("allowance", new Address(k.getAddress()), new Address(holder))).getValue())).isEqualTo(13);

            // a run of three; the middle one dropped: the last waits behind the gap again until the middle comes back
            BigInteger m = n.add(two);
            String a = chain.signed(k, m, token, approve(holder, 21), 200_000, gwei(1), gwei(100));
            String b = chain.signed(k, m.add(one), token, approve(holder, 22), 200_000, gwei(1), gwei(100));
            String c = chain.signed(k, m.add(two), token, approve(holder, 23), 200_000, gwei(1), gwei(100));
            for (String raw : List.of(c, a, b)) assertThat(web3j.ethSendRawTransaction(raw).send().hasError()).isFalse();
            assertThat(web3j.ethGetTransactionCount(k.getAddress(), DefaultBlockParameterName.PENDING).send().getTransactionCount())
                    .isEqualTo(m.add(BigInteger.valueOf(3)));
            assertThat(time.dropTransaction(Hash.sha3(b))).isTrue();
            assertThat(web3j.ethGetTransactionCount(k.getAddress(), DefaultBlockParameterName.PENDING).send().getTransactionCount())
                    .as("the count falls back to the dropped nonce").isEqualTo(m.add(one));
            assertThat(web3j.ethGetTransactionByHash(Hash.sha3(c)).send().getTransaction()).as("the one after it is still known").isPresent();
            time.mine();
            assertThat(receipt(a)).isPresent();
            assertThat(receipt(c)).as("behind the gap the drop left").isEmpty();
            assertThat(web3j.ethSendRawTransaction(b).send().hasError()).isFalse();
            time.mine();
            assertThat(receipt(c)).as("mined once the gap is filled").hasValueSatisfying(r -> assertThat(r.isStatusOK()).isTrue());
        } finally {
            time.setAutomine(true);
        }
    }

    /**
     * geth's state overrides, the third argument of eth_call: the code, balance and a storage slot set for one call, and
     * the chain as it was after it. The devnet used to ignore the argument and answer as if it were not there.
     */
    @Test
    void anEthCallWithStateOverridesSeesThemAndLeavesTheChainAsItWas() throws Exception {
        String at = "0x00000000000000000000000000000000000c0de1";
        // SELFBALANCE and slot 1, returned as two words: 47 600052 600154 602052 6040 6000 f3
        String code = "0x4760005260015460205260406000f3";
        String slot = "0x" + "0".repeat(63) + "1";
        java.util.Map<String, Object> overrides = java.util.Map.of(at, java.util.Map.of("code", code, "balance", "0x1234",
                "stateDiff", java.util.Map.of(slot, "0x" + "0".repeat(62) + "2a")));
        String answer = rpc("eth_call", List.of(java.util.Map.of("to", at), "latest", overrides)).asText();
        assertThat(answer).isEqualTo("0x" + "0".repeat(60) + "1234" + "0".repeat(62) + "2a");
        assertThat(web3j.ethGetCode(at, DefaultBlockParameterName.LATEST).send().getCode()).as("for that call only").isEqualTo("0x");
        assertThat(web3j.ethGetBalance(at, DefaultBlockParameterName.LATEST).send().getBalance()).isZero();
        assertThat(rpc("eth_call", List.of(java.util.Map.of("to", at), "latest")).asText()).as("without them, no code").isEqualTo("0x");
    }

    /**
     * eth_sendTransaction signs the envelope the request describes, as Hardhat's node does: a gas price alone makes a legacy
     * transaction that pays exactly that price, one with an access list an EIP-2930 transaction, and no {@code from} sends
     * from the first dev account. The devnet sent every one as EIP-1559 with the gas price as its fee cap (so it paid the
     * base fee plus a tip, not the price asked) and dropped the access list.
     */
    @Test
    void ethSendTransactionSignsTheEnvelopeItsFieldsDescribe() throws Exception {
        String sender = KEYS.keys().get(8).getAddress();
        String to = KEYS.keys().get(9).getAddress();
        BigInteger price = gwei(3);
        BigInteger before = web3j.ethGetBalance(sender, DefaultBlockParameterName.LATEST).send().getBalance();
        String legacy = rpc("eth_sendTransaction", List.of(java.util.Map.of("from", sender, "to", to, "value", "0x7",
                "gasPrice", Numeric.toHexStringWithPrefix(price)))).asText();
        var tx = web3j.ethGetTransactionByHash(legacy).send().getTransaction().orElseThrow();
        TransactionReceipt paid = web3j.ethGetTransactionReceipt(legacy).send().getTransactionReceipt().orElseThrow();
        assertThat(tx.getType()).isEqualTo("0x0");
        assertThat(tx.getGasPrice()).isEqualTo(price);
        assertThat(Numeric.decodeQuantity(paid.getEffectiveGasPrice())).as("the price asked, not base fee plus tip").isEqualTo(price);
        assertThat(web3j.ethGetBalance(sender, DefaultBlockParameterName.LATEST).send().getBalance())
                .isEqualTo(before.subtract(paid.getGasUsed().multiply(price)).subtract(BigInteger.valueOf(7)));

        String slot = "0x" + "0".repeat(64);
        String listed = rpc("eth_sendTransaction", List.of(java.util.Map.of("from", sender, "to", token, "data", approve(to, 5),
                "gasPrice", Numeric.toHexStringWithPrefix(price), "accessList", List.of(java.util.Map.of("address", token, "storageKeys",
                        List.of(slot)))))).asText();
        com.fasterxml.jackson.databind.JsonNode withList = rpc("eth_getTransactionByHash", List.of(listed));
        assertThat(withList.get("type").asText()).isEqualTo("0x1");
        assertThat(withList.get("accessList").get(0).get("address").asText()).isEqualToIgnoringCase(token);
        assertThat(withList.get("accessList").get(0).get("storageKeys").get(0).asText()).isEqualTo(slot);
        assertThat(web3j.ethGetTransactionReceipt(listed).send().getTransactionReceipt())
                .hasValueSatisfying(r -> assertThat(r.isStatusOK()).isTrue());

        String anonymous = rpc("eth_sendTransaction", List.of(java.util.Map.of("to", to, "value", "0x1"))).asText();
        assertThat(web3j.ethGetTransactionByHash(anonymous).send().getTransaction().orElseThrow().getFrom())
                .as("no from: the first dev account").isEqualToIgnoringCase(KEYS.first().getAddress());

        // an impersonated account's too: a gas price alone is a legacy transaction paying it
        ChainEdits edits = new ChainEdits(service);
        String stranger = "0x00000000000000000000000000000000000e0009";
        edits.setBalance(stranger, gwei(1_000_000_000L));
        edits.impersonate(stranger);
        String impersonated = rpc("eth_sendTransaction", List.of(java.util.Map.of("from", stranger, "to", to, "value", "0x1",
                "gasPrice", Numeric.toHexStringWithPrefix(price)))).asText();
        TransactionReceipt itsReceipt = web3j.ethGetTransactionReceipt(impersonated).send().getTransactionReceipt().orElseThrow();
        assertThat(itsReceipt.isStatusOK()).isTrue();
        assertThat(itsReceipt.getFrom()).isEqualToIgnoringCase(stranger);
        assertThat(Numeric.decodeQuantity(itsReceipt.getEffectiveGasPrice())).isEqualTo(price);
        assertThat(rpc("eth_getTransactionByHash", List.of(impersonated)).get("type").asText()).isEqualTo("0x0");
    }

    @Test
    void hardhatMetadataNamesTheChainTheInstanceAndWhereTheChainStands() throws Exception {
        chain.send(KEYS.first(), KEYS.keys().get(9).getAddress(), "0x", 21_000);
        com.fasterxml.jackson.databind.JsonNode meta = rpc("hardhat_metadata", List.of());
        var latest = web3j.ethGetBlockByNumber(DefaultBlockParameterName.LATEST, false).send().getBlock();
        assertThat(meta.get("chainId").asLong()).isEqualTo(31337);
        assertThat(meta.get("latestBlockNumber").asLong()).isEqualTo(latest.getNumber().longValueExact());
        assertThat(meta.get("latestBlockHash").asText()).isEqualTo(latest.getHash());
        assertThat(meta.get("instanceId").asText()).matches("0x[0-9a-f]{64}");
        assertThat(meta.get("clientVersion").asText()).isNotBlank();
        assertThat(rpc("hardhat_metadata", List.of()).get("instanceId")).as("the same run, the same instance").isEqualTo(meta.get("instanceId"));
    }

    @Test
    void hardhatMineMinesManyBlocksAtTheGivenIntervalAndTakesWhatWaitsInTheFirst() throws Exception {
        Credentials k = KEYS.keys().get(8);
        BigInteger nonce = web3j.ethGetTransactionCount(k.getAddress(), DefaultBlockParameterName.LATEST).send().getTransactionCount();
        long height = chain.blockNumber();
        String raw = chain.signed(k, nonce, token, approve(KEYS.keys().get(5).getAddress(), 4), 200_000, gwei(1), gwei(100));
        time.setAutomine(false);
        try {
            assertThat(web3j.ethSendRawTransaction(raw).send().hasError()).isFalse();
            time.mineBlocks(5, 12);
        } finally {
            time.setAutomine(true);
        }
        assertThat(chain.blockNumber()).isEqualTo(height + 5);
        long first = timestampOf(height + 1);
        for (int i = 2; i <= 5; i++) assertThat(timestampOf(height + i)).as("block %d", i).isEqualTo(first + 12L * (i - 1));
        assertThat(receipt(raw)).as("what waited goes into the first").hasValueSatisfying(r -> {
            assertThat(r.isStatusOK()).isTrue();
            assertThat(r.getBlockNumber()).isEqualTo(BigInteger.valueOf(height + 1));
        });
        assertThat(time.pendingTimestamp()).as("the clock counts on from the last block").isGreaterThan(first + 48);
        time.mineBlocks(1, 1);
        assertThat(chain.blockNumber()).isEqualTo(height + 6);
    }

    long timestampOf(long block) throws java.io.IOException {
        return web3j.ethGetBlockByNumber(DefaultBlockParameter.valueOf(BigInteger.valueOf(block)), false).send().getBlock()
                .getTimestamp().longValueExact();
    }

    @Test
    void overAWebSocketNewHeadsAndLogsArePushedForEachBlockUntilUnsubscribed() throws Exception {
        String approvalTopic = Numeric.toHexString(Hash.sha3("Approval(address,address,uint256)".getBytes()));
        String holder = KEYS.keys().get(5).getAddress();
        org.web3j.protocol.websocket.WebSocketService ws = new org.web3j.protocol.websocket.WebSocketService(webSocketUrl(), false);
        ws.connect();
        try {
            Web3j socket = Web3j.build(ws);
            assertThat(socket.ethChainId().send().getChainId()).as("a request over the socket").isEqualTo(BigInteger.valueOf(31337));
            List<org.web3j.protocol.websocket.events.NewHead> heads = new java.util.concurrent.CopyOnWriteArrayList<>();
            List<org.web3j.protocol.websocket.events.Log> logs = new java.util.concurrent.CopyOnWriteArrayList<>();
            var headsSub = socket.newHeadsNotifications().subscribe(n -> heads.add(n.getParams().getResult()));
            var logsSub = socket.logsNotifications(List.of(token), List.of(approvalTopic)).subscribe(n -> logs.add(n.getParams().getResult()));
            Thread.sleep(200); // the subscriptions' answers, before the block they should see

            TransactionReceipt r = chain.mined(KEYS.keys().get(9), token, approve(holder, 5), 200_000);
            long block = r.getBlockNumber().longValueExact();
            awaitUntil(() -> heads.stream().anyMatch(h -> Numeric.decodeQuantity(h.getNumber()).longValueExact() == block) && !logs.isEmpty());
            assertThat(heads).as("only blocks mined after subscribing").allSatisfy(h ->
                    assertThat(Numeric.decodeQuantity(h.getNumber()).longValueExact()).isGreaterThanOrEqualTo(block));
            org.web3j.protocol.websocket.events.NewHead head = heads.stream()
                    .filter(h -> Numeric.decodeQuantity(h.getNumber()).longValueExact() == block).findFirst().orElseThrow();
            assertThat(head.getHash()).isEqualTo(r.getBlockHash());
            assertThat(logs).singleElement().satisfies(l -> {
                assertThat(l.getAddress()).isEqualToIgnoringCase(token);
                assertThat(l.getTopics()).first().isEqualTo(approvalTopic);
                assertThat(l.getTransactionHash()).isEqualTo(r.getTransactionHash());
                assertThat(Numeric.decodeQuantity(l.getBlockNumber()).longValueExact()).isEqualTo(block);
            });

            headsSub.dispose();
            logsSub.dispose();
            Thread.sleep(200); // the unsubscribes, before the next block
            int seen = heads.size();
            time.mine();
            Thread.sleep(300);
            assertThat(heads).as("nothing after eth_unsubscribe").hasSize(seen);
        } finally {
            ws.close();
        }
    }

    @Test
    void eachTransactionThePoolAcceptsIsReportedOnceToASubscriptionAndToAPendingFilter() throws Exception {
        Credentials k = KEYS.keys().get(1);
        String holder = KEYS.keys().get(5).getAddress();
        org.web3j.protocol.websocket.WebSocketService ws = new org.web3j.protocol.websocket.WebSocketService(webSocketUrl(), false);
        ws.connect();
        try {
            List<String> pushed = new java.util.concurrent.CopyOnWriteArrayList<>();
            // web3j has no typed call for this kind: the subscription request as any client sends it
            var sub = ws.subscribe(new org.web3j.protocol.core.Request<>("eth_subscribe", List.of("newPendingTransactions"), ws,
                            org.web3j.protocol.core.methods.response.EthSubscribe.class), "eth_unsubscribe",
                    org.web3j.protocol.websocket.events.PendingTransactionNotification.class)
                    .subscribe(n -> pushed.add(n.getParams().getResult()));
            String filter = rpc("eth_newPendingTransactionFilter", List.of()).asText();
            Thread.sleep(200); // the subscription's answer, before the transactions it should see
            BigInteger nonce = web3j.ethGetTransactionCount(k.getAddress(), DefaultBlockParameterName.LATEST).send().getTransactionCount();
            String waiting;
            time.setAutomine(false);
            try {
                waiting = chain.signed(k, nonce, token, approve(holder, 1), 200_000, gwei(1), gwei(100));
                assertThat(web3j.ethSendRawTransaction(waiting).send().hasError()).isFalse();
                time.mine();
            } finally {
                time.setAutomine(true);
            }
            String automined = chain.signed(k, nonce.add(BigInteger.ONE), token, approve(holder, 2), 200_000, gwei(1), gwei(100));
            assertThat(web3j.ethSendRawTransaction(automined).send().hasError()).isFalse();
            List<String> expected = List.of(Hash.sha3(waiting), Hash.sha3(automined));
            awaitUntil(() -> pushed.size() >= 2);
            Thread.sleep(200); // a repeat would come now
            assertThat(pushed).as("each accepted transaction once, automined ones too").containsExactlyElementsOf(expected);
            assertThat(filterChanges(filter)).containsExactlyElementsOf(expected);
            assertThat(filterChanges(filter)).as("reported once").isEmpty();
            sub.dispose();
        } finally {
            ws.close();
        }
    }

    List<String> filterChanges(String id) throws java.io.IOException {
        return java.util.stream.StreamSupport.stream(rpc("eth_getFilterChanges", List.of(id)).spliterator(), false)
                .map(com.fasterxml.jackson.databind.JsonNode::asText).toList();
    }

    @Test
    void intervalMiningMinesWhatWaitsWhileAutomineIsOffAndStopsAtZero() throws Exception {
        Credentials k = KEYS.keys().get(1);
        BigInteger nonce = web3j.ethGetTransactionCount(k.getAddress(), DefaultBlockParameterName.LATEST).send().getTransactionCount();
        String raw = chain.signed(k, nonce, token, approve(KEYS.keys().get(5).getAddress(), 6), 200_000, gwei(1), gwei(100));
        time.setAutomine(false);
        try {
            assertThat(web3j.ethSendRawTransaction(raw).send().hasError()).isFalse();
            time.setIntervalMining(200);
            awaitUntil(() -> {
                try {
                    return receipt(raw).isPresent();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            time.setIntervalMining(0);
            Thread.sleep(250); // a block already due when it stopped
            long height = chain.blockNumber();
            Thread.sleep(600);
            assertThat(chain.blockNumber()).as("no block once stopped").isEqualTo(height);
        } finally {
            time.setIntervalMining(0);
            time.setAutomine(true);
        }
    }

    /** Runtime code that returns storage word 0: PUSH1 0 SLOAD PUSH1 0 MSTORE PUSH1 32 PUSH1 0 RETURN. */
    static final byte[] RETURNS_SLOT_0 = Numeric.hexStringToByteArray("0x60005460005260206000f3");

    @Test
    void accountEditsShowAtOnceWithoutABlockAndStayInTheNextOne() throws Exception {
        ChainEdits edits = new ChainEdits(service);
        String stranger = "0x00000000000000000000000000000000000e0001";
        String probe = "0x00000000000000000000000000000000000e0002";
        long height = chain.blockNumber();

        edits.setBalance(stranger, gwei(5_000_000_000L));
        edits.setNonce(stranger, 7);
        edits.setCode(probe, RETURNS_SLOT_0);
        edits.setStorageAt(probe, BigInteger.ZERO, BigInteger.valueOf(42));

        assertThat(chain.blockNumber()).as("no block is mined for an edit").isEqualTo(height);
        assertThat(web3j.ethGetBalance(stranger, DefaultBlockParameterName.LATEST).send().getBalance()).isEqualTo(gwei(5_000_000_000L));
        assertThat(web3j.ethGetTransactionCount(stranger, DefaultBlockParameterName.LATEST).send().getTransactionCount()).isEqualTo(7);
        assertThat(web3j.ethGetCode(probe, DefaultBlockParameterName.LATEST).send().getCode()).isEqualTo(Numeric.toHexString(RETURNS_SLOT_0));
        assertThat(Numeric.toBigInt(web3j.ethGetStorageAt(probe, BigInteger.ZERO, DefaultBlockParameterName.LATEST).send().getData()))
                .isEqualTo(42);
        assertThat(Numeric.toBigInt(chain.call(stranger, probe, "0x").getValue())).as("the planted code reads the planted word").isEqualTo(42);
        assertThatThrownBy(() -> edits.setNonce(stranger, 3)).as("a nonce cannot be lowered").hasMessageContaining("nonce");

        time.mine();
        assertThat(web3j.ethGetBalance(stranger, DefaultBlockParameterName.LATEST).send().getBalance()).as("kept by the next block")
                .isEqualTo(gwei(5_000_000_000L));
        assertThat(Numeric.toBigInt(chain.call(stranger, probe, "0x").getValue())).isEqualTo(42);
        assertThat(web3j.ethGetBalance(stranger, DefaultBlockParameter.valueOf(BigInteger.valueOf(height))).send().getBalance())
                .as("the state at the block that was the head includes the edits made then").isEqualTo(gwei(5_000_000_000L));
        assertThat(web3j.ethGetBalance(stranger, DefaultBlockParameter.valueOf(BigInteger.valueOf(height - 1))).send().getBalance())
                .as("and the block before it does not").isZero();
    }

    @Test
    void aSenderWhoseNonceIsRaisedSendsUnderTheNewNonceOnly() throws Exception {
        Credentials k = KEYS.keys().get(3);
        String holder = KEYS.keys().get(5).getAddress();
        assertThat(chain.mined(k, token, approve(holder, 1), 200_000).isStatusOK()).isTrue();
        BigInteger nonce = web3j.ethGetTransactionCount(k.getAddress(), DefaultBlockParameterName.LATEST).send().getTransactionCount();
        new ChainEdits(service).setNonce(k.getAddress(), nonce.longValueExact() + 5);
        assertThat(web3j.ethSendRawTransaction(chain.signed(k, nonce, token, approve(holder, 2), 200_000)).send().hasError())
                .as("the old nonce is used up").isTrue();
        EthSendTransaction sent = web3j.ethSendRawTransaction(chain.signed(k, nonce.add(BigInteger.valueOf(5)), token, approve(holder, 3),
                200_000)).send();
        assertThat(sent.hasError()).as(sent.getError() == null ? "" : sent.getError().getMessage()).isFalse();
        assertThat(web3j.ethGetTransactionCount(k.getAddress(), DefaultBlockParameterName.LATEST).send().getTransactionCount())
                .isEqualTo(nonce.add(BigInteger.valueOf(6)));
    }

    @Test
    void anImpersonatedAccountSendsWithoutItsKeyUntilImpersonationStops() throws Exception {
        ChainEdits edits = new ChainEdits(service);
        String stranger = "0x00000000000000000000000000000000000e0003";
        String holder = KEYS.keys().get(4).getAddress();
        var transfer = org.web3j.protocol.core.methods.request.Transaction.createEtherTransaction(
                stranger, null, null, BigInteger.valueOf(21_000), holder, gwei(1));
        assertThat(web3j.ethSendTransaction(transfer).send().hasError()).as("no key and not impersonated").isTrue();

        edits.setBalance(stranger, gwei(1_000_000_000L));
        edits.setNonce(stranger, 3);
        edits.impersonate(stranger);
        BigInteger before = web3j.ethGetBalance(holder, DefaultBlockParameterName.LATEST).send().getBalance();
        EthSendTransaction sent = web3j.ethSendTransaction(transfer).send();
        assertThat(sent.hasError()).as(sent.getError() == null ? "" : sent.getError().getMessage()).isFalse();
        TransactionReceipt r = web3j.ethGetTransactionReceipt(sent.getTransactionHash()).send().getTransactionReceipt().orElseThrow();
        assertThat(r.isStatusOK()).isTrue();
        assertThat(r.getFrom()).isEqualToIgnoringCase(stranger);
        var tx = web3j.ethGetTransactionByHash(sent.getTransactionHash()).send().getTransaction().orElseThrow();
        assertThat(tx.getFrom()).isEqualToIgnoringCase(stranger);
        assertThat(tx.getNonce()).as("the account's own nonce").isEqualTo(3);
        assertThat(web3j.ethGetBalance(holder, DefaultBlockParameterName.LATEST).send().getBalance()).isEqualTo(before.add(gwei(1)));

        String contract = "0x00000000000000000000000000000000000e0004";
        edits.setCode(contract, RETURNS_SLOT_0);
        edits.setBalance(contract, gwei(1_000_000_000L));
        edits.impersonate(contract);
        EthSendTransaction fromCode = web3j.ethSendTransaction(org.web3j.protocol.core.methods.request.Transaction.createEtherTransaction(
                contract, null, null, BigInteger.valueOf(21_000), holder, gwei(1))).send();
        assertThat(fromCode.hasError()).as("an account with code can be impersonated: " + (fromCode.getError() == null ? ""
                : fromCode.getError().getMessage())).isFalse();

        edits.stopImpersonating(stranger);
        assertThat(web3j.ethSendTransaction(transfer).send().hasError()).as("impersonation stopped").isTrue();
    }

    /** EIP-712's example mail, with an array of structs and an array of integers: what a signer must encode. */
    static final String TYPED_MAIL = """
            {"types":{"EIP712Domain":[{"name":"name","type":"string"},{"name":"version","type":"string"},
              {"name":"chainId","type":"uint256"},{"name":"verifyingContract","type":"address"}],
             "Person":[{"name":"name","type":"string"},{"name":"wallet","type":"address"}],
             "Mail":[{"name":"from","type":"Person"},{"name":"to","type":"Person[]"},{"name":"contents","type":"string"},
              {"name":"sizes","type":"uint64[]"},{"name":"digest","type":"bytes32"}]},
             "primaryType":"Mail",
             "domain":{"name":"Clearline","version":"1","chainId":31337,"verifyingContract":"0xcccccccccccccccccccccccccccccccccccccccc"},
             "message":{"from":{"name":"Cow","wallet":"0xcd2a3d9f938e13cd947ec05abc7fe734df8dd826"},
              "to":[{"name":"Bob","wallet":"0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"},{"name":"Eve","wallet":"0x00000000000000000000000000000000000000e0"}],
              "contents":"Hello, Bob!","sizes":[1,2,3],
              "digest":"0x1111111111111111111111111111111111111111111111111111111111111111"}}
            """;

    @Test
    void devAccountsSignMessagesAndTypedDataAsAWalletWould() throws Exception {
        Credentials k = KEYS.keys().get(2);
        byte[] message = "Clearline devnet".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        String expected = Chain.signature(org.web3j.crypto.Sign.signPrefixedMessage(message, k.getEcKeyPair()));
        assertThat(rpc("eth_sign", List.of(k.getAddress(), Numeric.toHexString(message))).asText()).isEqualTo(expected);
        assertThat(rpc("personal_sign", List.of(Numeric.toHexString(message), k.getAddress())).asText()).isEqualTo(expected);

        byte[] digest = new org.web3j.crypto.StructuredDataEncoder(TYPED_MAIL).hashStructuredData();
        String typed = rpc("eth_signTypedData_v4", List.of(k.getAddress(), TYPED_MAIL)).asText();
        assertThat(typed).as("the same digest signed with the same key (RFC 6979)")
                .isEqualTo(Chain.signature(org.web3j.crypto.Sign.signMessage(digest, k.getEcKeyPair(), false)));
        assertThatThrownBy(() -> rpc("eth_sign", List.of("0x00000000000000000000000000000000000e0006", "0x01")))
                .as("no key for it").isInstanceOf(IllegalStateException.class);
    }

    /** A raw JSON-RPC call; an error answer is an {@link IllegalStateException} with its message. */
    com.fasterxml.jackson.databind.JsonNode rpc(String method, List<?> params) throws java.io.IOException {
        AnyJson r = new org.web3j.protocol.core.Request<>(method, params, service, AnyJson.class).send();
        if (r.hasError()) throw new IllegalStateException(method + ": " + r.getError().getMessage());
        return r.getResult();
    }

    public static final class AnyJson extends org.web3j.protocol.core.Response<com.fasterxml.jackson.databind.JsonNode> {}

    /** Waits for {@code done}, asking every 20 ms up to 500 times (a bound on the wait, counted: no clock is read). */
    static void awaitUntil(java.util.function.BooleanSupplier done) throws InterruptedException {
        for (int asked = 0; !done.getAsBoolean(); asked++) {
            if (asked == 500) throw new AssertionError("not seen after 500 looks 20 ms apart");
            Thread.sleep(20);
        }
    }

    static String approve(String spender, long amount) {
        return Chain.encode("approve", new Address(spender), new Uint256(amount));
    }

    static BigInteger gwei(long n) {
        return BigInteger.valueOf(n).multiply(BigInteger.valueOf(1_000_000_000L));
    }

    java.util.Optional<TransactionReceipt> receipt(String raw) throws java.io.IOException {
        return web3j.ethGetTransactionReceipt(Hash.sha3(raw)).send().getTransactionReceipt();
    }

    static String pad(String address) {
        return "0x" + "0".repeat(24) + Numeric.cleanHexPrefix(address).toLowerCase();
    }
}
