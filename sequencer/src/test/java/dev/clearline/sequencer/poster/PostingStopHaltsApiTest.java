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
 * API is not halted for it here. The halt goes through the log: a second API wired only to the node's
 * log, as a cluster follower's is, halts too and takes orders again once a poster start lifts it; a
 * state restored from a snapshot holds it.
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
                     "127.0.0.1", 0, 16 * 1024);
             TraderApi follower = new TraderApi(w.gateway, new RateLimiter(1e9, 1e9, System::nanoTime), new RateLimiter(1e9, 1e9, System::nanoTime),
                     "127.0.0.1", 0, 16 * 1024)) {
            // as SequencerMain wires every member: the log's posting halt is the follower's only news of the poster
            w.node.watchPosting(why -> {
                if (why == null) follower.resume(TraderApi.Halt.POSTER);
                else follower.halt(TraderApi.Halt.POSTER, why);
            });
            assertThat(w.feed().poll()).isEqualTo(3);
            w.price(10_000);
            w.price(10_100);
            w.seal();
            HttpResponse<String> before = place(http, api, w, 1);
            assertThat(before.statusCode()).as("taken while posting goes on: %s", before.body()).isEqualTo(200);

            L1Loop loop = new L1Loop(l1.web3j(), w.rollupAddress, w.feed(), w.poster(l1.web3j(), l1.key(5), TxSender.FeePolicy.defaults()), 50);
            List<BatchPoster.Frozen> frozen = new ArrayList<>();
            WhenPostingStops.haltApi(loop, w.link, api, frozen::add);
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

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (w.node.postingHalt() == null && System.nanoTime() < deadline) Thread.sleep(20);
            assertThat(w.node.postingHalt()).as("the halt in the log").contains("no longer reach L1", "batch 0 holds 5 transitions");
            HttpResponse<String> atFollower = place(http, follower, w, 3);
            assertThat(atFollower.statusCode()).as(atFollower.body()).isEqualTo(503);
            assertThat(WsClient.JSON.readTree(atFollower.body()).path("message").asText()).contains("no longer reach L1", "batch 0 holds 5 transitions");
            JsonNode state = w.gateway.query(dev.clearline.sequencer.command.Command.QueryKind.STATE, 0, null, null).get(30, TimeUnit.SECONDS);
            assertThat(state.path("postingHalted").asText()).contains("batch 0 holds 5 transitions");

            // a poster started anew lifts it on every member
            w.link.posting(null);
            assertThat(w.node.postingHalt()).isNull();
            HttpResponse<String> resumed = place(http, follower, w, 4);
            assertThat(resumed.statusCode()).as("the follower takes orders again: %s", resumed.body()).isEqualTo(200);
            JsonNode lifted = w.gateway.query(dev.clearline.sequencer.command.Command.QueryKind.STATE, 0, null, null).get(30, TimeUnit.SECONDS);
            assertThat(lifted.has("postingHalted")).isFalse();
        }
    }

    private static HttpResponse<String> place(HttpClient http, TraderApi api, L1World w, long nonce) throws Exception {
        Order o = new Order(w.alice.address(), 1, Side.SELL, 10_500, Market.LOT, 0, TimeInForce.GTC, 0, 0, nonce, 5_000_000);
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + "/orders"))
                .POST(HttpRequest.BodyPublishers.ofString(OrderJson.order(w.alice, o, w.domain).toString()))
                .header("content-type", "application/json").timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
