package dev.clearline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * `deposit --wait` against a sequencer whose consumed count moves at random: it says credited exactly when the count
 * passed the deposit's op within the asks allowed, asks once per pause and no more, never pauses after the last ask,
 * and reports the count every {@code reportEvery} asks while it waits.
 */
class CreditWaitProperties {
    @Test
    void creditedExactlyWhenTheCountPassesTheOpWithinTheAsksAllowed() {
        Property.forAll(Gens.seeds()).tries(2_000).check(seed -> {
            Random r = new Random(seed);
            long index = r.nextInt(50);
            int polls = 1 + r.nextInt(30);
            int reportEvery = 1 + r.nextInt(5);
            // the count the sequencer gives at each ask: never down, sometimes past the op
            long[] counts = new long[polls];
            long c = r.nextInt((int) index + 2);
            for (int i = 0; i < polls; i++) {
                counts[i] = c;
                c += r.nextInt(4) == 0 ? 1 : 0;
            }
            int firstPast = -1;
            for (int i = 0; i < polls && firstPast < 0; i++) if (counts[i] > index) firstPast = i;

            int[] asked = {0};
            List<Long> pauses = new ArrayList<>();
            List<Long> reports = new ArrayList<>();
            boolean credited = CreditWait.await(() -> counts[asked[0]++], index, polls, 500, reportEvery, reports::add, pauses::add);

            assertThat(credited).as("seed %d", seed).isEqualTo(firstPast >= 0);
            int asks = firstPast >= 0 ? firstPast + 1 : polls;
            assertThat(asked[0]).as("asks").isEqualTo(asks);
            assertThat(pauses).as("a pause between asks, none after the last").hasSize(asks - 1).allMatch(p -> p == 500);
            List<Long> expected = new ArrayList<>();
            for (int i = 0; i < asks; i++) if ((i + 1) % reportEvery == 0 && counts[i] <= index) expected.add(counts[i]);
            assertThat(reports).as("the count, every %d asks while waiting", reportEvery).isEqualTo(expected);
        });
    }
}
