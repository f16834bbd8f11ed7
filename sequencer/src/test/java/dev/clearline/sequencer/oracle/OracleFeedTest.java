package dev.clearline.sequencer.oracle;

import com.fasterxml.jackson.databind.JsonNode;
import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.sequencer.Market;
import dev.clearline.sequencer.command.Command;
import dev.clearline.sequencer.command.ReplyCodec;
import dev.clearline.sequencer.l1.GatewayLink;
import dev.clearline.sequencer.l1.SequencerLink;
import dev.clearline.sequencer.state.SequencerState;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The signed price and funding feed through the sequencer's state machine: prices land, funding accrues exactly. */
class OracleFeedTest {
    final Market m = new Market(2);
    final SequencerState state = new SequencerState(Market.GENESIS, new NativeSecp256k1Verifier());
    final long[] now = {Market.START * 1000};
    final SequencerLink link = GatewayLink.direct(state, () -> now[0]);

    OracleFeedTest() {
        for (Command c : m.opening(7)) state.apply(c, now[0]);
    }

    @Test
    void fundingAccruesFromTheRateAndTheTimeBetweenReportsAndLongsPayWhatShortsReceive() throws Exception {
        // trader 0 long 4 lots, trader 1 short 4 lots, at 10_000 per lot
        Signer a = m.traders.get(0), b = m.traders.get(1);
        state.apply(new Command.Place(7, 5, m.order(a, new Order(a.address(), 1, Side.BUY, 10_000, 4 * Market.LOT, 0, TimeInForce.GTC, 0, 0, 1, 20_000))), now[0]);
        state.apply(new Command.Place(7, 6, m.order(b, new Order(b.address(), 1, Side.SELL, 10_000, 4 * Market.LOT, 0, TimeInForce.GTC, 0, 0, 1, 20_000))), now[0]);

        // 0.1 % of the price per hour, charged to longs
        OracleFeed feed = new OracleFeed(m.domain, m.oracle, (market, t) -> new PriceSource.Quote(10_000, 1_000), link);
        assertThat(feed.publish(Market.START + 3_600)).isEqualTo(1);
        SequencerLink.MarketInfo info = link.markets().getFirst();
        assertThat(info.fundingIndex()).as("10_000 * 0.1%% for one hour").isEqualTo(10);
        assertThat(info.lastOracleTs()).isEqualTo(Market.START + 3_600);
        assertThat(feed.publish(Market.START + 5_400)).isEqualTo(1);
        assertThat(link.markets().getFirst().fundingIndex()).isEqualTo(15);

        long longOwes = position(a).get("unsettledFunding").asLong();
        long shortGets = position(b).get("unsettledFunding").asLong();
        assertThat(longOwes).isEqualTo(-4 * 15);
        assertThat(shortGets).isEqualTo(4 * 15);
        assertThat(position(a).get("equity").asLong() + position(b).get("equity").asLong())
                .as("funding moves value between positions, it creates none (fees aside)")
                .isEqualTo(position(a).get("quote").asLong() + position(b).get("quote").asLong());
    }

    @Test
    void premiumFundingChargesLongsWhileTheBookTradesAboveTheIndex() throws Exception {
        // a resting bid at 10,100 and ask at 10,300 per lot: the mid, 10,200, is 2 % over an index of 10,000
        Signer a = m.traders.get(0), b = m.traders.get(1);
        state.apply(new Command.Place(7, 5, m.order(a, new Order(a.address(), 1, Side.BUY, 10_100, Market.LOT, 0, TimeInForce.GTC, 0, 0, 1, 20_000))), now[0]);
        state.apply(new Command.Place(7, 6, m.order(b, new Order(b.address(), 1, Side.SELL, 10_300, Market.LOT, 0, TimeInForce.GTC, 0, 0, 1, 20_000))), now[0]);
        SequencerLink.MarketInfo book = link.markets().getFirst();
        assertThat(book.bestBid()).isEqualTo(10_100);
        assertThat(book.bestAsk()).isEqualTo(10_300);

        PremiumFunding premium = new PremiumFunding(Map.of(1, new PremiumFunding.Settings(java.time.Duration.ofHours(1), 1_000, 0)));
        OracleFeed feed = new OracleFeed(m.domain, m.oracle, (market, t) -> new PriceSource.Quote(10_000, 0), premium, link);
        long before = link.markets().getFirst().fundingIndex();
        assertThat(feed.publish(Market.START + 3_600)).isEqualTo(1);
        assertThat(feed.publish(Market.START + 7_200)).isEqualTo(1);
        // 20,000 ppm over 8 hours is 2,500 ppm an hour, capped at 1,000: 10,000 * 0.1 % for each of the two hours since the
        // opening's report
        assertThat(link.markets().getFirst().fundingIndex() - before).as("longs pay").isEqualTo(20);
    }

