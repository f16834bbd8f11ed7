package dev.clearline.devnet.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clearline.devnet.Devnet;
import dev.clearline.devnet.compat.Chain;
import dev.clearline.devnet.junit.DevnetContext;
import dev.clearline.devnet.junit.WithDevnet;
import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.TransactionEncoder;
import org.web3j.utils.Numeric;

/**
 * Malformed and abusive requests get the JSON-RPC error a wallet expects, the node keeps
 * serving, and nothing already mined changes (block hashes compared before and after).
 */
@WithDevnet
class BadInputTest {
    private final ObjectMapper json = new ObjectMapper();
    private RpcDispatcher rpc;
    private List<String> hashesBefore;

    @BeforeEach
    void recordChain(DevnetContext ctx) {
        rpc = ctx.devnet().dispatcher();
        hashesBefore = hashes(ctx.devnet());
    }

    @AfterEach
    void chainUnchangedAndStillServing(DevnetContext ctx) throws Exception {
        assertThat(hashes(ctx.devnet())).isEqualTo(hashesBefore);
        assertThat(request("eth_chainId", "[]").get("result").asText()).isEqualTo("0x7a69");
    }

    private static List<String> hashes(Devnet d) {
        return java.util.stream.LongStream.rangeClosed(0, d.node().blockNumber())
                .mapToObj(n -> d.node().block(n).orElseThrow().hash()).toList();
    }

    private JsonNode raw(String body) throws Exception {
        return json.readTree(rpc.handle(body));
    }

    private JsonNode request(String method, String params) throws Exception {
        return raw("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"" + method + "\",\"params\":" + params + "}");
    }

    private JsonNode sendRaw(String hex) throws Exception {
        return request("eth_sendRawTransaction", "[\"" + hex + "\"]");
    }

    private static String sign(Credentials key, long chainId, long nonce, long gas, long maxFee, long tip, String to, BigInteger value, String data) {
        RawTransaction tx = RawTransaction.createTransaction(chainId, BigInteger.valueOf(nonce), BigInteger.valueOf(gas), to, value, data,
                BigInteger.valueOf(tip), BigInteger.valueOf(maxFee));
        return Numeric.toHexString(TransactionEncoder.signMessage(tx, chainId, key));
    }

    private static void assertError(JsonNode response, int code, String messagePart) {
        assertThat(response.has("result")).as(response.toString()).isFalse();
        assertThat(response.get("error").get("code").asInt()).as(response.toString()).isEqualTo(code);
        assertThat(response.get("error").get("message").asText()).containsIgnoringCase(messagePart);
    }

