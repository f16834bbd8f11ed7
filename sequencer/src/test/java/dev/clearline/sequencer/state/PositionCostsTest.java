package dev.clearline.sequencer.state;

import com.fasterxml.jackson.databind.JsonNode;
import dev.clearline.engine.image.ImageFormatException;
import dev.clearline.engine.image.ImageReader;
import dev.clearline.engine.image.ImageWriter;
import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.sequencer.Market;
import dev.clearline.sequencer.command.Command;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What a position cost ({@link PositionCosts}): the average entry price of its open lots, what its closing fills realized,
 * and the unrealized profit at the mark, followed from the fills; a position the node could not follow shows none of them
 * rather than a wrong one. On the tracker alone, then on the sequencer's state: an account read after real fills, a
 * liquidation, a snapshot of this format and of the one before, and every position of a venue's days.
 */
class PositionCostsTest {
    private static final Address A = Address.fromHex("0x00000000000000000000000000000000000000a1");
    private static final Address B = Address.fromHex("0x00000000000000000000000000000000000000b2");

    private static PositionCosts.Cost fills(long... lotsThenPrice) {
        PositionCosts.Cost c = null;
        for (int i = 0; i < lotsThenPrice.length; i += 2) c = PositionCosts.after(c, lotsThenPrice[i], lotsThenPrice[i + 1]);
        return c;
    }

    @Test
    void buysAverageTheirPricesSellsRealizeAgainstTheAverageAndAFlipStartsAfresh() {
        assertThat(fills(3, 10_000, 1, 10_400)).isEqualTo(new PositionCosts.Cost(4, 40_400, 0, true));
        assertThat(fills(3, 10_000, 1, 10_400).entryPrice()).isEqualTo(10_100);
        // 2 of 4 lots sold at 10,500 against an average of 10,100: 800 made, the other two keep their average
        PositionCosts.Cost half = fills(3, 10_000, 1, 10_400, -2, 10_500);
        assertThat(half).isEqualTo(new PositionCosts.Cost(2, 20_200, 800, true));
        assertThat(half.unrealized(9_900)).isEqualTo(2 * 9_900 - 20_200);
        // a short: sold high, bought back lower is a profit; its cost is signed as its lots, so one formula serves both
        PositionCosts.Cost shortHalf = fills(-4, 10_000, 2, 9_500);
        assertThat(shortHalf).isEqualTo(new PositionCosts.Cost(-2, -20_000, 1_000, true));
        assertThat(shortHalf.entryPrice()).isEqualTo(10_000);
        assertThat(shortHalf.unrealized(9_000)).isEqualTo(2_000);
        // a sell of 5 against a long of 2: 2 close (realizing 2 x 300), 3 open a short at the fill's price, its realized 0
        assertThat(fills(2, 10_000, -5, 10_300)).isEqualTo(new PositionCosts.Cost(-3, -30_900, 0, true));
        assertThat(fills(2, 10_000, -2, 10_300)).isEqualTo(new PositionCosts.Cost(0, 0, 600, true));
        // the cost of lots closed one at a time adds up to what they cost: nothing is lost to rounding
        // lots closed one at a time take their cost's shares whole: 30,002 for 3 lots, then 10,000 and 10,001 of it
        assertThat(fills(1, 10_000, 1, 10_001, 1, 10_001, -1, 1, -1, 1)).isEqualTo(new PositionCosts.Cost(1, 10_001, -19_999, true));
    }

    @Test
    void aSumPast64BitsIsUnknownUntilThePositionIsClosedAndAClosedOneStartsAfresh() {
        PositionCosts.Cost big = fills(1L << 40, 1L << 30);
        assertThat(big.known()).isFalse();
        assertThat(big.lots()).isEqualTo(1L << 40);
        assertThat(new PositionCosts.Cost(1L << 40, 1L << 41, 0, true).unrealized(1L << 30)).as("past 64 bits: none").isNull();
        assertThat(PositionCosts.after(big, 5, 100)).isEqualTo(PositionCosts.Cost.unknown((1L << 40) + 5));

        PositionCosts costs = new PositionCosts();
        costs.fill(A, 1, 1L << 40, 1L << 30);
        costs.settle((a, m) -> 1L << 40);
        assertThat(costs.of(A, 1).known()).isFalse();
        costs.fill(A, 1, -(1L << 40), 1);
        costs.settle((a, m) -> 0);
        assertThat(costs.of(A, 1)).as("closed: forgotten").isNull();
        costs.fill(A, 1, 2, 10_000);
        costs.settle((a, m) -> 2);
        assertThat(costs.of(A, 1)).isEqualTo(new PositionCosts.Cost(2, 20_000, 0, true));
    }

