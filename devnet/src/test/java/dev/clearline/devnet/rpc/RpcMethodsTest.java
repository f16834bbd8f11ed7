package dev.clearline.devnet.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clearline.devnet.Devnet;
import dev.clearline.devnet.compat.Chain;
import dev.clearline.devnet.junit.DevnetContext;
import dev.clearline.devnet.junit.TimeTravel;
import dev.clearline.devnet.junit.WithDevnet;
import dev.clearline.devnet.node.NodeConfig;
import java.math.BigInteger;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Hash;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.TransactionEncoder;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.rlp.RlpEncoder;
import org.web3j.rlp.RlpList;
import org.web3j.rlp.RlpString;
import org.web3j.utils.Numeric;

/** The methods beyond the smoke suite: traces, proofs, fee history, legacy transactions, interval mining. */
@WithDevnet
class RpcMethodsTest {
    private final ObjectMapper json = new ObjectMapper();

    private JsonNode call(DevnetContext ctx, String method, String params) throws Exception {
        return json.readTree(ctx.devnet().dispatcher().handle("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"" + method + "\",\"params\":" + params + "}"));
    }

    private TransactionReceipt mintTo(DevnetContext ctx, String who, long amount) throws Exception {
        return new Chain(ctx.web3j(), 31337).mined(ctx.deployer(), ctx.address("TestCollateral"), Chain.mint(who, amount), 200_000);
    }

    @Test
    void theTxpoolMethodsShowWhatWaitsBySenderAndNonce(DevnetContext ctx) throws Exception {
        String from = ctx.key(3).getAddress().toLowerCase();
        BigInteger nonce = ctx.web3j().ethGetTransactionCount(from, org.web3j.protocol.core.DefaultBlockParameterName.LATEST).send()
                .getTransactionCount();
        TimeTravel time = ctx.time();
        time.setAutomine(false);
        try {
            Chain chain = new Chain(ctx.web3j(), 31337);
            // nonces 0, 1 and 3: the last waits behind the gap at 2 (geth's "queued")
            String last = null;
            for (int i : new int[] {0, 1, 3}) {
                last = chain.signed(ctx.key(3), nonce.add(BigInteger.valueOf(i)), "0x00000000000000000000000000000000000000b0", "0x", 21_000);
                assertThat(ctx.web3j().ethSendRawTransaction(last).send().hasError()).isFalse();
            }
            JsonNode status = call(ctx, "txpool_status", "[]").get("result");
            assertThat(status.get("pending").asText()).isEqualTo("0x2");
            assertThat(status.get("queued").asText()).isEqualTo("0x1");
            String gapped = nonce.add(BigInteger.valueOf(3)).toString();
            assertThat(call(ctx, "txpool_content", "[]").get("result").get("queued").get(from).get(gapped).get("nonce").asText())
                    .isEqualTo(org.web3j.utils.Numeric.toHexStringWithPrefix(nonce.add(BigInteger.valueOf(3))));
            assertThat(call(ctx, "txpool_inspect", "[]").get("result").get("queued").get(from).has(gapped)).isTrue();
            JsonNode content = call(ctx, "txpool_content", "[]").get("result");
            JsonNode mine = content.get("pending").get(from);
            assertThat(mine.size()).isEqualTo(2);
            assertThat(mine.get(nonce.toString()).get("nonce").asText()).isEqualTo(org.web3j.utils.Numeric.toHexStringWithPrefix(nonce));
            assertThat(mine.get(nonce.toString()).get("blockHash").isNull()).isTrue();
            assertThat(call(ctx, "txpool_inspect", "[]").get("result").get("pending").get(from).get(nonce.toString()).asText())
                    .startsWith("0x00000000000000000000000000000000000000b0: 0 wei + 21000 gas × ");
            time.mine();
            assertThat(call(ctx, "txpool_status", "[]").get("result").get("pending").asText()).as("mined, so no longer waiting").isEqualTo("0x0");
            assertThat(call(ctx, "txpool_status", "[]").get("result").get("queued").asText()).as("still behind its gap").isEqualTo("0x1");
            assertThat(time.dropTransaction(org.web3j.crypto.Hash.sha3(last))).isTrue();
            assertThat(call(ctx, "txpool_status", "[]").get("result").get("queued").asText()).isEqualTo("0x0");
        } finally {
            time.setAutomine(true);
        }
    }