    @Test
    void malformedJsonIsAParseError() throws Exception {
        JsonNode r = raw("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":");
        assertError(r, -32700, "parse error");
        assertThat(r.get("id").isNull()).isTrue();
    }

    @Test
    void requestsWithoutAMethodAndEmptyBatchesAreInvalid() throws Exception {
        assertError(raw("{\"jsonrpc\":\"2.0\",\"id\":1}"), -32600, "method");
        assertError(raw("[]"), -32600, "empty batch");
        assertError(raw("42"), -32600, "object");
    }

    @Test
    void unknownMethodsAreNotFound() throws Exception {
        assertError(request("eth_mineGold", "[]"), -32601, "eth_mineGold");
    }

    @Test
    void wrongParamsNameTheArgument() throws Exception {
        assertError(request("eth_getBalance", "[\"0x12\", \"latest\"]"), -32602, "address");
        assertError(request("eth_getBlockByNumber", "[]"), -32602, "missing argument 0");
        assertError(request("eth_call", "[\"not an object\"]"), -32602, "object");
        assertError(request("eth_sendRawTransaction", "[\"0xzz\"]"), -32602, "hex");
        assertError(request("evm_setAutomine", "[\"no\"]"), -32602, "evm_setAutomine takes true or false");
        assertError(request("evm_setAutomine", "[]"), -32602, "evm_setAutomine takes true or false");
        assertError(request("hardhat_setNextBlockBaseFeePerGas", "[\"-0x1\"]"), -32602, "argument 0");
        assertError(request("hardhat_dropTransaction", "[\"0x12\"]"), -32602, "must be a 32-byte hex hash");
        assertError(request("hardhat_mine", "[\"0x0\"]"), -32602, "mines 1 to 100000 blocks per call");
        assertError(request("eth_subscribe", "[\"newHeads\"]"), -32601, "needs a WebSocket connection");
        assertError(request("evm_setIntervalMining", "[[1000, 2000]]"), -32602, "a random range [min, max] is not served");
        assertError(request("evm_setIntervalMining", "[-5]"), -32602, "one interval in milliseconds (0 stops it)");
        assertError(request("hardhat_mine", "[\"0x2\", \"0x0\"]"), -32602, "interval must be at least 1 second");
        String someone = "\"0x00000000000000000000000000000000000e0005\"";
        assertError(request("hardhat_setStorageAt", "[" + someone + ", \"0x0\", \"0x2a\"]"), -32602, "one 32-byte word");
        assertError(request("hardhat_setStorageAt", "[" + someone + ", \"0x0\", \"0x1\"]"), -32602, "one 32-byte word");
        assertError(request("hardhat_setBalance", "[" + someone + ", \"0x1" + "0".repeat(64) + "\"]"), -32602, "0 to 2^256-1 wei");
        assertError(request("anvil_setCode", "[" + someone + ", \"0xzz\"]"), -32602, "hex");
        assertError(request("eth_signTypedData_v4", "[\"0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266\", \"{}\"]"), -32602,
                "not EIP-712 typed data");
        assertError(request("eth_sign", "[" + someone + ", \"0x01\"]"), -32000, "signs only for its dev accounts");
        assertError(request("hardhat_reset", "[{\"forking\":{\"jsonRpcUrl\":\"http://127.0.0.1:1\"}}]"), -32602, "cannot fork another chain");
        assertError(request("hardhat_setPrevRandao", "[\"0x01\"]"), -32602, "one 32-byte word");
        assertError(request("eth_feeHistory", "[\"0x1\", \"latest\", [101]]"), -32602, "a reward percentile is a number from 0 to 100");
        assertError(request("eth_feeHistory", "[\"0x1\", \"latest\", [50, 10]]"), -32602, "in increasing order, got 10 after 50");
        assertError(request("eth_call", "[{\"to\":" + someone + ",\"input\":\"0x01\",\"data\":\"0x02\"}, \"latest\"]"), -32602,
                "both input and data are set and differ");
        assertError(request("eth_call", "[{\"to\":" + someone + "}, \"latest\", [1]]"), -32602, "the state overrides) must be an object");
        String devFrom = "{\"from\":\"0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266\",\"to\":" + someone;
        assertError(request("eth_sendTransaction", "[" + devFrom + ",\"type\":\"0x3\"}]"), -32602, "without blob transactions");
        assertError(request("eth_sendTransaction", "[" + devFrom + ",\"gasPrice\":\"0x1\",\"maxFeePerGas\":\"0x2\"}]"), -32602,
                "gasPrice and maxFeePerGas/maxPriorityFeePerGas are both set");
        assertError(request("eth_sendTransaction", "[" + devFrom + ",\"type\":\"0x0\",\"accessList\":[{\"address\":" + someone + "}]}]"),
                -32602, "carries no access list");
        assertError(request("eth_sendTransaction", "[" + devFrom + ",\"accessList\":[{\"address\":" + someone + ",\"storageKeys\":[\"0x01\"]}]}]"),
                -32602, "a storage key of the access list is a 32-byte word");
        assertError(request("evm_setBlockGasLimit", "[\"0x0\"]"), -32602, "holds no transaction");
        String dev = "\"0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266\"";
        String domain = "\"EIP712Domain\":[{\"name\":\"name\",\"type\":\"string\"}]";
        assertError(request("eth_signTypedData_v4", "[" + dev + ", \"not json\"]"), -32602, "typed data in JSON");
        assertError(request("eth_signTypedData_v4", "[" + dev + ", {\"types\":{" + domain + ",\"X\":[{\"name\":\"a\",\"type\":\"Y\"}]},"
                + "\"primaryType\":\"X\",\"domain\":{\"name\":\"n\"},\"message\":{\"a\":1}}]"), -32602, "neither a Solidity type nor defined");
        JsonNode tooBig = request("eth_signTypedData_v4", "[" + dev + ", {\"types\":{" + domain + ",\"X\":[{\"name\":\"a\",\"type\":\"uint8\"}]},"
                + "\"primaryType\":\"X\",\"domain\":{\"name\":\"n\"},\"message\":{\"a\":300}}]");
        assertError(tooBig, -32602, "cannot be hashed as EIP-712 typed data");
        assertThat(tooBig.toString()).doesNotContain("java.", "Exception");
        assertError(request("eth_sendTransaction", "[{\"from\":" + someone + ",\"to\":" + someone + "}]"), -32000,
                "hardhat_impersonateAccount");
    }

    @Test
    void batchesAnswerEachRequestIncludingItsErrors() throws Exception {
        JsonNode r = raw("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_chainId\"},{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"nope\"},"
                + "{\"jsonrpc\":\"2.0\",\"method\":\"eth_chainId\"}]");
        assertThat(r.isArray()).isTrue();
        assertThat(r).hasSize(2);
        assertThat(r.get(0).get("result").asText()).isEqualTo("0x7a69");
        assertThat(r.get(1).get("error").get("code").asInt()).isEqualTo(-32601);
    }

    @Test
    void garbageAndTamperedSignaturesAreRefused(DevnetContext ctx) throws Exception {
        assertError(sendRaw("0x02c0"), -32000, "");
        String good = sign(ctx.key(1), 31337, 0, 21_000, 10_000_000_000L, 1, ctx.key(2).getAddress(), BigInteger.ONE, "");
        byte[] bytes = Numeric.hexStringToByteArray(good);
        bytes[bytes.length - 5] ^= 0x55; // inside s: recovers another sender or none
        JsonNode tampered = sendRaw(Numeric.toHexString(bytes));
        if (tampered.has("error")) {
            assertThat(tampered.get("error").get("code").asInt()).isEqualTo(-32000);
        } else {
            // A tweaked signature that still recovers yields an unfunded stranger: refused for funds.
            throw new AssertionError("tampered signature was accepted: " + tampered);
        }
    }

    @Test
    void wrongChainIdIsRefused(DevnetContext ctx) throws Exception {
        assertError(sendRaw(sign(ctx.key(1), 1, 0, 21_000, 10_000_000_000L, 1, ctx.key(2).getAddress(), BigInteger.ONE, "")),
                -32000, "chain id");
    }

    @Test
    void nonceTooLowAndNonceGapAreRefused(DevnetContext ctx) throws Exception {
        Credentials k = ctx.key(1);
        String first = sign(k, 31337, 0, 21_000, 10_000_000_000L, 1, ctx.key(2).getAddress(), BigInteger.ONE, "");
        hashesBefore = null;
        assertThat(sendRaw(first).has("result")).isTrue();
        hashesBefore = hashes(ctx.devnet());
        assertError(sendRaw(first), -32000, "nonce too low");
        assertError(sendRaw(sign(k, 31337, 5, 21_000, 10_000_000_000L, 1, ctx.key(2).getAddress(), BigInteger.ONE, "")), -32000, "nonce too high");
    }

    @Test
    void underpricedOverLimitIntrinsicAndUnfundedAreRefused(DevnetContext ctx) throws Exception {
        String to = ctx.key(2).getAddress();
        assertError(sendRaw(sign(ctx.key(1), 31337, 0, 21_000, 1, 1, to, BigInteger.ONE, "")), -32000, "base fee");
        assertError(sendRaw(sign(ctx.key(1), 31337, 0, 30_000_001, 10_000_000_000L, 1, to, BigInteger.ONE, "")), -32000, "block gas limit");
        assertError(sendRaw(sign(ctx.key(1), 31337, 0, 20_000, 10_000_000_000L, 1, to, BigInteger.ONE, "")), -32000, "intrinsic gas too low");
        assertError(sendRaw(sign(ctx.key(1), 31337, 0, 21_000, 10_000_000_000L, 1, to, new BigInteger("100000000000000000000000"), "")),
                -32000, "insufficient funds");
        Credentials stranger = Credentials.create("0x" + "11".repeat(32));
        assertError(sendRaw(sign(stranger, 31337, 0, 21_000, 10_000_000_000L, 1, to, BigInteger.ZERO, "")), -32000, "insufficient funds");
    }

    @Test
    void revertsComeBackAsCode3WithReasonAndData(DevnetContext ctx) throws Exception {
        String token = ctx.address("TestCollateral");
        String pauper = ctx.key(5).getAddress();
        JsonNode r = request("eth_call", "[{\"from\":\"" + pauper + "\",\"to\":\"" + token + "\",\"data\":\""
                + Chain.transfer(ctx.key(6).getAddress(), 5) + "\"}, \"latest\"]");
        assertError(r, 3, "execution reverted");
        assertThat(r.get("error").get("data").asText()).startsWith("0xdb42144d");
        // Error(string) reasons are spelled out: init code that reverts with "foo".
        String revertFoo = "0x" + "7f08c379a0000000000000000000000000000000000000000000000000000000006000526020600452"
                + "6003602452" + "7f666f6f0000000000000000000000000000000000000000000000000000000000604452" + "60646000fd";
        JsonNode foo = request("eth_call", "[{\"data\":\"" + revertFoo + "\"}]");
        assertError(foo, 3, "execution reverted: foo");
        JsonNode est = request("eth_estimateGas", "[{\"data\":\"" + revertFoo + "\"}]");
        assertError(est, 3, "execution reverted: foo");
    }
}
