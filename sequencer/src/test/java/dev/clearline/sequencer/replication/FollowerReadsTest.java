package dev.clearline.sequencer.replication;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Eip712;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.sequencer.DevAccounts;
import dev.clearline.sequencer.api.OrderJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reads off the log on a follower (docs/replication.md, "Reads stay off the log"): three member processes, a trader
 * using a follower's API. Each order it places there is acknowledged by the leader's state machine; the follower's state
 * may still be behind when the trader reads the order back through the same API at once, and the read then waits for
 * it (its floor is the acknowledgement's seq) instead of answering "unknown order". The follower answered those reads
 * itself: its metrics count them, and none went through the log. (On loopback the follower has almost always applied the
 * order by the time its read arrives, so this run seldom shows the wait itself: {@code LocalReadsProperties} and
 * {@code LocalReadsTest} hold the floor.)
 */
class FollowerReadsTest {
    static final ObjectMapper JSON = new ObjectMapper();
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    JsonNode call(int port, String path, String post) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(60));
        b = post == null ? b.GET() : b.POST(HttpRequest.BodyPublishers.ofString(post)).header("content-type", "application/json");
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("%s %s", path, r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    @Test
    void aTraderReadsBackAtOnceThroughAFollowerWhatThatFollowersApiAcknowledged() throws Exception {
        try (MemberProcesses members = MemberProcesses.start(dir, 3, "--dev-setup", "2", "--snapshot-every", "0", "--rate-per-key", "1000000")) {
            int leader = members.awaitLeader(60_000);
            members.awaitAgreement(3, 60_000);
            int follower = (leader + 1) % 3;
            int api = members.apiPort(follower);
            JsonNode state = call(api, "/state", null);
            while (state.path("markets").isEmpty()) { // the dev market is listed by the first member, through the log
                Thread.sleep(100);
                state = call(api, "/state", null);
            }
            Eip712 domain = new Eip712(state.path("chainId").asLong(), Address.fromHex(state.path("verifyingContract").asText()));
            Signer trader = DevAccounts.trader(0);
            int orders = 40;
            for (int i = 0; i < orders; i++) {
                Order o = new Order(trader.address(), 1, Side.BUY, 9_000 - 100L * (i % 50), 1_000, 0, TimeInForce.GTC, 0, 0, i + 1, 1_000_000);
                long acked = call(api, "/orders", OrderJson.order(trader, o, domain).toString()).path("seq").asLong();
                JsonNode read = call(api, "/orders/" + domain.orderDigest(o), null);
                assertThat(read.path("order").path("known").asBoolean()).as("order %d (acknowledged at seq %d), read back through follower %d: %s",
                        i, acked, follower, read).isTrue();
                assertThat(read.path("seq").asLong()).as("the read's state is at or past the acknowledgement").isGreaterThanOrEqualTo(acked);
            }
            var metrics = members.metrics(follower);
            assertThat(metrics.getOrDefault("clearline_api_reads_total{path=\"member\"}", 0L)).as("reads the follower answered itself: %s", metrics)
                    .isGreaterThanOrEqualTo(orders + 1);
            assertThat(metrics.getOrDefault("clearline_api_reads_total{path=\"log\"}", 0L)).as("none went through the log").isZero();
        }
    }
}
