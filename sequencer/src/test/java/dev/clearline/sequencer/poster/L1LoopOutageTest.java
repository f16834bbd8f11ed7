package dev.clearline.sequencer.poster;

import dev.clearline.devnet.junit.DevnetContext;
import dev.clearline.devnet.junit.ForwardingTransport;
import dev.clearline.devnet.junit.WithDevnet;
import dev.clearline.prover.l1.TxSender;
import dev.clearline.prover.replay.Replayer;
import dev.clearline.sequencer.metrics.Exposition;
import dev.clearline.sequencer.metrics.MetricsText;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.Response;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The operator's L1 loop through an outage of its RPC: every round that fails is counted (the figure
 * {@code ClearlineL1RoundsFailing} reads) and tried again after a pause that doubles up to
 * {@link L1Loop#MAX_BACKOFF_MILLIS}, so a long outage is not hammered; one round that succeeds brings
 * the pause back to the loop's interval, so the next outage is retried quickly again. The loop's
 * sleeps are recorded, not waited out: the outage's whole schedule runs in a moment.
 */
@WithDevnet(http = true)
class L1LoopOutageTest {
    private static final long INTERVAL = 50;

    @TempDir
    Path dir;

    @Test
    void failedRoundsAreCountedAndRetriedAfterADoublingPauseThatOneGoodRoundResets(DevnetContext l1) throws Exception {
        try (L1World w = new L1World(l1, dir)) {
            Outage rpc = new Outage(l1.service());
            rpc.down = true;
            List<Long> pauses = new ArrayList<>();
            CountDownLatch done = new CountDownLatch(1);
            // the schedule, driven by the loop's own sleeps: 12 failed rounds, L1 back for one good round, down for one more
            // failed round, then back for good
            Replayer.Sleeper script = millis -> {
                synchronized (pauses) {
                    pauses.add(millis);
                    switch (pauses.size()) {
                        case 12 -> rpc.down = false;
                        case 13 -> rpc.down = true;
                        case 14 -> rpc.down = false;
                        case 15 -> done.countDown();
                        default -> { }
                    }
                }
                Thread.sleep(1);
            };
            BatchPoster poster = w.poster(l1.web3j(), l1.key(5), TxSender.FeePolicy.defaults());
            L1Loop loop = new L1Loop(Web3j.build(rpc), w.rollupAddress, w.feed(), poster, INTERVAL, script);
            loop.start();
            try {
                assertThat(done.await(60, TimeUnit.SECONDS)).as("the loop went through the outages").isTrue();
                List<Long> seen;
                synchronized (pauses) {
                    seen = List.copyOf(pauses.subList(0, 15));
                }
                assertThat(seen).as("a doubling pause, capped, while L1 is down; the interval after a good round; the interval"
                                + " again after the next failure, not the cap")
                        .containsExactly(50L, 100L, 200L, 400L, 800L, 1_600L, 3_200L, 6_400L, 12_800L, 25_600L, 30_000L, 30_000L,
                                INTERVAL, 50L, INTERVAL);
                Map<String, Long> m = metrics(loop);
                assertThat(m).as("every failed round counted").containsEntry("clearline_l1_failed_rounds_total", 13L);
                assertThat(m.get("clearline_l1_rounds_total")).as("the good rounds").isGreaterThanOrEqualTo(2L);
                assertThat(loop.stoppedBecause()).as("an outage is no reason to stop posting").isEmpty();
            } finally {
                loop.close();
            }
        }
    }

    private static Map<String, Long> metrics(L1Loop loop) {
        MetricsText m = new MetricsText();
        loop.writeMetrics(m);
        return Exposition.samples(m.toString());
    }

    /** The devnet behind an RPC endpoint that refuses every connection while {@code down}. */
    private static final class Outage extends ForwardingTransport {
        volatile boolean down;

        Outage(org.web3j.protocol.Web3jService node) {
            super(node);
        }

        @Override
        @SuppressWarnings("rawtypes")
        public <T extends Response> T send(Request request, Class<T> responseType) throws IOException {
            if (down) throw new ConnectException("Connection refused");
            return super.send(request, responseType);
        }
    }
}