    @Test
    void aPositionWhoseSizeTheFillsDoNotExplainIsUnknownAndTheFundIsNotFollowed() {
        PositionCosts costs = new PositionCosts();
        // a take-up's position of 5 lots, then a fill of 1: the state says 6, the fills 1
        costs.fill(A, 1, 1, 10_000);
        costs.fill(B, 1, -1, 10_000);
        costs.settle((a, m) -> a.equals(A) ? 6 : -1);
        assertThat(costs.of(A, 1)).isEqualTo(PositionCosts.Cost.unknown(6));
        assertThat(costs.of(B, 1)).isEqualTo(new PositionCosts.Cost(-1, -10_000, 0, true));
        // touched by something that is no fill (a deleverage of a position not followed): compared all the same
        costs.deleveraged(B, 2, 1, 9_000);
        costs.settle((a, m) -> m == 2 ? -3 : -1);
        assertThat(costs.of(B, 2)).isEqualTo(PositionCosts.Cost.unknown(-3));
        // a deleverage of a followed position gives back lots at the bankruptcy price, whichever side it is on
        costs.deleveraged(B, 1, 1, 9_000);
        costs.settle((a, m) -> 0);
        assertThat(costs.of(B, 1)).isNull();
        // and a long's: 2 of its 5 lots at 9,000 against an entry of 10,000
        costs.fill(A, 3, 5, 10_000);
        costs.settle((a, m) -> 5);
        costs.deleveraged(A, 3, 2, 9_000);
        costs.settle((a, m) -> 3);
        assertThat(costs.of(A, 3)).isEqualTo(new PositionCosts.Cost(3, 30_000, -2_000, true));
        costs.fill(Address.INSURANCE_FUND, 1, 3, 10_000);
        costs.touch(Address.INSURANCE_FUND, 1);
        costs.settle((a, m) -> 3);
        assertThat(costs.of(Address.INSURANCE_FUND, 1)).isNull();
        assertThat(costs.size()).isEqualTo(3);
    }

    /**
     * Over random fills of one position, checked after each: the lots are the fills' sum; what was realized less the open
     * lots' cost is exactly the cash the fills since the position opened paid and took ({@code -sum(lots * price)}: no
     * rounding loses a unit); the entry price lies between the lowest and the highest price the open lots were bought or
     * sold at since the position opened.
     */
    @Test
    void realizedLessCostIsExactlyTheCashOfTheFillsAndTheEntryLiesAmongTheirPrices() {
        Property.forAll(Gens.seeds()).tries(300).check(seed -> {
            Random r = new Random(seed);
            PositionCosts.Cost c = null;
            long cash = 0, lots = 0, low = Long.MAX_VALUE, high = Long.MIN_VALUE;
            for (int i = 0; i < 60; i++) {
                long fill = (1 + r.nextInt(r.nextBoolean() ? 5 : 400)) * (r.nextBoolean() ? 1 : -1);
                long price = 1 + r.nextInt(r.nextBoolean() ? 20 : 2_000_000);
                boolean opens = lots == 0 || Long.signum(lots) == Long.signum(fill);
                boolean flips = !opens && Math.abs(fill) > Math.abs(lots);
                c = PositionCosts.after(c, fill, price);
                lots += fill;
                if (lots == 0) { // closed: the next fill opens a new one
                    cash = 0;
                    low = Long.MAX_VALUE;
                    high = Long.MIN_VALUE;
                } else if (flips) { // a new position starts: its cash is what opened it
                    cash = -lots * price;
                    low = high = price;
                } else {
                    cash -= fill * price;
                    if (opens) {
                        low = Math.min(low, price);
                        high = Math.max(high, price);
                    }
                }
                assertThat(c.known()).isTrue();
                assertThat(c.lots()).as("fill %d", i).isEqualTo(lots);
                if (lots == 0) {
                    assertThat(c.cost()).isZero();
                    continue;
                }
                assertThat(c.realized() - c.cost()).as("fill %d: realized less cost against the cash of the fills", i).isEqualTo(cash);
                assertThat(c.entryPrice()).as("fill %d: entry among %d..%d", i, low, high).isBetween(low, high);
                assertThat(Long.signum(c.cost())).isEqualTo(Long.signum(lots));
            }
        });
    }

