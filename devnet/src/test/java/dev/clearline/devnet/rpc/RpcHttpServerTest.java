package dev.clearline.devnet.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.devnet.Devnet;
import dev.clearline.devnet.node.NodeConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RpcHttpServerTest {
    static Devnet devnet;
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() {
        devnet = Devnet.start(Devnet.Options.http(NodeConfig.defaults(() -> 1_700_000_000L), 0));
    }

    @AfterAll
    static void stop() {
        devnet.close();
    }

    static HttpResponse<String> post(String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(devnet.rpcUrl())).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void listensOnLoopbackOnly() {
        assertThat(devnet.rpcUrl()).startsWith("http://127.0.0.1:");
    }

    @Test
    void aBatchOverHttpAnswersInOneArray() throws Exception {
        HttpResponse<String> r = post("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"net_version\"},{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"web3_clientVersion\"}]");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(r.body()).contains("\"result\":\"31337\"", RpcDispatcher.CLIENT_VERSION);
    }

    @Test
    void notificationsGetNoBodyAndGetRequestsAreTurnedAway() throws Exception {
        assertThat(post("{\"jsonrpc\":\"2.0\",\"method\":\"eth_chainId\"}").body()).isEmpty();
        HttpResponse<String> get = HTTP.send(HttpRequest.newBuilder(URI.create(devnet.rpcUrl())).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(get.statusCode()).isEqualTo(405);
        assertThat(post("not json").body()).contains("-32700");
    }
}
