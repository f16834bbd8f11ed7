package dev.clearline.sequencer.poster;

import dev.clearline.contracts.generated.Rollup;
import dev.clearline.devnet.junit.DevnetContext;
import dev.clearline.devnet.junit.WithDevnet;
import dev.clearline.prover.l1.RollupLog;
import dev.clearline.prover.l1.TxSender;
import dev.clearline.sequencer.api.RateLimiter;
import dev.clearline.sequencer.api.TraderApi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A rollup frozen under a running operator (the deposits it never consumed went past their force
 * delay, and someone froze it) takes no batch any more, for good. The L1 loop says so once and
 * stops, with what it means, so the node can stop taking orders that could never settle; before,
 * it retried the refused batch for ever and the node kept taking orders. An operator started on a
 * frozen rollup is refused at once.
 */
@WithDevnet(http = true)
class FrozenRollupTest {
    @TempDir
    Path dir;

    @Test
    void aRollupFrozenUnderTheOperatorStopsItsLoopAndAStartOnItIsRefused(DevnetContext l1) throws Exception {
        try (L1World w = new L1World(l1, dir);
             TraderApi api = new TraderApi(w.gateway, new RateLimiter(1e9, 1e9, System::nanoTime), new RateLimiter(1e9, 1e9, System::nanoTime),
                     "127.0.0.1", 0, 16 * 1024)) {
            BatchPoster poster = w.poster(l1.web3j(), l1.key(5), TxSender.FeePolicy.defaults());
            L1Loop loop = new L1Loop(l1.web3j(), w.rollupAddress, w.feed(), poster, 50);
            java.util.concurrent.CompletableFuture<BatchPoster.Frozen> handedOver = new java.util.concurrent.CompletableFuture<>();
            WhenPostingStops.haltApi(loop, w.link, api, handedOver::complete);
            loop.start();
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (loop.rounds() < 2 && System.nanoTime() < deadline) Thread.sleep(20);
                assertThat(loop.rounds()).as("the loop runs while the rollup is live").isGreaterThanOrEqualTo(2);
                assertThat(loop.stopped().toCompletableFuture()).isNotDone();
                Rollup anyone = Rollup.load(w.rollupAddress, l1.web3j(), l1.key(6), L1World.GAS);
                long forceDelay = anyone.forceDelay().send().longValueExact();
                Map<String, Long> live = metrics(loop);
                assertThat(live.get("clearline_l1_rounds_total")).isGreaterThanOrEqualTo(2);
                assertThat(live).containsEntry("clearline_l1_poster_stopped", 0L).containsEntry("clearline_l1_force_delay_seconds", forceDelay);
                assertThat(live.get("clearline_l1_oldest_priority_op_age_seconds")).as("the deposits wait, unconsumed").isBetween(0L, forceDelay);
                dev.clearline.sequencer.metrics.MetricsText text = new dev.clearline.sequencer.metrics.MetricsText();
                loop.writeMetrics(text);
                java.math.BigDecimal ether = new java.math.BigDecimal(dev.clearline.sequencer.metrics.Exposition.values(text.toString())
                        .get("clearline_l1_poster_balance_ether"));
                java.math.BigInteger wei = l1.web3j().ethGetBalance(poster.sender().address(), org.web3j.protocol.core.DefaultBlockParameterName.LATEST)
                        .send().getBalance();
                // the round read it before this one: a batch posted between would lower it by the gas, not by an ether
                assertThat(ether).as("the poster's ether, read each round").isPositive()
                        .isCloseTo(new java.math.BigDecimal(wei).movePointLeft(18), org.assertj.core.data.Offset.offset(java.math.BigDecimal.ONE));
                // clearline_l1_poster_active is the node's, beside the loop (PosterHaltClusterTest reads it on each member)
                dev.clearline.sequencer.metrics.AlertRules.assertFit("the L1 loop", text.toString(),
                        n -> n.startsWith("clearline_l1_") && !n.equals("clearline_l1_poster_active"));

                // no batch consumed the deposits: past the force delay anyone freezes the rollup over the first of them, and the
                // operator's metrics said so first (the alert: an op as old as the force delay)
                l1.time().advance(Duration.ofSeconds(forceDelay + 1));
                long seen = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (metrics(loop).get("clearline_l1_oldest_priority_op_age_seconds") <= forceDelay && System.nanoTime() < seen) Thread.sleep(20);
                assertThat(metrics(loop).get("clearline_l1_oldest_priority_op_age_seconds")).isGreaterThan(forceDelay);
                byte[] overdue = new RollupLog(l1.web3j(), w.rollupAddress).priorityOpEncoding(0, w.deployBlock).orElseThrow();
                L1World.ok(anyone.freeze(overdue).send());

                BatchPoster.Stopped why = loop.stopped().toCompletableFuture().get(30, TimeUnit.SECONDS);
                assertThat(why).isInstanceOf(BatchPoster.Frozen.class);
                assertThat(why.getMessage()).contains("froze at L1 time", "the genesis root", "could never settle", "./clearline escape");
                assertThat(loop.stoppedBecause()).contains(why.getMessage());
                assertThat(metrics(loop)).containsEntry("clearline_l1_poster_stopped", 1L);
                // a node stops on a freeze (the sequencer exits 7): the freeze is handed over, not read as an operator's fix
                assertThat(handedOver.get(30, TimeUnit.SECONDS)).isSameAs(why);
            } finally {
                loop.close();
            }

            long chainId = l1.web3j().ethChainId().send().getChainId().longValueExact();
            L1Side.Settings settings = new L1Side.Settings(l1.devnet().rpcUrl(), new Deployment(chainId, w.rollupAddress, w.deployBlock),
                    l1.key(5), 50, 0);
            assertThatThrownBy(() -> L1Side.start(settings, w.link)).isInstanceOf(L1Side.FrozenRollup.class)
                    .hasMessageContaining("froze at L1 time").hasMessageContaining("could never settle");
        }
    }

    /** The loop's samples as {@code /metrics} gives them (name to value). */
    private static Map<String, Long> metrics(L1Loop loop) {
        dev.clearline.sequencer.metrics.MetricsText m = new dev.clearline.sequencer.metrics.MetricsText();
        loop.writeMetrics(m);
        return dev.clearline.sequencer.metrics.Exposition.samples(m.toString());
    }
}
