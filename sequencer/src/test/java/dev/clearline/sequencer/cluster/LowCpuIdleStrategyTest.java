package dev.clearline.sequencer.cluster;

import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every wait {@link LowCpuIdleStrategy} makes, seen through its park and yield. */
class LowCpuIdleStrategyTest {
    private static final long PERIOD = 1_000_000;

    private record Waits(List<Long> parks, int[] yields, LowCpuIdleStrategy strategy) {
        static Waits of(long period) {
            List<Long> parks = new ArrayList<>();
            int[] yields = {0};
            return new Waits(parks, yields, new LowCpuIdleStrategy(period, parks::add, () -> yields[0]++));
        }
    }

    @Test
    void aDutyCycleWithoutWorkSleepsTheWholePeriodAndOneWithWorkDoesNotWaitAtAll() {
        Property.forAll(Gens.listOf(Gens.ints(0, 3), 1, 60)).tries(200).check(workCounts -> {
            Waits w = Waits.of(PERIOD);
            long idleCycles = 0;
            for (int work : workCounts) {
                w.strategy().idle(work);
                if (work == 0) idleCycles++;
            }
            // one wake-up per idle period, never a spin-yield-park ladder between duty cycles
            assertThat(w.parks()).hasSize((int) idleCycles).allMatch(ns -> ns == PERIOD);
            assertThat(w.yields()[0]).isZero();
        });
    }

    @Test
    void aRetryLoopSpinsThenYieldsOnceThenParksFrom50MicrosDoublingToThePeriodUntilReset() {
        Property.forAll(Gens.ints(1, 40), Gens.ints(0, 40)).tries(200).check((before, after) -> {
            Waits w = Waits.of(PERIOD);
            for (int i = 0; i < before; i++) w.strategy().idle();
            w.strategy().reset();
            for (int i = 0; i < after; i++) w.strategy().idle();
            List<Long> expected = new ArrayList<>();
            expected.addAll(ladder(before));
            expected.addAll(ladder(after));
            assertThat(w.parks()).containsExactlyElementsOf(expected);
            assertThat(w.yields()[0]).isEqualTo((before > LowCpuIdleStrategy.SPINS ? 1 : 0) + (after > LowCpuIdleStrategy.SPINS ? 1 : 0));
        });
    }

    @Test
    void workDoneRestartsTheRetryLadder() {
        Waits w = Waits.of(PERIOD);
        for (int i = 0; i < 20; i++) w.strategy().idle();
        w.parks().clear();
        w.strategy().idle(1);
        for (int i = 0; i < LowCpuIdleStrategy.SPINS + 2; i++) w.strategy().idle();
        assertThat(w.parks()).containsExactly(LowCpuIdleStrategy.FIRST_PARK_NS);
    }

    @Test
    void aPeriodShorterThanTheFirstRetryParkIsRefused() {
        assertThatThrownBy(() -> new LowCpuIdleStrategy(10_000)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 50 µs");
    }

    /** The parks of {@code calls} retries from a reset: none for the spins and the yield, then 50 µs doubling, capped. */
    private static List<Long> ladder(int calls) {
        List<Long> out = new ArrayList<>();
        long next = LowCpuIdleStrategy.FIRST_PARK_NS;
        for (int i = LowCpuIdleStrategy.SPINS + 1; i < calls; i++) {
            out.add(next);
            next = Math.min(2 * next, PERIOD);
        }
        return out;
    }
}