    @Test
    void traceTransactionGivesStructLogsAndTheCallTree(DevnetContext ctx) throws Exception {
        TransactionReceipt r = mintTo(ctx, ctx.key(1).getAddress(), 10);
        JsonNode steps = call(ctx, "debug_traceTransaction", "[\"" + r.getTransactionHash() + "\"]").get("result");
        assertThat(steps.get("failed").asBoolean()).isFalse();
        assertThat(steps.get("structLogs").size()).isGreaterThan(50);
        assertThat(steps.get("structLogs").findValuesAsText("op")).contains("SSTORE", "LOG3");
        assertThat(steps.get("gas").asLong()).isEqualTo(r.getGasUsed().longValueExact());
        JsonNode tree = call(ctx, "debug_traceTransaction", "[\"" + r.getTransactionHash() + "\", {\"tracer\":\"callTracer\"}]").get("result");
        assertThat(tree.get("type").asText()).isEqualTo("CALL");
        assertThat(tree.get("to").asText()).isEqualToIgnoringCase(ctx.address("TestCollateral"));
        assertThat(tree.get("from").asText()).isEqualToIgnoringCase(ctx.deployer().getAddress());
    }

    @Test
    void traceCallShowsARevertWithoutMining(DevnetContext ctx) throws Exception {
        long before = ctx.devnet().node().blockNumber();
        String data = Chain.transfer(ctx.key(2).getAddress(), 1);
        JsonNode tree = call(ctx, "debug_traceCall", "[{\"from\":\"" + ctx.key(9).getAddress() + "\",\"to\":\"" + ctx.address("TestCollateral")
                + "\",\"data\":\"" + data + "\"}, \"latest\", {\"tracer\":\"callTracer\"}]").get("result");
        assertThat(tree.get("error").asText()).contains("revert");
        assertThat(tree.get("output").asText()).startsWith("0xdb42144d");
        assertThat(ctx.devnet().node().blockNumber()).isEqualTo(before);
    }

    @Test
    void getProofCommitsToTheStateRootOfTheBlock(DevnetContext ctx) throws Exception {
        mintTo(ctx, ctx.key(1).getAddress(), 10);
        JsonNode proof = call(ctx, "eth_getProof", "[\"" + ctx.address("TestCollateral") + "\", [\"0x0\"], \"latest\"]").get("result");
        String stateRoot = ctx.devnet().node().head().stateRoot();
        String firstNode = proof.get("accountProof").get(0).asText();
        // The first node of an account proof is the state trie's root node: its hash is the state root.
        assertThat(Numeric.toHexString(Hash.sha3(Numeric.hexStringToByteArray(firstNode)))).isEqualTo(stateRoot);
        assertThat(proof.get("storageProof").get(0).get("value").asText()).isEqualTo("0xa"); // totalSupply
    }

    @Test
    void feeHistoryReportsBaseFeesAndRatiosPerBlock(DevnetContext ctx) throws Exception {
        mintTo(ctx, ctx.key(1).getAddress(), 10);
        JsonNode h = call(ctx, "eth_feeHistory", "[\"0x2\", \"latest\", [50]]").get("result");
        assertThat(h.get("baseFeePerGas")).hasSize(3);
        assertThat(h.get("gasUsedRatio")).hasSize(2);
        assertThat(h.get("reward").get(1).get(0).asText()).isEqualTo("0x3b9aca00"); // the 1 gwei tip Chain pays
        BigInteger next = Numeric.decodeQuantity(h.get("baseFeePerGas").get(2).asText());
        assertThat(next).isEqualTo(ctx.devnet().node().nextBaseFee());
    }

    @Test
    void legacyEip155TransactionsAreAcceptedAndReportedAsType0(DevnetContext ctx) throws Exception {
        RawTransaction tx = RawTransaction.createEtherTransaction(BigInteger.ZERO, BigInteger.valueOf(5_000_000_000L), BigInteger.valueOf(21_000),
                ctx.key(7).getAddress(), BigInteger.TEN);
        String hash = ctx.web3j().ethSendRawTransaction(Numeric.toHexString(TransactionEncoder.signMessage(tx, 31337L, ctx.key(6)))).send()
                .getTransactionHash();
        var seen = ctx.web3j().ethGetTransactionByHash(hash).send().getTransaction().orElseThrow();
        assertThat(seen.getFrom()).isEqualToIgnoringCase(ctx.key(6).getAddress());
        assertThat(seen.getChainId()).isEqualTo(31337L);
        assertThat(ctx.web3j().ethGetTransactionReceipt(hash).send().getTransactionReceipt().orElseThrow().getType()).isEqualTo("0x0");
    }

