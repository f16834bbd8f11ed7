package dev.clearline.sequencer.oracle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.clearline.sequencer.l1.SequencerLink;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link PremiumFunding} against a model written from its definition: the rate is the average premium
 * of the book's mid over the index in the window, divided by 8, plus the interest, within the cap;
 * a round with an empty side of the book takes no sample; other markets keep the quoted rate.
 */
class PremiumFundingTest {
    private record Round(long at, long bid, long ask, long index) {}

    @Test
    void theRateIsTheWindowsAveragePremiumOverEightPlusInterestWithinTheCap() {
        Property.forAll(Gens.seeds()).tries(200).check(seed -> {
            Random r = new Random(seed);
            Duration window = Duration.ofMinutes(1 + r.nextInt(120));
            long cap = r.nextInt(5) == 0 ? 0 : 1 + r.nextInt(5_000);
            long interest = cap == 0 ? 0 : r.nextLong(-cap, cap + 1);
            PremiumFunding f = new PremiumFunding(Map.of(1, new PremiumFunding.Settings(window, cap, interest)));
            List<Round> rounds = new ArrayList<>();
            long at = 1_800_000_000L;
            long index = 1 + r.nextLong(10_000_000);
            for (int i = 0, n = 1 + r.nextInt(60); i < n; i++) {
                at += 1 + r.nextInt(r.nextBoolean() ? 30 : 900);
                index = Math.max(1, index + r.nextLong(-index / 20 - 1, index / 20 + 2));
                // a book around the index, sometimes far off, sometimes with a side empty
                long spread = r.nextLong(index / 10 + 2);
                long mid = Math.max(1, index + r.nextLong(-index / 4 - 1, index / 4 + 2));
                long bid = r.nextInt(8) == 0 ? 0 : Math.max(1, mid - spread);
                long ask = r.nextInt(8) == 0 ? 0 : mid + spread;
                Round round = new Round(at, bid, ask, index);
                rounds.add(round);
                long rate = f.ratePpmPerHour(market(1, bid, ask), new PriceSource.Quote(index, 777), at);
                long expected = model(rounds, window, cap, interest);
                assertThat(rate).as("round %d of %s", i, rounds).isEqualTo(expected);
                assertThat(Math.abs(rate)).isLessThanOrEqualTo(cap);
            }
        });
    }

    /** The definition, from every round so far. */
    private static long model(List<Round> rounds, Duration window, long cap, long interest) {
        long now = rounds.getLast().at();
        List<BigInteger> premiums = new ArrayList<>();
        for (Round x : rounds) {
            if (x.at() <= now - window.toSeconds() || x.bid() == 0 || x.ask() == 0) continue;
            BigInteger mid = BigInteger.valueOf(x.bid()).add(BigInteger.valueOf(x.ask())).shiftRight(1);
            premiums.add(mid.subtract(BigInteger.valueOf(x.index())).multiply(BigInteger.valueOf(1_000_000)).divide(BigInteger.valueOf(x.index())));
        }
        long average = premiums.isEmpty() ? 0
                : Math.floorDiv(premiums.stream().reduce(BigInteger.ZERO, BigInteger::add).longValueExact(), premiums.size());
        return Math.max(-cap, Math.min(cap, Math.floorDiv(average, 8) + interest));
    }

    @Test
    void aBookAboveTheIndexMakesLongsPayAndBelowShortsAndOtherMarketsKeepTheQuotedRate() {
        PremiumFunding f = new PremiumFunding(Map.of(1, new PremiumFunding.Settings(Duration.ofHours(1), 1_000, 0)));
        // mid 10,080 over an index of 10,000: a premium of 0.8 %, 8,000 ppm, paid over 8 hours: 1,000 ppm an hour
        assertThat(f.ratePpmPerHour(market(1, 10_070, 10_090), new PriceSource.Quote(10_000, 0), 100)).isEqualTo(1_000);
        PremiumFunding g = new PremiumFunding(Map.of(1, new PremiumFunding.Settings(Duration.ofHours(1), 1_000, 0)));
        assertThat(g.ratePpmPerHour(market(1, 9_990, 10_000), new PriceSource.Quote(10_000, 0), 100)).as("0.05 %% below").isEqualTo(-63);
        assertThat(f.ratePpmPerHour(market(2, 20_000, 20_100), new PriceSource.Quote(10_000, 42), 100)).as("a fixed-rate market").isEqualTo(42);
        assertThatThrownBy(() -> new PremiumFunding.Settings(Duration.ZERO, 10, 0)).hasMessageContaining("window must be positive");
    }

    private static SequencerLink.MarketInfo market(int id, long bid, long ask) {
        return new SequencerLink.MarketInfo(id, 1, 1, 0, 0, 0, "0x0", bid, ask);
    }
}
