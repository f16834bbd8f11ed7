package dev.clearline.sequencer.poster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * What a refusal to start offers is exact for any deployment: the {@code --batch-seconds} it names
 * as accepted passes and one more is refused, and the one it names as keeping a margin passes the
 * warning and one more is warned of. A suggestion one off either way sends an operator round again.
 */
class ForceDelayFitProperties {
    private static final Pattern OFFER = Pattern.compile("pass --batch-seconds (\\d+) or less \\((\\d+) or less keeps a margin\\)");

    /** A force delay (s), L1's time speed and the poster's interval (ms). */
    private record Deployment(long forceDelaySeconds, long timeSpeed, long intervalMillis) {}

    @Test
    void theBatchSecondsARefusalOffersAreTheLongestThatPass() {
        // short force delays too, where not even one-second batches keep the margin (or pass at all)
        var deployments = Gens.oneOf(Gens.longs(2, 200), Gens.longs(200, 2_000_000)).zip(Gens.longs(1, 50), (delay, speed) -> new long[] {delay, speed})
                .zip(Gens.longs(0, 30_000), (ds, interval) -> new Deployment(ds[0], ds[1], interval));
        Property.forAll(deployments).check(d -> {
            L1Side.Found found = new L1Side.Found(d.forceDelaySeconds(), d.timeSpeed(), 0, null);
            long interval = d.intervalMillis();
            // a batch as long as the force delay itself is always refused, with the offer
            String refusal = found.tooSlow(d.forceDelaySeconds(), interval, true).orElseThrow();
            Matcher m = OFFER.matcher(refusal);
            assertThat(m.find()).as(refusal).isTrue();
            long accepted = Long.parseLong(m.group(1));
            long margin = Long.parseLong(m.group(2));
            assertThat(accepted).as("never less than the shortest batch there is").isPositive();
            assertThat(margin).as("never less than the shortest batch there is").isPositive();
            if (found.tooSlow(1, interval, true).isEmpty()) {
                assertThat(found.tooSlow(accepted, interval, true)).as("the accepted offer").isEmpty();
                assertThat(found.tooSlow(accepted + 1, interval, true)).as("one second more than the accepted offer").isPresent();
            } else {
                assertThat(accepted).as("nothing passes: the shortest is offered").isOne();
            }
            if (found.tooSlow(1, interval, false).isEmpty()) {
                assertThat(found.tooSlow(margin, interval, false)).as("the margin's offer").isEmpty();
                assertThat(found.tooSlow(margin + 1, interval, false)).as("one second more than the margin's offer").isPresent();
            } else {
                assertThat(margin).as("no margin at all: the shortest is offered").isOne();
            }
        });
    }
}
