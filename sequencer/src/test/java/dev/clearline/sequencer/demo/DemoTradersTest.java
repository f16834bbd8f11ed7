package dev.clearline.sequencer.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.engine.order.Signer;
import dev.clearline.sequencer.DevAccounts;
import dev.clearline.sequencer.Market;
import dev.clearline.sequencer.SequencerMain;
import dev.clearline.sequencer.api.Gateway;
import dev.clearline.sequencer.api.RateLimiter;
import dev.clearline.sequencer.api.TraderApi;
import dev.clearline.sequencer.metrics.MetricsText;
import dev.clearline.sequencer.cluster.NodeConfig;
import dev.clearline.sequencer.cluster.SequencerNode;
import dev.clearline.sequencer.command.Command;
import dev.clearline.sequencer.l1.GatewayLink;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local stack's demo makers leave a book a person can read and trade into: several price levels
 * on each side, the bids below the asks, and after a re-quote no maker keeps more than its latest
 * quotes (the previous ones cancelled, so the book does not grow round after round).
 */
class DemoTradersTest {
    @TempDir
    Path dir;

    @Test
    void makersQuoteSeveralLevelsOnEachSideAndReplaceThemEachRound() throws Exception {
        var domain = Market.GENESIS.domain();
        try (SequencerNode node = SequencerNode.start(NodeConfig.ephemeral(dir, Market.GENESIS), new NativeSecp256k1Verifier());
             Gateway gateway = new Gateway(node.config().aeronDir(), node.clientIngress(), domain, new NativeSecp256k1Verifier(), 2)) {
            SequencerMain.devSetup(gateway, domain, 2);
            List<Signer> makers = List.of(DevAccounts.trader(0));
            DemoTraders demo = new DemoTraders(DemoVenue.gateway(gateway), domain, new GatewayLink(gateway), makers, List.of(), 3, 1_000);
            for (int round = 0; round < 3; round++) demo.round();

            JsonNode depth = gateway.query(Command.QueryKind.DEPTH, 1, null, null).get(30, TimeUnit.SECONDS).path("depth");
            JsonNode bids = depth.path("bids"), asks = depth.path("asks"); // levels as [price, size], best first
            assertThat(bids.size()).as("bid levels: %s", depth).isEqualTo(DemoTraders.LEVELS);
            assertThat(asks.size()).as("ask levels: %s", depth).isEqualTo(DemoTraders.LEVELS);
            assertThat(bids.get(0).get(0).asLong()).as("best bid below best ask").isLessThan(asks.get(0).get(0).asLong());
            assertThat(bids.get(0).get(0).asLong()).isGreaterThan(bids.get(DemoTraders.LEVELS - 1).get(0).asLong());
            assertThat(asks.get(0).get(0).asLong()).isLessThan(asks.get(DemoTraders.LEVELS - 1).get(0).asLong());
            assertThat(demo.ordersSent()).as("three rounds of one maker's quotes").isEqualTo(3L * 2 * DemoTraders.LEVELS);
        }
    }

    /**
     * On the local stack the demo goes through the trader API as a person's orders do: its orders and cancels are the
     * API's requests, in its counts, and a halted API refuses them (the demo says so, it does not trade on).
     */
    @Test
    void overTheTraderApiTheDemoIsCountedLikeAnyClientAndAHaltStopsIt() throws Exception {
        var domain = Market.GENESIS.domain();
        try (SequencerNode node = SequencerNode.start(NodeConfig.ephemeral(dir, Market.GENESIS), new NativeSecp256k1Verifier());
             Gateway gateway = new Gateway(node.config().aeronDir(), node.clientIngress(), domain, new NativeSecp256k1Verifier(), 2);
             TraderApi api = new TraderApi(gateway, new RateLimiter(1e9, 1e9, System::nanoTime), new RateLimiter(1e9, 1e9, System::nanoTime),
                     "127.0.0.1", 0, TraderApi.DEFAULT_MAX_REQUEST_BYTES)) {
            SequencerMain.devSetup(gateway, domain, 2);
            var venue = new TraderApiVenue(java.net.http.HttpClient.newHttpClient(), java.net.URI.create("http://127.0.0.1:" + api.port()));
            DemoTraders demo = new DemoTraders(venue, domain, new GatewayLink(gateway), List.of(DevAccounts.trader(0)), List.of(), 3, 1_000);
            for (int round = 0; round < 2; round++) demo.round();

            JsonNode depth = gateway.query(Command.QueryKind.DEPTH, 1, null, null).get(30, TimeUnit.SECONDS).path("depth");
            assertThat(depth.path("bids").size()).as("bid levels: %s", depth).isEqualTo(DemoTraders.LEVELS);
            assertThat(depth.path("asks").size()).as("ask levels: %s", depth).isEqualTo(DemoTraders.LEVELS);
            MetricsText m = new MetricsText();
            api.writeMetrics(m);
            String text = m.toString();
            assertThat(text).as("the API counted the demo's orders and its re-quote's cancel")
                    .contains("clearline_api_requests_total{op=\"place\"} " + demo.ordersSent())
                    .contains("clearline_api_requests_total{op=\"batchCancel\"} 1");

            api.halt("a test halts it");
            long sent = demo.ordersSent();
            assertThatThrownBy(demo::round).isInstanceOf(java.io.IOException.class).hasMessageContaining("HTTP 503").hasMessageContaining("HALTED");
            assertThat(demo.ordersSent()).as("nothing placed while halted").isEqualTo(sent);
        }
    }
}