    @Test
    void theImageIsCanonicalAndADamagedOneIsRefused() {
        PositionCosts one = new PositionCosts(), two = new PositionCosts();
        one.fill(A, 1, 2, 10_000);
        one.fill(B, 2, -1, 9_000);
        one.fill(A, 2, 1, 7);
        one.settle((a, m) -> a.equals(A) && m == 2 ? 5 : a.equals(A) ? 2 : -1);
        byte[] image = image(one);
        two.fill(B, 2, -1, 9_000);
        two.fill(A, 1, 2, 10_000);
        two.fill(A, 2, 1, 7);
        two.settle((a, m) -> a.equals(A) && m == 2 ? 5 : a.equals(A) ? 2 : -1);
        assertThat(image(two)).as("the same positions followed in another order").isEqualTo(image);

        PositionCosts back = new PositionCosts();
        back.readImage(new ImageReader(image));
        assertThat(image(back)).isEqualTo(image);
        assertThat(back.of(A, 2)).isEqualTo(PositionCosts.Cost.unknown(5));
        assertThat(back.of(B, 2)).isEqualTo(new PositionCosts.Cost(-1, -9_000, 0, true));

        byte[] badMark = image.clone();
        badMark[0] ^= 1;
        assertThatThrownBy(() -> new PositionCosts().readImage(new ImageReader(badMark))).isInstanceOf(ImageFormatException.class)
                .hasMessageContaining("position costs");
        byte[] swapped = image.clone(); // the first owner's last byte raised past the second's: out of key order
        swapped[8 + 1 + 19] = (byte) 0xff;
        assertThatThrownBy(() -> new PositionCosts().readImage(new ImageReader(swapped))).isInstanceOf(ImageFormatException.class)
                .hasMessageContaining("key order");
        byte[] twice = java.util.Arrays.copyOf(image, image.length + 50); // the last entry again: one position twice
        System.arraycopy(image, image.length - 50, twice, image.length, 50);
        twice[7]++;
        assertThatThrownBy(() -> new PositionCosts().readImage(new ImageReader(twice))).isInstanceOf(ImageFormatException.class)
                .hasMessageContaining("key order");
        PositionCosts mid = new PositionCosts();
        mid.fill(A, 1, 1, 1);
        assertThatThrownBy(() -> image(mid)).isInstanceOf(IllegalStateException.class).hasMessageContaining("middle of a command");
    }

    private static byte[] image(PositionCosts c) {
        ImageWriter out = new ImageWriter(256);
        c.writeImage(out);
        return out.toByteArray();
    }

    // ---- on the sequencer's state ----

    private static final Market M = new Market(3);
    private final Signer alice = M.traders.get(0), bob = M.traders.get(1), carol = M.traders.get(2);
    private long clientSeq, nonce = 1;

    private JsonNode place(SequencerState s, Signer who, Side side, long price, long lots) {
        Order o = new Order(who.address(), Market.MARKET, side, price, lots * Market.LOT, 0, TimeInForce.GTC, 0, 0, nonce++, 1_000_000);
        return FinalityTest.json(s.apply(new Command.Place(2, ++clientSeq, M.order(who, o)), Market.START * 1000));
    }

    private static JsonNode position(SequencerState s, Signer who) {
        JsonNode ps = LiquidationTest.account(s, who.address()).path("positions");
        return ps.isEmpty() ? null : ps.get(0);
    }

