package dev.clearline.devnet;

import dev.clearline.contracts.Artifacts;
import dev.clearline.devnet.node.NodeConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.TransactionEncoder;
import org.web3j.utils.Numeric;

/**
 * A short run of what {@code clearline devnet} does in its first minutes (start, serve JSON-RPC
 * over HTTP, deploy a contract, accept signed token transfers and ether transfers, answer calls,
 * receipts and blocks), for the JVM to record: the launcher runs it once per build under
 * {@code -XX:AOTCacheOutput} (JDK 25) or {@code -XX:ArchiveClassesAtExit} (JDK 21-24). Later
 * starts load and link those classes from the cache instead of the jar, and on JDK 25 the cache
 * also carries the method profiles of this run, so the JIT compiles the request path with them
 * from the first requests instead of first profiling it under load.
 *
 * <p>The load is what a user's first session sends: some hundreds of contract transactions and
 * calls. Signing happens before the node is asked, as a client would. Exits 0 when every request
 * was answered.
 */
public final class StartupTraining {
    /** Enough requests for the request path to reach the JIT's profiling tier, few enough to take seconds. */
    private static final int TRANSFERS = 1_500;
    private static final int CALLS = 1_500;

    private StartupTraining() {}

    public static void main(String[] args) throws Exception {
        NodeConfig config = NodeConfig.defaults(() -> System.currentTimeMillis() / 1000);
        try (Devnet devnet = Devnet.start(Devnet.Options.http(config, 0))) {
            Rpc rpc = new Rpc(devnet.rpcUrl());
            Credentials owner = devnet.accounts().first();
            Credentials sender = devnet.accounts().keys().get(1);
            String receiver = devnet.accounts().addresses().get(2);
            long chainId = config.chainId();
            byte[] init = Artifacts.onClasspath().load("TestCollateral").creationBytecode();
            String ctor = FunctionEncoder.encodeConstructor(List.of(new Address(owner.getAddress())));
            rpc.post("eth_sendRawTransaction", "[\"" + sign(owner, chainId, 0, null, Numeric.toHexString(init) + ctor, 3_000_000) + "\"]");
            String token = org.web3j.crypto.ContractUtils.generateContractAddress(owner.getAddress(), BigInteger.ZERO);
            rpc.post("eth_sendRawTransaction", "[\"" + sign(owner, chainId, 1, token, call("mint", sender.getAddress(), 1_000_000_000L), 100_000) + "\"]");
            List<String> signed = new ArrayList<>();
            for (int i = 0; i < TRANSFERS; i++) {
                signed.add(i % 10 == 9
                        ? sign(sender, chainId, i, receiver, "0x", 21_000)
                        : sign(sender, chainId, i, token, call("transfer", receiver, 1), 100_000));
            }
            String balanceOf = FunctionEncoder.encode(new Function("balanceOf", List.of(new Address(receiver)), List.of()));
            for (int i = 0; i < TRANSFERS; i++) {
                rpc.post("eth_sendRawTransaction", "[\"" + signed.get(i) + "\"]");
                if (i % 50 == 0) {
                    rpc.post("eth_getTransactionReceipt", "[\"" + org.web3j.crypto.Hash.sha3(signed.get(i)) + "\"]");
                    rpc.post("eth_getTransactionCount", "[\"" + sender.getAddress() + "\",\"pending\"]");
                    rpc.post("eth_getBalance", "[\"" + receiver + "\",\"latest\"]");
                    rpc.post("eth_blockNumber", "[]");
                    rpc.post("eth_chainId", "[]");
                    rpc.post("eth_estimateGas", "[{\"from\":\"" + sender.getAddress() + "\",\"to\":\"" + token + "\",\"data\":\""
                            + call("transfer", receiver, 1) + "\"}]");
                }
            }
            for (int i = 0; i < CALLS; i++) {
                rpc.post("eth_call", "[{\"to\":\"" + token + "\",\"data\":\"" + balanceOf + "\"},\"latest\"]");
            }
            rpc.post("eth_getBlockByNumber", "[\"latest\",true]");
        }
    }

    private static String call(String name, String to, long amount) {
        return FunctionEncoder.encode(new Function(name, List.of(new Address(to), new Uint256(amount)), List.of()));
    }

    private static String sign(Credentials key, long chainId, long nonce, String to, String data, long gas) {
        RawTransaction tx = RawTransaction.createTransaction(chainId, BigInteger.valueOf(nonce), BigInteger.valueOf(gas), to == null ? "" : to,
                BigInteger.ZERO, data, BigInteger.valueOf(1_000_000_000L), BigInteger.valueOf(10_000_000_000L));
        return Numeric.toHexString(TransactionEncoder.signMessage(tx, chainId, key));
    }

    /** Blocking keep-alive JSON-RPC over the JDK's HttpURLConnection; any error ends the training. */
    private record Rpc(URL url) {
        Rpc(String url) throws IOException {
            this(URI.create(url).toURL());
        }

        void post(String method, String params) throws IOException {
            byte[] body = ("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"" + method + "\",\"params\":" + params + "}")
                    .getBytes(StandardCharsets.UTF_8);
            HttpURLConnection c = (HttpURLConnection) url.openConnection();
            c.setRequestMethod("POST");
            c.setDoOutput(true);
            c.setRequestProperty("Content-Type", "application/json");
            c.setFixedLengthStreamingMode(body.length);
            try (OutputStream out = c.getOutputStream()) {
                out.write(body);
            }
            int status = c.getResponseCode();
            String answer;
            try (InputStream in = status < 400 ? c.getInputStream() : c.getErrorStream()) {
                answer = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            if (status != 200 || answer.contains("\"error\"")) {
                throw new IllegalStateException("start-up training: " + method + " answered " + status + " " + answer);
            }
        }
    }
}