    @Test
    void impactPricesReadTheBooksDepthThroughTheLogAndALotAtTheTopChargesNobody() throws Exception {
        // one lot each at 10,100 and 10,300 (the mid 2 % over the index of 10,000), and five lots behind each at 9,800 and
        // 10,400: 20,000 of notional sells at 9,949 on average and buys at 10,348, on either side of the index
        Signer a = m.traders.get(0), b = m.traders.get(1);
        state.apply(new Command.Place(7, 5, m.order(a, new Order(a.address(), 1, Side.BUY, 10_100, Market.LOT, 0, TimeInForce.GTC, 0, 0, 1, 20_000))), now[0]);
        state.apply(new Command.Place(7, 6, m.order(b, new Order(b.address(), 1, Side.SELL, 10_300, Market.LOT, 0, TimeInForce.GTC, 0, 0, 1, 20_000))), now[0]);
        state.apply(new Command.Place(7, 7, m.order(a, new Order(a.address(), 1, Side.BUY, 9_800, 5 * Market.LOT, 0, TimeInForce.GTC, 0, 0, 2, 100_000))), now[0]);
        state.apply(new Command.Place(7, 8, m.order(b, new Order(b.address(), 1, Side.SELL, 10_400, 5 * Market.LOT, 0, TimeInForce.GTC, 0, 0, 2, 100_000))), now[0]);
        SequencerLink.Depth depth = link.depth(1);
        assertThat(depth.bids()).containsExactly(new SequencerLink.Level(10_100, Market.LOT), new SequencerLink.Level(9_800, 5 * Market.LOT));
        assertThat(depth.asks()).containsExactly(new SequencerLink.Level(10_300, Market.LOT), new SequencerLink.Level(10_400, 5 * Market.LOT));
        assertThatThrownBy(() -> link.depth(9)).isInstanceOf(java.io.IOException.class).hasMessageContaining("no book for market 9");

        PremiumFunding impact = new PremiumFunding(Map.of(1, new PremiumFunding.Settings(java.time.Duration.ofHours(1), 1_000, 0, 20_000)));
        OracleFeed feed = new OracleFeed(m.domain, m.oracle, (market, t) -> new PriceSource.Quote(10_000, 0), impact, link);
        long before = link.markets().getFirst().fundingIndex();
        assertThat(feed.publish(Market.START + 3_600)).isEqualTo(1);
        assertThat(feed.publish(Market.START + 7_200)).isEqualTo(1);
        assertThat(link.markets().getFirst().fundingIndex() - before).as("no premium at the impact prices: nobody pays").isZero();
    }

