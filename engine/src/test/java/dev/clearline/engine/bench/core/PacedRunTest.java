package dev.clearline.engine.bench.core;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The latency bookkeeping on given clock readings (no timing is measured here). */
class PacedRunTest {
    @Test
    void latencyCountsFromWhenACommandWasDueAndOwnTimeFromWhenItStarted() {
        PacedRun p = new PacedRun();
        // due at 0, started 40 us late behind a stall, done 100 ns later
        p.record(0, 40_000, 40_100);
        // due and started at 1 us, took 6 us itself: a stall of the matcher's own
        p.record(1_000, 1_000, 7_000);
        assertThat(p.commands).isEqualTo(2);
        assertThat(p.latency.getMaxValue()).isBetween(40_000L, 40_200L);
        assertThat(p.latency.getMinValue()).isBetween(5_990L, 6_010L);
        assertThat(p.service.getMaxValue()).isBetween(5_990L, 6_010L);
        assertThat(p.service.getMinValue()).isBetween(99L, 101L);
        assertThat(p.stalls).isEqualTo(1);
        assertThat(p.stallNanos).isEqualTo(6_000);
    }

    @Test
    void aCommandFinishedBeforeItWasDueCountsAsNoLatencyRatherThanANegativeOne() {
        PacedRun p = new PacedRun();
        p.record(10_000, 5_000, 9_000);
        assertThat(p.latency.getMaxValue()).isZero();
        assertThat(p.stalls).isZero();
    }
}
