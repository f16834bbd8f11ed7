package dev.clearline.sequencer.metrics;

import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The latency histogram as Prometheus reads it: each bucket counts the observations at most its bound (one equal to a
 * bound included, a negative one as zero), buckets are cumulative and end in {@code +Inf} equal to the count, the sum is
 * the observations' in seconds, and every number is written in plain digits.
 */
class LatencyHistogramProperties {
    private static final long[] BOUNDS_NANOS = {100_000, 250_000, 500_000, 1_000_000, 2_500_000, 5_000_000, 10_000_000, 25_000_000, 50_000_000,
            100_000_000, 250_000_000, 500_000_000, 1_000_000_000, 2_500_000_000L, 5_000_000_000L};

    @Test
    void bucketsCountWhatIsAtMostTheirBoundAndTheSumIsInSeconds() {
        // observations at the bounds and one nanosecond either side of them favoured: where an off-by-one would hide
        dev.clearline.testkit.property.Gen<Long> nearBound = Gens.elements(java.util.Arrays.stream(BOUNDS_NANOS).boxed().toList())
                .flatMap(b -> Gens.longs(-1, 1).map(d -> b + d));
        dev.clearline.testkit.property.Gen<Long> observation = Gens.frequency(3, nearBound, 2, Gens.longs(0, 10_000_000_000L), 1, Gens.longs(-1_000, 0));
        Property.forAll(Gens.listOf(observation, 0, 200)).tries(300).check(observations -> {
            LatencyHistogram h = new LatencyHistogram();
            for (long o : observations) h.record(o);
            MetricsText m = new MetricsText();
            h.write(m, "x_seconds", "help");
            List<String> lines = new ArrayList<>(List.of(m.toString().split("\n")));
            assertThat(lines.remove(0)).isEqualTo("# HELP x_seconds help");
            assertThat(lines.remove(0)).isEqualTo("# TYPE x_seconds histogram");
            for (int i = 0; i < BOUNDS_NANOS.length; i++) {
                long bound = BOUNDS_NANOS[i];
                long atMost = observations.stream().filter(o -> Math.max(0, o) <= bound).count();
                String le = BigDecimal.valueOf(bound, 9).stripTrailingZeros().toPlainString();
                assertThat(lines.get(i)).isEqualTo("x_seconds_bucket{le=\"" + le + "\"} " + atMost);
            }
            assertThat(lines.get(BOUNDS_NANOS.length)).isEqualTo("x_seconds_bucket{le=\"+Inf\"} " + observations.size());
            String sum = lines.get(BOUNDS_NANOS.length + 1);
            assertThat(sum).startsWith("x_seconds_sum ").doesNotContain("E");
            long nanos = observations.stream().mapToLong(o -> Math.max(0, o)).sum();
            assertThat(Double.parseDouble(sum.substring("x_seconds_sum ".length()))).isCloseTo(nanos / 1e9, org.assertj.core.data.Offset.offset(1e-9));
            assertThat(lines.get(BOUNDS_NANOS.length + 2)).isEqualTo("x_seconds_count " + observations.size());
            assertThat(lines).hasSize(BOUNDS_NANOS.length + 3);
        });
    }
}
