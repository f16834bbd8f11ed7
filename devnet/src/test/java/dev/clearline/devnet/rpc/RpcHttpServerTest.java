package dev.clearline.devnet.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.devnet.Devnet;
import dev.clearline.devnet.node.NodeConfig;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
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

    /** Reads one response with a Content-Length body off a raw connection. */
    static String readResponse(InputStream in) throws Exception {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) head.write(in.read());
        String h = head.toString(StandardCharsets.ISO_8859_1);
        int length = 0;
        for (String line : h.split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) length = Integer.parseInt(line.substring(15).trim());
        }
        return h + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    @Test
    void oneConnectionCarriesChunkedExpectContinueAndPreflightRequestsInTurn() throws Exception {
        URI uri = URI.create(devnet.rpcUrl());
        try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            String body = "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"eth_chainId\"}";
            out.write(("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + Integer.toHexString(10) + "\r\n" + body.substring(0, 10) + "\r\n"
                    + Integer.toHexString(body.length() - 10) + "\r\n" + body.substring(10) + "\r\n0\r\n\r\n")
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
            assertThat(readResponse(in)).startsWith("HTTP/1.1 200").endsWith("{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":\"0x7a69\"}");

            out.write(("POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: " + body.length() + "\r\n\r\n")
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
            assertThat(readResponse(in)).startsWith("HTTP/1.1 100");
            out.write(body.getBytes(StandardCharsets.UTF_8));
            out.flush();
            assertThat(readResponse(in)).startsWith("HTTP/1.1 200").contains("Access-Control-Allow-Origin: *").endsWith("\"0x7a69\"}");

            out.write("OPTIONS / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            assertThat(readResponse(in)).startsWith("HTTP/1.1 204").contains("Access-Control-Allow-Headers: Content-Type");

            out.write(("POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: " + body.length() + "\r\n\r\n" + body)
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
            assertThat(readResponse(in)).contains("Connection: close").endsWith("\"0x7a69\"}");
            assertThat(in.read()).isEqualTo(-1);
        }
    }

    @Test
    void aBodyOverTheLimitIsAJsonRpcErrorNotADroppedConnection() throws Exception {
        URI uri = URI.create(devnet.rpcUrl());
        try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                    + (RpcHttpServer.MAX_BODY + 1) + "\r\n\r\n[").getBytes(StandardCharsets.UTF_8));
            out.flush();
            String answer = readResponse(socket.getInputStream());
            assertThat(answer).startsWith("HTTP/1.1 413").contains("\"code\":-32600", "split the batch");
        }
        // The server keeps serving others.
        assertThat(post("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_chainId\"}").body()).contains("0x7a69");
    }

    @Test
    void manyKeepAliveClientsAtOnceAllGetTheirOwnAnswers() throws Exception {
        var pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            var answers = new java.util.ArrayList<java.util.concurrent.Future<String>>();
            for (int i = 0; i < 200; i++) {
                int id = i;
                answers.add(pool.submit(() -> post("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"eth_blockNumber\"}").body()));
            }
            for (int i = 0; i < answers.size(); i++) assertThat(answers.get(i).get()).contains("\"id\":" + i + ",");
        } finally {
            pool.shutdownNow();
        }
    }
}
