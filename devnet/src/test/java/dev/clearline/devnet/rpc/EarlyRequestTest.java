package dev.clearline.devnet.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.devnet.Devnet;
import dev.clearline.devnet.node.NodeConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The devnet's HTTP server starts beside its node ({@link Devnet#start}): a request that arrives
 * before the node is up waits for it and is answered, and if the node fails to start the waiting
 * request gets a JSON-RPC error instead of a dropped connection.
 */
class EarlyRequestTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private static CompletableFuture<HttpResponse<String>> chainId(RpcHttpServer server) {
        return HTTP.sendAsync(HttpRequest.newBuilder(URI.create(server.url())).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_chainId\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aRequestBeforeTheNodeIsUpWaitsForItAndIsAnswered() throws Exception {
        CompletableFuture<RpcDispatcher> ready = new CompletableFuture<>();
        try (RpcHttpServer server = RpcHttpServer.start(ready, "127.0.0.1", 0, 4);
             Devnet node = Devnet.inProcess(NodeConfig.defaults(() -> 1_700_000_000L))) {
            CompletableFuture<HttpResponse<String>> early = chainId(server);
            Thread.sleep(300);
            assertThat(early).as("answered before the node was up").isNotDone();
            ready.complete(node.dispatcher());
            HttpResponse<String> r = early.get(10, TimeUnit.SECONDS);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains("\"result\":\"0x7a69\"");
        }
    }

    @Test
    void aRequestWaitingForANodeThatFailsGetsAJsonRpcError() throws Exception {
        CompletableFuture<RpcDispatcher> ready = new CompletableFuture<>();
        try (RpcHttpServer server = RpcHttpServer.start(ready, "127.0.0.1", 0, 4)) {
            CompletableFuture<HttpResponse<String>> early = chainId(server);
            Thread.sleep(100);
            ready.completeExceptionally(new IllegalStateException("the data directory is another chain's"));
            HttpResponse<String> r = early.get(10, TimeUnit.SECONDS);
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(r.body()).contains("\"code\":-32603", "failed to start");
        }
    }
}
