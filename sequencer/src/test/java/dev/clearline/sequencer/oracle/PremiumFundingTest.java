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

    /** The mid's premium needs no depth: asking for it fails the test. */
    static final FundingRate.Book NO_BOOK = notional -> {
        throw new AssertionError("the mid's premium read the book's depth");
    };

    @Test
    void theRateIsTheWindowsAveragePremiumOverEightPlusInterestWithinTheCap() throws Exception {
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
                long rate = f.ratePpmPerHour(market(1, bid, ask), NO_BOOK, new PriceSource.Quote(index, 777), at);
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
    void aBookAboveTheIndexMakesLongsPayAndBelowShortsAndOtherMarketsKeepTheQuotedRate() throws Exception {
        PremiumFunding f = new PremiumFunding(Map.of(1, new PremiumFunding.Settings(Duration.ofHours(1), 1_000, 0)));
        // mid 10,080 over an index of 10,000: a premium of 0.8 %, 8,000 ppm, paid over 8 hours: 1,000 ppm an hour
        assertThat(f.ratePpmPerHour(market(1, 10_070, 10_090), NO_BOOK, new PriceSource.Quote(10_000, 0), 100)).isEqualTo(1_000);
        PremiumFunding g = new PremiumFunding(Map.of(1, new PremiumFunding.Settings(Duration.ofHours(1), 1_000, 0)));
        assertThat(g.ratePpmPerHour(market(1, 9_990, 10_000), NO_BOOK, new PriceSource.Quote(10_000, 0), 100)).as("0.05 %% below").isEqualTo(-63);
        assertThat(f.ratePpmPerHour(market(2, 20_000, 20_100), NO_BOOK, new PriceSource.Quote(10_000, 42), 100)).as("a fixed-rate market").isEqualTo(42);
        assertThatThrownBy(() -> new PremiumFunding.Settings(Duration.ZERO, 10, 0)).hasMessageContaining("window must be positive");
    }

    /**
     * The impact price against a model that fills the notional one lot at a time, the last lot in
     * part: with {@code W} whole lots and {@code rest} of the notional left at the last price
     * {@code p}, the exact average is {@code notional * p / (W * p + rest)}, and the result must be
     * its floor (bids) or its ceiling (asks), checked by exact integer inequalities; null exactly
     * when the side holds less than the notional.
     */
    @Test
    void anImpactPriceIsTheExactAveragePriceOfItsNotionalRoundedAgainstTheTaker() {
        Property.forAll(Gens.seeds()).tries(300).check(seed -> {
            Random r = new Random(seed);
            long lot = 1 + r.nextInt(r.nextBoolean() ? 10 : 10_000);
            List<SequencerLink.Level> side = new ArrayList<>();
            long price = 1 + r.nextLong(1_000_000);
            for (int i = 0, n = r.nextInt(8); i < n; i++) {
                side.add(new SequencerLink.Level(price, lot * (1 + r.nextInt(r.nextBoolean() ? 3 : 50))));
                price = Math.max(1, price + r.nextLong(-price / 10 - 1, price / 10 + 2));
            }
            long total = side.stream().mapToLong(l -> l.size() / lot * l.price()).sum();
            long notional = 1 + r.nextLong(Math.max(1, total * 5 / 4));
            BigInteger[] fill = lotByLot(side, lot, notional); // {W, rest, p}
            for (boolean up : new boolean[] {false, true}) {
                BigInteger got = PremiumFunding.impactPrice(side, lot, notional, up);
                if (fill == null) {
                    assertThat(got).as("a side holding %d of %d", total, notional).isNull();
                    continue;
                }
                String what = side + ", lot " + lot + ", notional " + notional + ", rounded " + (up ? "up" : "down");
                assertThat(got).as(what).isNotNull();
                BigInteger num = BigInteger.valueOf(notional).multiply(fill[2]);
                BigInteger den = fill[0].multiply(fill[2]).add(fill[1]);
                BigInteger below = up ? got.subtract(BigInteger.ONE) : got;
                BigInteger above = up ? got : got.add(BigInteger.ONE);
                // below <= exact <= above, strict on the side the rounding excludes
                if (up) {
                    assertThat(below.multiply(den)).as(what).isLessThan(num);
                    assertThat(above.multiply(den)).as(what).isGreaterThanOrEqualTo(num);
                } else {
                    assertThat(below.multiply(den)).as(what).isLessThanOrEqualTo(num);
                    assertThat(above.multiply(den)).as(what).isGreaterThan(num);
                }
            }
        });
    }

    /** {whole lots taken, notional left for the last lot, that lot's price}, counting lot by lot; null when the side runs out first. */
    private static BigInteger[] lotByLot(List<SequencerLink.Level> side, long lot, long notional) {
        long left = notional;
        long whole = 0;
        long last = 0;
        for (SequencerLink.Level l : side) {
            for (long k = 0; k < l.size() / lot && left > 0; k++) {
                last = l.price();
                if (left >= l.price()) {
                    left -= l.price();
                    whole++;
                } else {
                    return new BigInteger[] {BigInteger.valueOf(whole), BigInteger.valueOf(left), BigInteger.valueOf(last)};
                }
            }
            if (left == 0) return new BigInteger[] {BigInteger.valueOf(whole), BigInteger.ZERO, BigInteger.valueOf(last)};
        }
        return null;
    }

    @Test
    void aNotionalExactlyTheSidesWholeDepthFillsAndOneUnitMoreDoesNot() {
        List<SequencerLink.Level> side = List.of(new SequencerLink.Level(100, 30), new SequencerLink.Level(90, 20)); // lots of 10
        assertThat(PremiumFunding.impactPrice(side, 10, 300 + 180, false)).as("3 lots at 100 and 2 at 90: 480 for 5 lots").isEqualTo(BigInteger.valueOf(96));
        assertThat(PremiumFunding.impactPrice(side, 10, 300, true)).as("exactly the first level").isEqualTo(BigInteger.valueOf(100));
        assertThat(PremiumFunding.impactPrice(side, 10, 481, false)).isNull();
        assertThat(PremiumFunding.impactPrice(List.of(), 10, 1, true)).isNull();
    }

    /**
     * Why impact prices: one lot bid just under the ask moves the mid's premium to the cap, but an
     * impact notional of 50 lots fills at the book's real depth, which straddles the index, so the
     * premium stays zero; real size bid above the index does make longs pay.
     */
    @Test
    void oneLotInsideTheSpreadMovesTheMidsPremiumButNotTheImpactPremium() throws Exception {
        List<SequencerLink.Level> asks = List.of(new SequencerLink.Level(10_100, 100));
        List<SequencerLink.Level> bids = List.of(new SequencerLink.Level(10_099, 1), new SequencerLink.Level(9_900, 100));
        FundingRate.Book book = notional -> new SequencerLink.Depth(bids, asks);
        PriceSource.Quote index = new PriceSource.Quote(10_000, 0);
        PremiumFunding mid = new PremiumFunding(Map.of(1, new PremiumFunding.Settings(Duration.ofHours(1), 1_000, 0)));
        assertThat(mid.ratePpmPerHour(market(1, 10_099, 10_100), NO_BOOK, index, 100)).as("the mid at 10,099.5: the cap").isEqualTo(1_000);
        PremiumFunding impact = new PremiumFunding(Map.of(1, new PremiumFunding.Settings(Duration.ofHours(1), 1_000, 0, 50 * 10_000)));
        assertThat(impact.ratePpmPerHour(market(1, 10_099, 10_100), book, index, 100)).as("impact bid below, impact ask above the index").isZero();

        List<SequencerLink.Level> deepBids = List.of(new SequencerLink.Level(10_050, 60), new SequencerLink.Level(9_900, 100));
        PremiumFunding real = new PremiumFunding(Map.of(1, new PremiumFunding.Settings(Duration.ofHours(1), 1_000, 0, 50 * 10_000)));
        // 50 lots sold into 60 bid at 10,050: an impact bid of 10,050, 0.5 % over the index, 5,000 ppm over 8 hours
        FundingRate.Book toTheNotional = notional -> {
            assertThat(notional).as("the book is read as deep as the impact notional").isEqualTo(50 * 10_000);
            return new SequencerLink.Depth(deepBids, asks);
        };
        assertThat(real.ratePpmPerHour(market(1, 10_050, 10_100), toTheNotional, index, 100)).isEqualTo(625);
        PremiumFunding thin = new PremiumFunding(Map.of(1, new PremiumFunding.Settings(Duration.ofHours(1), 1_000, 7, 1_000_000_000)));
        assertThat(thin.ratePpmPerHour(market(1, 10_050, 10_100), book, index, 100)).as("a book too thin for the notional: no sample, the interest")
                .isEqualTo(7);
        assertThatThrownBy(() -> new PremiumFunding.Settings(Duration.ofHours(1), 10, 0, -1)).hasMessageContaining("impact notional");
    }

    private static SequencerLink.MarketInfo market(int id, long bid, long ask) {
        return new SequencerLink.MarketInfo(id, 1, 1, 0, 0, 0, "0x0", bid, ask);
    }
}
