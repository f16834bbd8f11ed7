package dev.clearline.devnet;

import dev.clearline.devnet.node.NodeConfig;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.TransactionEncoder;
import org.web3j.utils.Numeric;

/**
 * A short run of what {@code clearline devnet} does in its first seconds (start, serve JSON-RPC
 * over HTTP, accept signed transfers, answer calls), for the JVM to record: the launcher runs it
 * once per build under {@code -XX:AOTCacheOutput} (JDK 25) or {@code -XX:ArchiveClassesAtExit}
 * (JDK 21-24), and later starts load and link those classes from the cache instead of the jar.
 * Exits 0 when every request was answered.
 */
public final class StartupTraining {
    private StartupTraining() {}

    public static void main(String[] args) throws Exception {
        NodeConfig config = NodeConfig.defaults(() -> System.currentTimeMillis() / 1000);
        try (Devnet devnet = Devnet.start(Devnet.Options.http(config, 0))) {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            String url = devnet.rpcUrl();
            Credentials from = devnet.accounts().first();
            String to = devnet.accounts().addresses().get(1);
            for (int round = 0; round < 50; round++) {
                post(http, url, "eth_blockNumber", "[]");
                post(http, url, "eth_chainId", "[]");
                post(http, url, "eth_getBalance", "[\"" + to + "\",\"latest\"]");
                post(http, url, "eth_call", "[{\"to\":\"" + to + "\",\"data\":\"0x\"},\"latest\"]");
                RawTransaction tx = RawTransaction.createTransaction(config.chainId(), BigInteger.valueOf(round), BigInteger.valueOf(21_000),
                        to, BigInteger.ONE, "", BigInteger.ONE, BigInteger.TEN.pow(10));
                String raw = Numeric.toHexString(TransactionEncoder.signMessage(tx, config.chainId(), from));
                post(http, url, "eth_sendRawTransaction", "[\"" + raw + "\"]");
                post(http, url, "eth_getTransactionReceipt", "[\"" + org.web3j.crypto.Hash.sha3(raw) + "\"]");
            }
            post(http, url, "eth_getBlockByNumber", "[\"latest\",true]");
            http.close();
        }
    }

    private static void post(HttpClient http, String url, String method, String params) throws Exception {
        String body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"" + method + "\",\"params\":" + params + "}";
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200 || r.body().contains("\"error\"")) {
            throw new IllegalStateException("start-up training: " + method + " answered " + r.statusCode() + " " + r.body());
        }
    }
}