    @Test
    void anAccountShowsTheEntryPriceAndProfitOfItsFillsThroughASnapshotAndNoneFromTheFormatBefore() throws Exception {
        SequencerState s = new SequencerState(Market.GENESIS, new NativeSecp256k1Verifier());
        for (Command c : M.opening(1)) s.apply(c, Market.START * 1000);
        place(s, bob, Side.SELL, 10_000, 3);
        place(s, alice, Side.BUY, 10_000, 3);
        place(s, carol, Side.SELL, 10_400, 1);
        place(s, alice, Side.BUY, 10_400, 1);
        place(s, carol, Side.BUY, 10_500, 2);
        place(s, alice, Side.SELL, 10_500, 2);
        JsonNode p = position(s, alice);
        assertThat(p.path("size").asLong()).isEqualTo(2 * Market.LOT);
        assertThat(p.path("entryPrice").asLong()).as(p.toString()).isEqualTo(10_100);
        assertThat(p.path("realizedPnl").asLong()).isEqualTo(800);
        long mark = p.path("markPrice").asLong();
        assertThat(p.path("unrealizedPnl").asLong()).isEqualTo(2 * mark - 20_200);
        JsonNode bobs = position(s, bob);
        assertThat(bobs.path("entryPrice").asLong()).isEqualTo(10_000);
        assertThat(bobs.path("unrealizedPnl").asLong()).isEqualTo(3 * 10_000 - 3 * mark);
        JsonNode carols = position(s, carol);
        assertThat(carols.path("size").asLong()).isEqualTo(Market.LOT);
        assertThat(carols.path("entryPrice").asLong()).as("a short of 1 at 10,400 turned into a long of 1 at 10,500").isEqualTo(10_500);
        assertThat(carols.path("realizedPnl").asLong()).isZero();

        SequencerState restored = Snapshot.read(Snapshot.write(s), Market.GENESIS, new NativeSecp256k1Verifier());
        assertThat(position(restored, alice)).isEqualTo(p);
        SequencerState before = Snapshot.read(Snapshot.writeWithoutCosts(s, 6), Market.GENESIS, new NativeSecp256k1Verifier());
        JsonNode unknown = position(before, alice);
        assertThat(unknown.path("size").asLong()).isEqualTo(2 * Market.LOT);
        assertThat(unknown.path("entryPrice").isNull()).as(unknown.toString()).isTrue();
        assertThat(unknown.path("unrealizedPnl").isNull()).isTrue();
        assertThat(unknown.path("realizedPnl").isNull()).isTrue();
        // once closed, the next position is followed again
        place(before, bob, Side.BUY, 10_200, 3);
        place(before, alice, Side.SELL, 10_200, 3);
        JsonNode flipped = position(before, alice);
        assertThat(flipped.path("size").asLong()).isEqualTo(-Market.LOT);
        assertThat(flipped.path("entryPrice").isNull()).as("still unknown: the restored node saw only the fill that flipped it").isTrue();
        place(before, bob, Side.SELL, 10_300, 1);
        place(before, alice, Side.BUY, 10_300, 1);
        assertThat(position(before, alice).path("size").asLong()).isZero();
        place(before, bob, Side.BUY, 10_300, 1);
        place(before, alice, Side.SELL, 10_300, 1);
        JsonNode reopened = position(before, alice);
        assertThat(reopened.path("size").asLong()).isEqualTo(-Market.LOT);
        assertThat(reopened.path("entryPrice").asLong()).as(reopened.toString()).isEqualTo(10_300);
    }

    @Test
    void aLiquidatedPositionIsForgottenAndTheFundShowsNoEntry() {
        SequencerState s = new SequencerState(Market.GENESIS, new NativeSecp256k1Verifier());
        List<Command> cs = LiquidationTest.opening(11_000);
        for (Command c : cs) s.apply(c, Market.START * 1000);
        Signer buyer = LiquidationTest.M.traders.get(0);
        assertThat(LiquidationTest.account(s, buyer.address()).path("positions").get(0).path("entryPrice").asLong()).isEqualTo(10_000);
        s.apply(new Command.Oracle(1, cs.size() + 1, LiquidationTest.M.price(9_000, Market.START + 2)), Market.START * 1000);
        assertThat(LiquidationTest.account(s, buyer.address()).path("positions")).isEmpty();
        JsonNode fund = LiquidationTest.account(s, Address.INSURANCE_FUND).path("positions").get(0);
        assertThat(fund.path("size").asLong()).isEqualTo(10 * Market.LOT);
        assertThat(fund.path("entryPrice").isNull()).isTrue();
        // the buyer trades again: a new position, followed from its first fill
        Signer seller = LiquidationTest.M.traders.get(1);
        s.apply(new Command.Place(1, cs.size() + 2, LiquidationTest.M.order(buyer, new Order(buyer.address(), Market.MARKET, Side.BUY, 9_000,
                Market.LOT, 0, TimeInForce.GTC, 0, 0, 2, 5_000))), Market.START * 1000);
        s.apply(new Command.Place(1, cs.size() + 3, LiquidationTest.M.order(seller, new Order(seller.address(), Market.MARKET, Side.SELL, 9_000,
                Market.LOT, 0, TimeInForce.GTC, 0, 0, 2, 5_000))), Market.START * 1000);
        assertThat(LiquidationTest.account(s, buyer.address()).path("positions").get(0).path("entryPrice").asLong()).isEqualTo(9_000);
    }

