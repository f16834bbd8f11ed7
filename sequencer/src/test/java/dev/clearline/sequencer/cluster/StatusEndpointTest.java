package dev.clearline.sequencer.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.sequencer.Market;
import dev.clearline.sequencer.SequencerMain;
import dev.clearline.sequencer.api.Gateway;
import dev.clearline.sequencer.command.Command;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A member's status port as an operator's tools read it: {@code GET /member} (JSON) and {@code GET /metrics}
 * (Prometheus' text format), on a real node with real commands, agreeing with each other and moving with the log;
 * then the same port after the member stopped, which must still answer (the node's own figures) and not read the
 * consensus module's counters once they are gone.
 */
class StatusEndpointTest {
    private static final int TRADERS = 3;

    @TempDir
    Path dir;
    final HttpClient http = HttpClient.newHttpClient();

    @Test
    void memberAndMetricsShowTheLogAndL1ProgressAndStillAnswerAfterAStop() throws Exception {
        SequencerNode node = SequencerNode.start(NodeConfig.ephemeral(dir, Market.GENESIS), new NativeSecp256k1Verifier());
        try (StatusEndpoint endpoint = new StatusEndpoint(node, "127.0.0.1", 0)) {
            try (Gateway gateway = new Gateway(node.config().aeronDir(), node.clientIngress(), Market.GENESIS.domain(), new NativeSecp256k1Verifier(), 1)) {
                SequencerMain.devSetup(gateway, Market.GENESIS.domain(), TRADERS);
                Map<String, Long> before = metrics(endpoint);
                JsonNode member = member(endpoint);
                assertThat(before).containsEntry("clearline_service_answering", 1L).containsEntry("clearline_leader", 1L)
                        .containsEntry("clearline_posting_halted", 0L).containsEntry("clearline_service_stopped", 0L)
                        .containsEntry("clearline_cluster_terminated", 0L).containsEntry("clearline_cluster_sessions_refused_total", 0L)
                        .containsEntry("clearline_member_info{member=\"0\",role=\"LEADER\",rules=\"" + dev.clearline.sequencer.state.RulesVersion.CURRENT + "\"}", 1L);
                // the market's listing and every trader's deposit came as L1 priority operations
                assertThat(before).containsEntry("clearline_priority_ops_consumed_total", 1L + TRADERS);
                assertThat(member.path("priorityOpsConsumed").asLong()).isEqualTo(1L + TRADERS);
                assertThat(before.get("clearline_seq")).isEqualTo(member.path("seq").asLong()).isEqualTo(2L + TRADERS);
                assertThat(before.get("clearline_state_leaves")).isEqualTo(member.path("leaves").asLong()).isPositive();
                assertThat(before.get("clearline_open_transitions")).isEqualTo(member.path("openTransitions").asLong());
                assertThat(before.get("clearline_command_time_seconds")).isEqualTo(member.path("time").asLong()).isPositive();
                assertThat(before.get("clearline_heap_used_bytes")).isPositive().isLessThanOrEqualTo(before.get("clearline_heap_max_bytes"));

                // the open batch sealed (its 2 s have passed on the clock the tick brings), L1 takes it, then the poster halts
                long later = member.path("time").asLong() + 10;
                gateway.submit((id, q) -> new Command.TimeTick(id, q, later)).get(30, TimeUnit.SECONDS);
                gateway.submit((id, q) -> new Command.BatchPosted(id, q, 0, later, later + 600)).get(30, TimeUnit.SECONDS);
                gateway.submit((id, q) -> new Command.PostingHalted(id, q, "the poster's key ran out of gas")).get(30, TimeUnit.SECONDS);
                Map<String, Long> after = metrics(endpoint);
                long sealed = after.get("clearline_batches_sealed_total");
                assertThat(sealed).as("the setup's transitions, sealed by the tick at the latest").isPositive();
                assertThat(after).containsEntry("clearline_batches_posted_total", 1L).containsEntry("clearline_batches_final_total", 0L)
                        .containsEntry("clearline_batch_backlog", sealed - 1).containsEntry("clearline_open_transitions", 0L)
                        .containsEntry("clearline_posting_halted", 1L).containsEntry("clearline_command_time_seconds", later);
                assertThat(member(endpoint).path("sealedBatches").asLong()).isEqualTo(sealed);
                assertThat(after.get("clearline_seq")).isEqualTo(before.get("clearline_seq") + 3);
                assertThat(member(endpoint).path("postingHalted").asBoolean()).isTrue();
            }

            // a client without the cluster's secret is refused, and counted
            ClusterIngress stranger = new ClusterIngress(node.config().ingressEndpoints(), ClusterSecret.parse("99".repeat(ClusterSecret.BYTES)));
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> ClusterClient.connect(node.config().aeronDir(), stranger, r -> { }, 30_000).close())
                    .hasMessageContaining("refused this client's secret");
            assertThat(metrics(endpoint)).containsEntry("clearline_cluster_sessions_refused_total", 1L);

            dev.clearline.sequencer.metrics.AlertRules.assertFit("a member", get(endpoint, "/metrics").body(),
                    dev.clearline.sequencer.metrics.AlertRules::memberOwn);

            HttpResponse<String> other = get(endpoint, "/state");
            assertThat(other.statusCode()).isEqualTo(404);
            assertThat(other.body()).contains("GET /member", "GET /metrics");

            // stopped with a snapshot, the process still up (as a build from before --stop leaves it): the port answers
            assertThat(node.closeWithSnapshot(Duration.ofSeconds(30))).isTrue();
            Map<String, Long> stopped = metrics(endpoint);
            assertThat(stopped).containsEntry("clearline_service_answering", 0L).containsEntry("clearline_cluster_terminated", 1L)
                    .doesNotContainKey("clearline_seq");
            assertThat(stopped.get("clearline_snapshots_total")).as("the stop's snapshot, counted before the module closed").isPositive();
            assertThat(get(endpoint, "/member").statusCode()).isEqualTo(503);
        } finally {
            node.close();
        }
    }

    private HttpResponse<String> get(StatusEndpoint endpoint, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoint.port() + path)).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode member(StatusEndpoint endpoint) throws Exception {
        HttpResponse<String> r = get(endpoint, "/member");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return new ObjectMapper().readTree(r.body());
    }

    /** The exposition read as Prometheus reads it: every sample with its HELP and TYPE before it, each name once. */
    private Map<String, Long> metrics(StatusEndpoint endpoint) throws Exception {
        HttpResponse<String> r = get(endpoint, "/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("text/plain; version=0.0.4");
        return dev.clearline.sequencer.metrics.Exposition.samples(r.body());
    }
}