    @Test
    void blockHashesAreKeccakOfTheRlpHeaderWithAnMptTransactionsRoot(DevnetContext ctx) throws Exception {
        TransactionReceipt r = mintTo(ctx, ctx.key(1).getAddress(), 10);
        var b = ctx.devnet().node().block(r.getBlockNumber().longValueExact()).orElseThrow();
        // A one-transaction trie is a single leaf: key rlp(0) = 0x80 -> nibbles 8,0 -> hex-prefix 0x20 0x80.
        byte[] leaf = RlpEncoder.encode(new RlpList(RlpString.create(new byte[] {0x20, (byte) 0x80}), RlpString.create(b.transactions().get(0).raw())));
        assertThat(b.transactionsRoot()).isEqualTo(Numeric.toHexString(Hash.sha3(leaf)));
    }

    @Test
    void intervalMiningPutsSeveralTransactionsInOneBlock() throws Exception {
        AtomicLong clock = new AtomicLong(1_700_000_000L);
        try (Devnet d = Devnet.start(Devnet.Options.inProcess(NodeConfig.defaults(clock::get)).withBlockTime(Duration.ofHours(1)))) {
            Chain chain = new Chain(d.web3j(), 31337);
            String a = chain.send(d.accounts().first(), d.accounts().keys().get(1).getAddress(), "0x", 21_000).getTransactionHash();
            String b = chain.send(d.accounts().first(), d.accounts().keys().get(1).getAddress(), "0x", 21_000).getTransactionHash();
            assertThat(d.node().blockNumber()).isZero();
            assertThat(d.web3j().ethGetTransactionReceipt(a).send().getTransactionReceipt()).isEmpty();
            assertThat(d.web3j().ethGetTransactionByHash(b).send().getTransaction().orElseThrow().getBlockHash()).isNull();
            d.node().mine(null);
            var ra = d.web3j().ethGetTransactionReceipt(a).send().getTransactionReceipt().orElseThrow();
            var rb = d.web3j().ethGetTransactionReceipt(b).send().getTransactionReceipt().orElseThrow();
            assertThat(ra.getBlockNumber()).isEqualTo(rb.getBlockNumber()).isEqualTo(BigInteger.ONE);
            assertThat(rb.getCumulativeGasUsed()).isEqualTo(BigInteger.valueOf(42_000));

            // the same transactions by their place in the block (what a reader of logs asks a node that keeps no
            // index by hash for old blocks), and null past the block's end or for a block the node does not have
            var w = d.web3j();
            String block = ra.getBlockHash();
            assertThat(w.ethGetTransactionByBlockHashAndIndex(block, BigInteger.ONE).send().getTransaction().orElseThrow().getHash()).isEqualTo(b);
            assertThat(w.ethGetTransactionByBlockNumberAndIndex(DefaultBlockParameter.valueOf(BigInteger.ONE), BigInteger.ZERO).send()
                    .getTransaction().orElseThrow().getHash()).isEqualTo(a);
            assertThat(w.ethGetTransactionByBlockHashAndIndex(block, BigInteger.ZERO).send().getTransaction().orElseThrow().getTransactionIndex())
                    .isZero();
            var pastEnd = w.ethGetTransactionByBlockHashAndIndex(block, BigInteger.TWO).send();
            assertThat(pastEnd.hasError()).isFalse();
            assertThat(pastEnd.getTransaction()).isEmpty();
            String unknown = "0x" + "ab".repeat(32);
            var noBlock = w.ethGetTransactionByBlockHashAndIndex(unknown, BigInteger.ZERO).send();
            assertThat(noBlock.hasError()).isFalse();
            assertThat(noBlock.getTransaction()).isEmpty();
            assertThat(w.ethGetBlockTransactionCountByHash(block).send().getTransactionCount()).isEqualTo(BigInteger.TWO);
            assertThat(w.ethGetBlockTransactionCountByHash(unknown).send().getResult()).isNull();
            assertThat(w.ethGetUncleCountByBlockHash(block).send().getUncleCount()).isZero();
            assertThat(w.ethGetUncleCountByBlockNumber(DefaultBlockParameter.valueOf(BigInteger.ONE)).send().getUncleCount()).isZero();
        }
    }