    /**
     * A deleverage gives back part of a position at the insurance fund's bankruptcy price, with no fill: the lots left keep
     * their entry price, and the difference is realized. A thin long of 5 lots goes to the fund under water; the fund closes
     * it against the only short, of 10 lots, which keeps 5.
     */
    @Test
    void aDeleverageRealizesAtTheBankruptcyPriceAndLeavesTheRestAtItsEntry() {
        SequencerState s = new SequencerState(Market.GENESIS, new NativeSecp256k1Verifier());
        for (Command c : M.opening(1)) s.apply(c, Market.START * 1000);
        place(s, bob, Side.SELL, 10_000, 10);
        Order thin = new Order(alice.address(), Market.MARKET, Side.BUY, 10_000, 5 * Market.LOT, 0, TimeInForce.GTC, 0, 0, nonce++, 5_500);
        FinalityTest.json(s.apply(new Command.Place(2, ++clientSeq, M.order(alice, thin)), Market.START * 1000));
        place(s, carol, Side.BUY, 10_000, 5);
        assertThat(position(s, bob).path("entryPrice").asLong()).isEqualTo(10_000);
        JsonNode crash = FinalityTest.json(s.apply(new Command.Oracle(3, 1, M.price(8_500, Market.START + 2)), Market.START * 1000));
        JsonNode deleverage = null;
        for (JsonNode e : crash.path("events")) if (e.path("event").asText().equals("Deleveraged")) deleverage = e;
        assertThat(deleverage).as(crash.toString()).isNotNull();
        assertThat(deleverage.path("counterparty").asText()).isEqualTo(bob.address().toString());
        long given = deleverage.path("size").asLong() / Market.LOT, at = deleverage.path("price").asLong();
        JsonNode bobs = position(s, bob);
        assertThat(bobs.path("size").asLong()).as(bobs.toString()).isEqualTo(-(10 - given) * Market.LOT).isNotZero();
        assertThat(bobs.path("entryPrice").asLong()).isEqualTo(10_000);
        assertThat(bobs.path("realizedPnl").asLong()).as("a short bought back %d lot(s) at %d", given, at).isEqualTo(given * (10_000 - at));
        assertThat(position(s, carol).path("entryPrice").asLong()).as("the long the fund did not touch").isEqualTo(10_000);
    }

    /**
     * A venue's days ({@link VenueSession}: fills of every order kind, liquidations, deleveraging, amends, take-profits
     * trimmed, margin moves) from genesis: at random commands, every trader's every open position has an entry price,
     * among the prices that market filled at, whose unrealized profit is its lots at the mark less its cost.
     */
    @Test
    void everyPositionOfAVenuesDayHasAnEntryAmongTheMarketsFillPrices() {
        Property.forAll(Gens.seeds()).tries(2).check(seed -> {
            List<Command> cs = VenueSession.of(seed);
            SequencerState s = new SequencerState(Market.GENESIS, new NativeSecp256k1Verifier());
            Random r = new Random(seed);
            long low = Long.MAX_VALUE, high = Long.MIN_VALUE;
            int checked = 0, afterDeleverage = 0;
            for (int i = 0; i < cs.size(); i++) {
                JsonNode reply = FinalityTest.json(s.apply(cs.get(i), Market.START * 1000 + i));
                boolean deleveraged = false;
                for (JsonNode e : reply.path("events")) {
                    deleveraged |= e.path("event").asText().equals("Deleveraged");
                    if (!e.path("event").asText().equals("Filled")) continue;
                    low = Math.min(low, e.path("price").asLong());
                    high = Math.max(high, e.path("price").asLong());
                }
                // after a deleverage (a position given back at its bankruptcy price, no fill) and at random commands
                if (!deleveraged && r.nextInt(20) != 0 && i != cs.size() - 1) continue;
                if (deleveraged) afterDeleverage++;
                for (Signer t : VenueSession.M.traders) {
                    for (JsonNode p : LiquidationTest.account(s, t.address()).path("positions")) {
                        if (p.path("size").asLong() == 0) continue;
                        checked++;
                        assertThat(p.path("entryPrice").isIntegralNumber()).as("command %d, %s: %s", i, t.address(), p).isTrue();
                        assertThat(p.path("entryPrice").asLong()).as("command %d: %s", i, p).isBetween(low, high);
                        long lots = p.path("size").asLong() / Market.LOT;
                        long cost = lots * p.path("entryPrice").asLong();
                        // the entry is rounded toward zero: the cost it stands for is within one unit per lot of the true one
                        assertThat(Math.abs(lots * p.path("markPrice").asLong() - cost - p.path("unrealizedPnl").asLong()))
                                .as("command %d: %s", i, p).isLessThan(Math.abs(lots));
                    }
                }
            }
            assertThat(checked).as("positions checked").isGreaterThan(50);
            assertThat(afterDeleverage).as("commands that deleveraged").isPositive();
        });
    }
}
