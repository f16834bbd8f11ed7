package dev.clearline.sequencer.poster;

import com.fasterxml.jackson.databind.JsonNode;
import dev.clearline.devnet.junit.DevnetContext;
import dev.clearline.devnet.junit.WithDevnet;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.prover.l1.TxSender;
import dev.clearline.sequencer.Market;
import dev.clearline.sequencer.api.OrderJson;
import dev.clearline.sequencer.api.RateLimiter;
import dev.clearline.sequencer.api.TraderApi;
import dev.clearline.sequencer.api.WsClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The wiring between a stopped poster and the trader API, as a node runs it: a rollup that takes at
 * most 4 transitions per batch, a node whose first batch holds 5. Its L1 loop stops for an operator
 * to fix, and from then on the API refuses new orders with that reason, where before the wiring it
 * kept taking orders no batch would carry. A freeze is handed to the node instead (it stops), so the
 * API is not halted for it here.
 */
@WithDevnet(parameters = "rollup.maxTransitions=4")
class PostingStopHaltsApiTest {
    @TempDir
    Path dir;

    @Test
    void aPosterStoppedForAnOperatorHaltsNewOrdersWithItsReason(DevnetContext l1) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        try (L1World w = new L1World(l1, dir);
             TraderApi api = new TraderApi(w.gateway, new RateLimiter(1e9, 1e9, System::nanoTime), new RateLimiter(1e9, 1e9, System::nanoTime),
                     "127.0.0.1", 0, 16 * 1024)) {
            assertThat(w.feed().poll()).isEqualTo(3);
            w.price(10_000);
            w.price(10_100);
            w.seal();
            HttpResponse<String> before = place(http, api, w, 1);
            assertThat(before.statusCode()).as("taken while posting goes on: %s", before.body()).isEqualTo(200);

            L1Loop loop = new L1Loop(l1.web3j(), w.rollupAddress, w.feed(), w.poster(l1.web3j(), l1.key(5), TxSender.FeePolicy.defaults()), 50);
            List<BatchPoster.Frozen> frozen = new ArrayList<>();
            WhenPostingStops.haltApi(loop, api, frozen::add);
            loop.start();
            try {
                BatchPoster.Stopped why = loop.stopped().toCompletableFuture().get(30, TimeUnit.SECONDS);
                assertThat(why).isInstanceOf(BatchPoster.BatchTooLong.class);
            } finally {
                loop.close();
            }

            HttpResponse<String> after = place(http, api, w, 2);
            assertThat(after.statusCode()).as(after.body()).isEqualTo(503);
            JsonNode body = WsClient.JSON.readTree(after.body());
            assertThat(body.path("error").asText()).isEqualTo("HALTED");
            assertThat(body.path("message").asText()).contains("no longer reach L1", "batch 0 holds 5 transitions", "cancels and reads still work");
            assertThat(frozen).as("not a freeze: the node is not stopped").isEmpty();
        }
    }

    private static HttpResponse<String> place(HttpClient http, TraderApi api, L1World w, long nonce) throws Exception {
        Order o = new Order(w.alice.address(), 1, Side.SELL, 10_500, Market.LOT, 0, TimeInForce.GTC, 0, 0, nonce, 5_000_000);
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + "/orders"))
                .POST(HttpRequest.BodyPublishers.ofString(OrderJson.order(w.alice, o, w.domain).toString()))
                .header("content-type", "application/json").timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