    @Test
    void anImpactNotionalDeeperThanFiftyLevelsIsReadToItsEndSoPaddingTheTopDoesNotStarveFunding() throws Exception {
        // 100 lots bid at 10,500, 5 % over the index of 10,000; the asks: one lot at each of 60 ticks from 10,600 (813,000 of
        // notional in all), then 100 lots at 17,000. An impact notional of 900,000 reaches past the 60th level.
        Signer a = m.traders.get(0), b = m.traders.get(1);
        long seq = 5;
        state.apply(new Command.Place(7, seq++, m.order(a, new Order(a.address(), 1, Side.BUY, 10_500, 100 * Market.LOT, 0, TimeInForce.GTC, 0, 0, 1,
                300_000))), now[0]);
        for (int i = 0; i < 60; i++) {
            state.apply(new Command.Place(7, seq++, m.order(b, new Order(b.address(), 1, Side.SELL, 10_600 + i * Market.TICK, Market.LOT, 0,
                    TimeInForce.GTC, 0, 0, 1 + i, 5_000))), now[0]);
        }
        state.apply(new Command.Place(7, seq++, m.order(b, new Order(b.address(), 1, Side.SELL, 17_000, 100 * Market.LOT, 0, TimeInForce.GTC, 0, 0, 100,
                300_000))), now[0]);
        assertThat(link.depth(1).asks()).as("the API's depth: the top 50").hasSize(50);
        assertThat(link.depth(1, 813_000).asks()).as("exactly as deep as reaches the notional").hasSize(60);
        SequencerLink.Depth deep = link.depth(1, 813_001);
        assertThat(deep.asks()).hasSize(61);
        assertThat(deep.asks().getLast()).isEqualTo(new SequencerLink.Level(17_000, 100 * Market.LOT));
        assertThat(deep.bids()).containsExactly(new SequencerLink.Level(10_500, 100 * Market.LOT));
        assertThat(link.depth(1, Long.MAX_VALUE).asks()).as("a notional past every level: the whole side").hasSize(61);

        PremiumFunding impact = new PremiumFunding(Map.of(1, new PremiumFunding.Settings(java.time.Duration.ofHours(1), 1_000, 0, 900_000)));
        OracleFeed feed = new OracleFeed(m.domain, m.oracle, (market, t) -> new PriceSource.Quote(10_000, 0), impact, link);
        long before = link.markets().getFirst().fundingIndex();
        assertThat(feed.publish(Market.START + 3_600)).isEqualTo(1);
        assertThat(feed.publish(Market.START + 7_200)).isEqualTo(1);
        // the impact bid 10,500 is 5 % over the index and the impact ask above it: 50,000 ppm over 8 hours, capped at 1,000 an hour
        assertThat(link.markets().getFirst().fundingIndex() - before).as("longs pay the capped rate for two hours").isEqualTo(20);
    }

    @Test
    void aRoundAtZeroRateOrWithNoTimePassedKeepsTheIndexItStartedFrom() {
        FundingIndex f = new FundingIndex(12_345);
        assertThat(f.accrue(10_000, 0, 3_600)).isEqualTo(12_345);
        assertThat(f.accrue(10_000, 500, 0)).isEqualTo(12_345);
        assertThat(f.accrue(10_000, -500, -7)).isEqualTo(12_345);
        assertThat(f.value()).isEqualTo(12_345);
        assertThat(f.accrue(10_000, 500, 3_600)).as("then it moves: 10,000 x 0.05 %%").isEqualTo(12_350);
    }

    @Test
    void aRoundAtOrBeforeTheLastReportLandsOneSecondAfterIt() throws Exception {
        OracleFeed feed = new OracleFeed(m.domain, m.oracle, (market, t) -> new PriceSource.Quote(10_000, 0), link);
        assertThat(feed.publish(Market.START + 100)).isEqualTo(1);
        assertThat(feed.publish(Market.START + 40)).as("a clock behind the state's oracle time").isEqualTo(1);
        assertThat(link.markets().getFirst().lastOracleTs()).isEqualTo(Market.START + 101);
        assertThat(feed.publish(Market.START + 101)).isEqualTo(1);
        assertThat(link.markets().getFirst().lastOracleTs()).isEqualTo(Market.START + 102);
        assertThat(feed.published()).isEqualTo(3);
    }

    @Test
    void theCarryAcrossRoundsLosesNothingAndAnIndexAnotherFeedMovedIsFollowed() throws Exception {
        // 1,800,000 per lot at 1,000 ppm an hour: half a unit a second, so every unit comes from two rounds' carry
        OracleFeed a = new OracleFeed(m.domain, m.oracle, (market, t) -> new PriceSource.Quote(1_800_000, 1_000), link);
        a.publish(Market.START + 1_000); // from the opening's report at START: 500 units
        long start = link.markets().getFirst().fundingIndex();
        assertThat(start).isEqualTo(500);
        for (int i = 1; i <= 10; i++) a.publish(Market.START + 1_000 + i);
        assertThat(link.markets().getFirst().fundingIndex() - start).as("ten rounds of half a unit each").isEqualTo(5);

        // another feed with the same key moves the index on its own terms; this one goes on from where the state is
        OracleFeed b = new OracleFeed(m.domain, m.oracle, (market, t) -> new PriceSource.Quote(1_800_000, 100_000), link);
        b.publish(Market.START + 1_020);
        long moved = link.markets().getFirst().fundingIndex();
        assertThat(moved).isGreaterThan(start + 5 + 400);
        a.publish(Market.START + 1_022);
        assertThat(link.markets().getFirst().fundingIndex()).as("one more second from the state's index").isEqualTo(moved + 1);
    }