    @Test
    void nodeInfoTellsTheRulesAndHowFastTheClockRuns(DevnetContext ctx) throws Exception {
        JsonNode info = call(ctx, "clearline_nodeInfo", "[]").get("result");
        assertThat(info.get("evmRules").asText()).isEqualTo("shanghai");
        assertThat(info.get("blockGasLimit").asText()).isEqualTo("0x1c9c380");
        assertThat(info.get("timeSpeed").asLong()).isEqualTo(1);
        try (Devnet d = Devnet.start(Devnet.Options.inProcess(NodeConfig.defaults(() -> 1_700_000_000L).withTimeSpeed(20)))) {
            JsonNode fast = json.readTree(d.dispatcher().handle("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"clearline_nodeInfo\",\"params\":[]}"));
            assertThat(fast.get("result").get("timeSpeed").asLong()).isEqualTo(20);
        }
    }

    @Test
    void stateOverridesReachEstimateGasAndAWholeStorageReplacementIsRefusedNamingWhatToUse(DevnetContext ctx) throws Exception {
        String poor = "0x00000000000000000000000000000000000b0b01";
        String transfer = "{\"from\":\"" + poor + "\",\"to\":\"0x00000000000000000000000000000000000000b0\",\"value\":\"0x1\"}";
        JsonNode without = call(ctx, "eth_estimateGas", "[" + transfer + ", \"latest\"]");
        assertThat(without.get("error").get("message").asText()).as("it holds nothing").contains("has 0 wei, the message sends 1");
        JsonNode with = call(ctx, "eth_estimateGas", "[" + transfer + ", \"latest\", {\"" + poor + "\": {\"balance\": \"0xde0b6b3a7640000\"}}]");
        assertThat(with.get("result").asText()).as("funded for the estimate alone").isEqualTo("0x5208");
        assertThat(ctx.web3j().ethGetBalance(poor, org.web3j.protocol.core.DefaultBlockParameterName.LATEST).send().getBalance()).isZero();

        JsonNode whole = call(ctx, "eth_call", "[" + transfer + ", \"latest\", {\"" + poor + "\": {\"state\": {}}}]");
        assertThat(whole.get("error").get("code").asInt()).isEqualTo(-32602);
        assertThat(whole.get("error").get("message").asText()).contains("state (the whole storage replaced) is not supported")
                .contains("stateDiff");
        JsonNode unknown = call(ctx, "eth_call", "[" + transfer + ", \"latest\", {\"" + poor + "\": {\"movePrecompileToAddress\": \"0x01\"}}]");
        assertThat(unknown.get("error").get("message").asText()).contains("takes balance, nonce, code and stateDiff");

        // go-ethereum's state keeps no storage for an empty account: said as such, not as libevm's internal error
        String word = "\"0x" + "0".repeat(63) + "1\"";
        JsonNode slotOnly = call(ctx, "eth_call", "[{\"to\":\"" + poor + "\"}, \"latest\", {\"" + poor + "\": {\"stateDiff\": {" + word + ": " + word + "}}}]");
        assertThat(slotOnly.get("error").get("code").asInt()).isEqualTo(-32602);
        assertThat(slotOnly.get("error").get("message").asText()).contains("it is an empty account")
                .contains("a balance or code override beside its stateDiff");
        JsonNode funded = call(ctx, "eth_call", "[{\"to\":\"" + poor + "\"}, \"latest\", {\"" + poor + "\": {\"stateDiff\": {" + word + ": " + word
                + "}, \"balance\": \"0x1\"}}]");
        assertThat(funded.get("result").asText()).as("with a balance beside it, whatever the order").isEqualTo("0x");
        JsonNode setStorage = call(ctx, "hardhat_setStorageAt", "[\"" + poor + "\", " + word + ", " + word + "]");
        assertThat(setStorage.get("error").get("code").asInt()).isEqualTo(-32602);
        assertThat(setStorage.get("error").get("message").asText()).contains("it is an empty account")
                .contains("hardhat_setBalance or hardhat_setCode").doesNotContain("StateSetStorage");
    }
}
