package dev.clearline.testkit.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class MachineIdleTest {
    @Test
    void aShareIsAFractionOrUnknownAndPercentFollowsIt() {
        MachineIdle start = MachineIdle.now();
        long spin = System.nanoTime() + 30_000_000; // let the kernel's counters move (10 ms ticks)
        while (System.nanoTime() < spin) Thread.onSpinWait();
        MachineIdle end = MachineIdle.now();
        double share = end.since(start);
        if (Double.isNaN(share)) {
            assertThat(end.percentSince(start)).isEqualTo(-1);
        } else {
            assertThat(share).isBetween(0.0, 1.0);
            assertThat(end.percentSince(start)).isEqualTo(100 * share);
        }
        // no time between two readings of the same moment: unknown, never a division by zero
        assertThat(start.since(start)).isNaN();
        assertThat(start.percentSince(start)).isEqualTo(-1);
    }
}