    @Test
    void theDevWalkStepsWithinItsBoundAndItsRateFollowsTheDriftWithinItsCap() throws Exception {
        long start = 10_000_000;
        int stepPpm = 2_000;
        long cap = 500;
        DevPriceSource walk = new DevPriceSource(Map.of(1, start), 9, stepPpm, cap);
        long previous = start;
        boolean up = false, down = false, capped = false;
        for (int i = 0; i < 3_000; i++) {
            PriceSource.Quote q = walk.quote(1, Market.START + i);
            assertThat(Math.abs(q.price() - previous)).as("one step").isLessThanOrEqualTo(previous * stepPpm / 1_000_000);
            long drift = (q.price() - start) * 1_000_000 / start;
            assertThat(q.fundingRatePpmPerHour()).as("a tenth of the drift, within the cap").isEqualTo(Math.max(-cap, Math.min(cap, drift / 10)));
            up |= q.price() > previous;
            down |= q.price() < previous;
            capped |= Math.abs(q.fundingRatePpmPerHour()) == cap;
            previous = q.price();
        }
        assertThat(up && down).as("the walk goes both ways").isTrue();
        assertThat(capped).as("a walk this long reaches the cap").isTrue();
    }

    @Test
    void aFeedWhoseKeyIsNotTheMarketsOracleSendsNothingAndAForgedPriceIsRefusedByTheStf() throws Exception {
        Signer stranger = Market.signer(500);
        OracleFeed feed = new OracleFeed(m.domain, stranger, (market, t) -> new PriceSource.Quote(20_000, 0), link);
        assertThat(feed.publish(Market.START + 10)).isZero();
        long ts = Market.START + 11;
        var forged = new dev.clearline.engine.transition.Transition.OraclePrice(1, 20_000, 0, ts,
                stranger.sign(m.domain.oraclePriceDigest(1, 20_000, 0, ts)));
        assertThat(link.submit(forged)).isPresent();
        assertThat(link.markets().getFirst().markPrice()).isEqualTo(10_000);
    }

    @Test
    void aRestartedFeedContinuesFromTheIndexInTheState() throws Exception {
        PriceSource steady = (market, t) -> new PriceSource.Quote(36_000, 100);
        new OracleFeed(m.domain, m.oracle, steady, link).publish(Market.START + 3_600);
        long before = link.markets().getFirst().fundingIndex();
        new OracleFeed(m.domain, m.oracle, steady, link).publish(Market.START + 7_200);
        assertThat(link.markets().getFirst().fundingIndex()).isEqualTo(before + 36_000L * 100 / 1_000_000);
    }

    @Test
    void accruingInManyStepsGivesExactlyWhatOneStepGives() {
        Property.forAll(Gens.listOf(Gens.longs(1, 5_000), 1, 40), Gens.longs(-50_000, 50_000)).check((steps, rate) -> {
            FundingIndex pieces = new FundingIndex(0);
            long total = 0;
            for (long s : steps) {
                pieces.accrue(123_456_789L, rate, s);
                total += s;
            }
            FundingIndex once = new FundingIndex(0);
            once.accrue(123_456_789L, rate, total);
            assertThat(pieces.value()).isEqualTo(once.value());
        });
    }

    @Test
    void theDevSourceRepeatsItselfForASeedAndStaysPositive() throws Exception {
        DevPriceSource x = new DevPriceSource(Map.of(1, 10_000L), 42, 2_000, 500);
        DevPriceSource y = new DevPriceSource(Map.of(1, 10_000L), 42, 2_000, 500);
        for (int i = 0; i < 500; i++) {
            PriceSource.Quote q = x.quote(1, i);
            assertThat(q).isEqualTo(y.quote(1, i));
            assertThat(q.price()).isPositive();
            assertThat(Math.abs(q.fundingRatePpmPerHour())).isLessThanOrEqualTo(500);
        }
    }

    private JsonNode position(Signer s) throws Exception {
        byte[] bytes = ReplyCodec.encode(state.apply(new Command.Query(7, 0, Command.QueryKind.ACCOUNT, 0, s.address(), null), now[0]));
        JsonNode positions = ReplyCodec.decode(bytes, 0, bytes.length).path("account").path("positions");
        assertThat(positions).hasSize(1);
        return positions.get(0);
    }

}
