package dev.clearline.engine.exchange;

import dev.clearline.engine.book.BookConfig;
import dev.clearline.engine.book.OrderBook;
import dev.clearline.engine.image.ImageFormatException;
import dev.clearline.engine.image.ImageReader;
import dev.clearline.engine.image.ImageWriter;
import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Peg;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.Signature;
import dev.clearline.engine.order.SignatureVerifier;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.engine.stf.Reject;
import dev.clearline.engine.stf.StateReads;
import dev.clearline.engine.testkit.World;
import dev.clearline.engine.transition.Transition;
import dev.clearline.testkit.property.Gen;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Function;

import static dev.clearline.engine.testkit.World.LOT;
import static dev.clearline.engine.testkit.World.TICK;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * State images of the exchange ({@link Exchange#writeImage}, {@link Exchange#readImage}). The main
 * property runs a random flow (many traders, two or three markets, every order type, amends,
 * cancels, oracle prices that move time, sweep expiries and bankrupt positions, liquidations,
 * deleverages, collateral moves, forced operations, market configs) on exchange A; at several
 * cut points A's image is restored as B, and from then on every command goes to both: their
 * replies, events (with sequence numbers), transitions and every query must be equal after each
 * command, and their images byte for byte at each later cut and at the end, which is what catches
 * a field an image forgot even when no command happened to read it. Orders enter as already
 * verified (the signature stage has its own tests); oracle prices and collateral moves carry
 * real signatures.
 */
class ExchangeImageProperties {
    static final int TRADERS = 8;
    static final Signature UNSIGNED = new Signature(new byte[65]);
    static final MarketBooks SIZES = new MarketBooks(1 << 16, 1 << 30, 1 << 10);
    static final SignatureVerifier VERIFIER = new NativeSecp256k1Verifier();

    /** One step: {@code kind} picks the command, the other numbers its details (read against the exchange's state). */
    record Step(int kind, int trader, int market, int x1, int x2, int x3, int x4, int x5, int bits) {}

    static final Gen<Step> STEP = Gen.of(r -> new Step(r.nextInt(100), r.nextInt(TRADERS), r.nextInt(1 << 10),
            r.nextInt(1 << 16), r.nextInt(1 << 16), r.nextInt(1 << 16), r.nextInt(1 << 16), r.nextInt(1 << 16), r.nextInt() >>> 1));

    @Test
    void aRestoredExchangeAnswersEveryFollowingCommandAsTheOriginal() {
        Map<String, Long> seen = new TreeMap<>();
        Property.forAll(Gens.listOf(STEP, 1, 300)).tries(60).check(steps -> {
            Run run = new Run(SIZES);
            for (Step s : steps) run.step(s);
            run.finish();
            run.seen.forEach((k, v) -> seen.merge(k, v, Long::sum));
        });
        System.out.println("ExchangeImageProperties: " + seen);
        if (System.getProperty("clearline.seed", "").isEmpty()) {
            // the flows must reach what an image has to carry, or equal outputs would prove little
            assertThat(seen).as("what the flows reached").containsKeys("cut", "Filled", "Rested", "Expired", "Amended",
                    "Cancelled:RISK", "Cancelled:FORCED", "Cancelled:REQUESTED", "Cancelled:SELF_TRADE", "FillRefused",
                    "Deleveraged", "InsuranceShortfall", "Rejected:DUPLICATE_ORDER", "Rejected:ORDER_CANCELLED",
                    "Rejected:DUPLICATE_NONCE", "resting pegs at a cut", "queued expiries at a cut",
                    "hashes waiting for their prune at a cut");
        }
    }

    /**
     * An insurance shortfall no position could take is outstanding at the cut (the case of
     * DeleverageExchangeTest): the restored exchange must retry it after the next fill exactly as
     * the original does, which it does only if it knows the shortfall it reported.
     */
    @Test
    void anOutstandingShortfallIsRetriedAfterTheImageAsBefore() {
        Run run = new Run(SIZES);
        int m = 2; // no liquidation fee: the fund has nothing to carry bad debt with
        run.submit(run.order(2, m, Side.SELL, 10_000, 10, 300_000));
        run.submit(run.order(0, m, Side.BUY, 10_000, 10, 10_100));     // a thin long against trader 2
        run.price(m, 7_000);
        run.submit(run.order(3, m, Side.SELL, 7_000, 10, 7_100));      // the only short left will be thin
        run.submit(run.order(5, m, Side.BUY, 7_000, 10, 50_000));
        run.submit(run.order(5, m, Side.SELL, 7_000, 10, 0));          // trader 2 closes against trader 5
        run.submit(run.order(2, m, Side.BUY, 7_000, 10, 0));
        run.price(m, 6_900);
        Transition.Liquidate l = new Transition.Liquidate(run.traders[0].address(), m);
        run.command("liquidate the thin long", x -> x.apply(l));
        assertThat(run.a.insuranceShortfall()).as("bad debt nobody could take").isPositive();
        run.cut();
        run.submit(run.order(7, m, Side.SELL, 6_900, 10, 200_000)); // a well-funded short arrives
        run.submit(run.order(4, m, Side.BUY, 6_900, 10, 200_000));  // the fill that opens it retries the shortfall
        assertThat(run.a.insuranceShortfall()).as("made good after the cut").isZero();
        assertThat(run.seen).containsKeys("Deleveraged", "InsuranceShortfall");
        run.finish();
    }

    /**
     * The live-order table grew past its first size and shrank again, so its layout is its
     * history's, not what the orders left would give. A liquidation cancels the trader's resting
     * orders in that layout's order, so the restored table must be the same table.
     */
    @Test
    void aTableThatGrewAndShrankIsWalkedInItsOwnOrder() {
        Run run = new Run(SIZES);
        int m = 1;
        Address x = run.traders[2].address();
        run.command("deposit", e -> e.apply(new Transition.Deposit(run.priority(), 0, x, 1_000_000_000L)));
        run.submit(run.order(5, m, Side.SELL, 10_000, 10, 300_000));
        run.submit(run.order(2, m, Side.BUY, 10_000, 10, 10_100));  // a thin long
        List<VerifiedOrder> sells = new ArrayList<>();
        for (int i = 0; i < 700; i++) {
            VerifiedOrder v = run.order(2, m, Side.SELL, 15_000 + i % 50 * TICK, 1, 3_000);
            run.submit(v);
            sells.add(v);
        }
        for (int i = 0; i < 700; i += 3) {
            VerifiedCancel c = new VerifiedCancel(x, sells.get(i).hash(), UNSIGNED);
            run.command("cancel", e -> e.cancel(c));
        }
        assertThat(run.a.book(m).restingOrders()).as("fewer than half the table's first size").isBetween(300, 500);
        run.cut();
        run.price(m, 8_500);  // the thin long is bankrupt
        Transition.Liquidate l = new Transition.Liquidate(x, m);
        run.command("liquidate", e -> e.apply(l));
        assertThat(run.seen.get("Cancelled:RISK")).as("resting orders the liquidation took off").isGreaterThan(400);
        run.finish();
    }

    @Test
    void anImageGrowsWithWhatRestsNotWithTheBooksCapacity() {
        World w = new World();
        MarketBooks big = new MarketBooks(1 << 16, 1 << 30, 1 << 20);
        Exchange ex = new Exchange(w.domain, VERIFIER, big);
        int fresh = image(ex).length;
        assertThat(fresh).as("a fresh exchange").isLessThan(256);
        for (int m = 1; m <= 2; m++) {
            assertThat(ex.apply(w.market(m))).isNull();
            assertThat(ex.apply(w.price(m, 10_000, 0, 1_000))).isNull();
        }
        Signer t = World.signer(7);
        assertThat(ex.apply(w.deposit(t.address(), 1_000_000_000_000L))).isNull();
        drain(ex);
        int emptyBooks = image(ex).length;
        assertThat(emptyBooks).as("two empty books of a million orders each").isLessThan(4096);
        // orders that came and went leave their nonces and fingerprints, not their book slots (fixed-price orders here:
        // pegs that left also leave stale threshold entries, which are state, bounded by the pegs that rested at once)
        List<VerifiedOrder> placed = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            Order o = new Order(t.address(), 1, i % 2 == 0 ? Side.BUY : Side.SELL, (i % 2 == 0 ? 50 : 150) * TICK + i % 7 * TICK,
                    LOT, 0, TimeInForce.GTC, 0, 0, i + 1, 0);
            VerifiedOrder v = new VerifiedOrder(o, w.domain.orderDigest(o), UNSIGNED);
            assertThat(ex.submit(v)).isNull();
            placed.add(v);
        }
        int restingBook = bookImage(ex.book(1)).length;
        assertThat(restingBook).as("a book of 2,000 resting orders").isBetween(2_000 * 60, 2_000 * 100 + 4096);
        for (VerifiedOrder v : placed) assertThat(ex.cancel(new VerifiedCancel(t.address(), v.hash(), UNSIGNED))).isNull();
        drain(ex);
        assertThat(ex.book(1).restingOrders()).isZero();
        int emptiedBook = bookImage(ex.book(1)).length;
        assertThat(emptiedBook).as("the same book emptied again").isLessThan(1024);
        byte[] img = image(ex);
        System.out.printf("ExchangeImageProperties: image of a fresh exchange %d bytes, with two empty books of capacity 2^20 %d,"
                + " one book of 2,000 resting orders %d, that book emptied %d, the exchange after it all %d%n",
                fresh, emptyBooks, restingBook, emptiedBook, img.length);
        assertThat(img.length).as("the exchange after 2,000 orders came and went").isLessThan(4096 + 2_000 * 20);
        Exchange back = restore(img, w, big);
        assertSameBytes(image(back), img, "the image of the restored exchange");
    }

    @Test
    void aTruncatedImageIsRefusedAtEveryLength() {
        MarketBooks small = new MarketBooks(1 << 10, 1 << 30, 1 << 8);
        Run run = filled(small);
        byte[] img = image(run.a);
        assertThat(img.length).as("a small image with a bit of everything").isBetween(2_000, 60_000);
        for (int len = 0; len < img.length; len++) {
            ImageReader in = new ImageReader(img, 0, len);
            int cut = len;
            assertThatThrownBy(() -> Exchange.readImage(in, run.w.domain, VERIFIER, small))
                    .as("the image cut at byte %d of %d", cut, img.length).isInstanceOf(ImageFormatException.class);
        }
        ImageReader whole = new ImageReader(img);
        Exchange back = Exchange.readImage(whole, run.w.domain, VERIFIER, small);
        whole.expectEnd();
        assertSameBytes(image(back), img, "the image of the restored exchange");
    }

    @Test
    void anImageOfOtherBookSizesIsRefused() {
        MarketBooks sizes = new MarketBooks(1 << 10, 1 << 30, 1 << 8);
        Run run = filled(sizes);
        byte[] img = image(run.a);
        for (MarketBooks other : List.of(new MarketBooks(1 << 11, 1 << 30, 1 << 8), new MarketBooks(1 << 10, 1 << 29, 1 << 8),
                new MarketBooks(1 << 10, 1 << 30, 1 << 9))) {
            assertThatThrownBy(() -> Exchange.readImage(new ImageReader(img), run.w.domain, VERIFIER, other))
                    .isInstanceOf(ImageFormatException.class).hasMessageContaining("book sizes");
        }
        byte[] fresh = image(new Exchange(run.w.domain, VERIFIER, sizes));
        assertThatThrownBy(() -> Exchange.readImage(new ImageReader(fresh), run.w.domain, VERIFIER, new MarketBooks(1 << 10, 1 << 30, 1 << 7)))
                .as("even without a book yet: the next market would get another shape").isInstanceOf(ImageFormatException.class);
        // a book image on its own, read into another shape
        byte[] book = bookImage(run.a.book(1));
        BookConfig config = BookConfig.of(1 << 10, 1 << 30, 1 << 8);
        assertThat(bookImage(OrderBook.readImage(new ImageReader(book), config))).isEqualTo(book);
        for (BookConfig other : List.of(BookConfig.of(1 << 10, 1 << 30, 1 << 9), BookConfig.of(1 << 11, 1 << 30, 1 << 8),
                new BookConfig(1 << 10, 1 << 30, 1 << 8, 5))) {
            assertThatThrownBy(() -> OrderBook.readImage(new ImageReader(book), other)).isInstanceOf(ImageFormatException.class)
                    .hasMessageContaining("is not this book");
        }
    }

    /**
     * A bit flipped anywhere is refused with an ImageFormatException, never another exception, or
     * gives an exchange that holds together (it writes an image again). A flip inside a value (a
     * balance, a price) cannot be told from a real one: catching those is the snapshot checksum's job.
     */
    @Test
    void aFlippedBitIsRefusedOrGivesAnExchangeThatHoldsTogether() {
        MarketBooks small = new MarketBooks(1 << 10, 1 << 30, 1 << 8);
        Run run = filled(small);
        byte[] img = image(run.a);
        int refused = 0;
        for (int at = 0; at < img.length; at++) {
            byte[] damaged = img.clone();
            damaged[at] ^= (byte) (1 << (at % 8));
            try {
                image(Exchange.readImage(new ImageReader(damaged), run.w.domain, VERIFIER, small));
            } catch (ImageFormatException e) {
                refused++;
            }
        }
        assertThat(refused).as("flips refused").isPositive();
    }

    @Test
    void anImageIsTakenOnlyBetweenCommands() {
        Run run = filled(new MarketBooks(1 << 10, 1 << 30, 1 << 8));
        Exchange ex = run.a;
        World w = run.w;
        assertThat(ex.apply(w.deposit(World.signer(90).address(), 5))).as("priority ops out of order are refused, with an event").isNotNull();
        assertThatThrownBy(() -> image(ex)).isInstanceOf(IllegalStateException.class);
        ex.takeEvents();
        assertThat(ex.apply(new Transition.Deposit(StateReads.global(ex.state()).priorityOpsConsumed(), 0, World.signer(90).address(), 5))).isNull();
        ex.takeEvents();
        assertThatThrownBy(() -> image(ex)).as("a transition not taken").isInstanceOf(IllegalStateException.class);
        ex.takeTransitions();
        assertThat(image(ex)).isNotEmpty();
    }

    /** A run of fixed random steps: an exchange holding a bit of everything, for the damage tests. */
    private static Run filled(MarketBooks sizes) {
        Run run = new Run(sizes);
        SplittableRandom r = new SplittableRandom(20_240_601);
        for (int i = 0; i < 150; i++) {
            Step s = STEP.next(r);
            if (s.kind() < 95) run.step(s); // no cuts: the damage tests need one exchange
        }
        // and whatever the steps left, a rich trader's resting orders of every kind in both markets
        Address rich = run.traders[2].address();
        for (int m = 1; m <= 2; m++) {
            long far = 60 * TICK;
            run.submit(run.order(rich, m, Side.BUY, far, 3, 0, Peg.NONE, 0, 0));
            run.submit(run.order(rich, m, Side.BUY, far - TICK, 5, 2, Peg.NONE, 0, run.ts[m] + 7));
            run.submit(run.order(rich, m, Side.BUY, far, 2, 0, Peg.MARK, -30, 0));
            run.submit(run.order(rich, m, Side.BUY, far, 2, 0, Peg.BOOK, -1, run.ts[m] + 3));
        }
        assertThat(run.a.book(1).restingOrders()).as("orders resting").isGreaterThanOrEqualTo(4);
        return run;
    }

    static byte[] image(Exchange x) {
        ImageWriter out = new ImageWriter();
        x.writeImage(out);
        return out.toByteArray();
    }

    static byte[] bookImage(OrderBook b) {
        ImageWriter out = new ImageWriter();
        b.writeImage(out);
        return out.toByteArray();
    }

    static Exchange restore(byte[] img, World w, MarketBooks sizes) {
        ImageReader in = new ImageReader(img);
        Exchange x = Exchange.readImage(in, w.domain, VERIFIER, sizes);
        in.expectEnd();
        return x;
    }

    static void drain(Exchange x) {
        x.takeEvents();
        x.takeTransitions();
    }

    static void assertSameBytes(byte[] actual, byte[] expected, String what) {
        int n = Math.min(actual.length, expected.length);
        int at = 0;
        while (at < n && actual[at] == expected[at]) at++;
        if (at == n && actual.length == expected.length) return;
        throw new AssertionError(what + " differs from the original's at byte " + at + " (lengths " + actual.length + " and "
                + expected.length + ")");
    }

    /** One flow: exchange A from the start, B restored from A's image at each cut, both fed every command after. */
    static final class Run {
        final World w = new World();
        final MarketBooks sizes;
        Exchange a;
        Exchange b;
        final Signer[] traders = new Signer[TRADERS];
        final List<Integer> markets = new ArrayList<>();
        final long[] mark = new long[4];
        final long[] funding = new long[4];
        final long[] ts = new long[4];
        final long[] nonces = new long[TRADERS];
        /** Every order submitted or amended to, in order. */
        final List<VerifiedOrder> orders = new ArrayList<>();
        final Map<String, Long> seen = new TreeMap<>();
        /** Sees each command's transitions from A, in order (TakeUpProperties checks them against a second STF). */
        java.util.function.Consumer<List<Transition>> onEmitted = ts -> { };

        Run(MarketBooks sizes) {
            this.sizes = sizes;
            a = new Exchange(w.domain, VERIFIER, sizes);
            for (int i = 0; i < TRADERS; i++) traders[i] = World.signer(40 + i);
            config(1, 100, 500, 20_000);
            config(2, 200, 400, 0);
            for (int i = 0; i < TRADERS; i++) {
                long deposit = i % 3 == 0 ? 60_000 : i % 3 == 1 ? 400_000 : 5_000_000;
                Address owner = traders[i].address();
                command("deposit", x -> x.apply(new Transition.Deposit(priority(), 0, owner, deposit)));
            }
        }

        void step(Step s) {
            int k = s.kind();
            if (k < 40) submit(s);
            else if (k < 44) resubmit(s);
            else if (k < 52) cancel(s);
            else if (k < 54) cancelAll(s);
            else if (k < 63) amend(s);
            else if (k < 75) oracle(s);
            else if (k < 80) liquidate(s);
            else if (k < 83) deposit(s);
            else if (k < 85) allocate(s);
            else if (k < 87) release(s);
            else if (k < 89) withdraw(s);
            else if (k < 92) forcedCancel(s);
            else if (k < 93) forcedWithdrawal(s);
            else if (k < 95) marketConfig(s);
            else cut();
        }

        // ----------------------------------------------------------------------------- commands

        void submit(Step s) {
            int ti = s.trader();
            int m = market(s);
            boolean buy = (s.bits() & 1) == 0;
            int bits = s.bits() >>> 1;
            int tifRoll = s.x1() % 100;
            TimeInForce tif = tifRoll < 60 ? TimeInForce.GTC : tifRoll < 82 ? TimeInForce.IOC : TimeInForce.FOK;
            long lots = 1 + s.x3() % 8;
            long ticks = Math.max(1, mark[m] / TICK + s.x2() % 13 - 6);
            int flags = 0;
            if (tif == TimeInForce.GTC && bits % 10 == 0) flags |= Order.POST_ONLY;
            if (flags == 0 && bits / 10 % 5 == 0) flags |= Order.REDUCE_ONLY; // a GTC one rests: a take-profit
            if (tif == TimeInForce.IOC && flags == 0 && bits / 50 % 10 == 0) flags |= Order.MARKET;
            long display = tif == TimeInForce.GTC && lots > 1 && bits / 500 % 5 == 0 ? 1 + s.x4() % (lots - 1) : 0;
            Peg peg = Peg.NONE;
            int offset = 0;
            if ((flags & Order.MARKET) == 0 && bits / 2_500 % 6 == 0) {
                peg = bits / 15_000 % 2 == 0 ? Peg.MARK : Peg.BOOK;
                offset = s.x5() % 7 - 3;
                ticks = Math.max(1, ticks + (buy ? 4 : -4)); // the limit, a little beyond the reference
            }
            long expiry = bits / 30_000 % 3 == 0 ? ts[m] + s.x4() % 6 : 0;
            long margin = (flags & Order.REDUCE_ONLY) != 0 ? 0 : ticks * TICK * lots * (60 + s.x5() % 200) / 1_000;
            Order o = new Order(traders[ti].address(), m, buy ? Side.BUY : Side.SELL, ticks * TICK, lots * LOT, display * LOT, tif,
                    flags, peg, offset, expiry, nonce(ti, s), margin);
            submit(new VerifiedOrder(o, w.domain.orderDigest(o), UNSIGNED));
        }

        /** A plain GTC order of trader {@code ti}. */
        VerifiedOrder order(int ti, int m, Side side, long price, long lots, long margin) {
            Order o = new Order(traders[ti].address(), m, side, price, lots * LOT, 0, TimeInForce.GTC, 0, 0, ++nonces[ti], margin);
            return new VerifiedOrder(o, w.domain.orderDigest(o), UNSIGNED);
        }

        /** A new mark at a later time. */
        void price(int m, long newMark) {
            mark[m] = newMark;
            Transition.OraclePrice p = w.price(m, newMark, funding[m], ++ts[m]);
            command("oracle " + m, x -> x.apply(p));
        }

        /** A GTC order of {@code lots} with a margin of a third of its notional. */
        VerifiedOrder order(Address trader, int m, Side side, long price, long lots, long displayLots, Peg peg, int offset, long expiry) {
            Order o = new Order(trader, m, side, price, lots * LOT, displayLots * LOT, TimeInForce.GTC, 0, peg, offset, expiry,
                    ++nonces[indexOf(trader)], price * lots / 3);
            return new VerifiedOrder(o, w.domain.orderDigest(o), UNSIGNED);
        }

        void submit(VerifiedOrder v) {
            orders.add(v);
            command("submit " + v.order(), x -> x.submit(v));
        }

        /** The same signed order again: live, posted, cancelled or refused before. */
        void resubmit(Step s) {
            if (orders.isEmpty()) return;
            VerifiedOrder v = orders.get(s.x1() % orders.size());
            command("submit again " + v.order(), x -> x.submit(v));
        }

        void cancel(Step s) {
            VerifiedOrder v = pick(s, s.x2() % 5 != 0);
            if (v == null) return;
            Address owner = s.x3() % 10 == 0 ? traders[s.trader()].address() : v.order().trader();
            VerifiedCancel c = new VerifiedCancel(owner, v.hash(), UNSIGNED);
            command("cancel " + v.order(), x -> x.cancel(c));
        }

        /** Cancels every live order of one trader, one command each (what a mass cancel comes to). */
        void cancelAll(Step s) {
            Address owner = traders[s.trader()].address();
            for (VerifiedOrder v : live()) {
                if (v.order().trader().equals(owner)) command("cancel all", x -> x.cancel(new VerifiedCancel(owner, v.hash(), UNSIGNED)));
            }
        }

        void amend(Step s) {
            VerifiedOrder old = pick(s, true);
            if (old == null) return;
            Order o = old.order();
            int ti = indexOf(o.trader());
            TimeInForce tif = s.x1() % 10 < 8 ? TimeInForce.GTC : s.x1() % 2 == 0 ? TimeInForce.IOC : TimeInForce.FOK;
            long lots = 1 + s.x3() % 6;
            long price = Math.max(TICK, o.price() + (s.x2() % 5 - 2) * TICK);
            int flags = s.bits() % 7 == 0 ? o.flags() ^ Order.POST_ONLY : o.flags();
            if (tif != TimeInForce.GTC) flags &= ~Order.POST_ONLY;
            long display = tif == TimeInForce.GTC && lots > 1 && s.x4() % 4 == 0 ? 1 + s.x4() % (lots - 1) : 0;
            Peg peg = s.x5() % 5 == 0 ? (o.pegged() ? Peg.NONE : Peg.MARK) : o.peg();
            int offset = peg == Peg.NONE ? 0 : o.pegged() ? o.pegOffset() : s.x5() % 5 - 2;
            long expiry = s.bits() % 3 == 0 ? (s.x4() % 2 == 0 ? 0 : ts[o.marketId()] + s.x4() % 5) : o.expiry();
            long margin = price * lots * (s.x5() % 200) / 1_000;
            Side side = s.bits() % 50 == 1 ? (o.isBuy() ? Side.SELL : Side.BUY) : o.side(); // now and then refused: another side
            Order r = new Order(o.trader(), o.marketId(), side, price, lots * LOT, display * LOT, tif, flags, peg, offset, expiry,
                    nonce(ti, s), margin);
            VerifiedOrder v = new VerifiedOrder(r, w.domain.orderDigest(r), UNSIGNED);
            Address owner = s.x3() % 13 == 0 ? traders[s.trader()].address() : o.trader();
            VerifiedCancel c = new VerifiedCancel(owner, old.hash(), UNSIGNED);
            orders.add(v);
            command("amend " + o + " to " + r, x -> x.amend(c, v));
        }

        void oracle(Step s) {
            int m = market(s);
            boolean violent = s.x2() % 5 == 0;
            long move = violent ? s.x3() % 81 - 40 : s.x3() % 21 - 10; // percent
            mark[m] = Math.max(TICK, mark[m] + mark[m] * move / 100 + (s.x4() % 4 == 0 ? s.x4() % TICK : 0));
            funding[m] += s.x5() % 41 - 20;
            ts[m] += s.x1() % 5; // 0: a stale price, refused
            Transition.OraclePrice p = w.price(m, mark[m], funding[m], ts[m]);
            command("oracle " + m + " " + mark[m] + " at " + ts[m], x -> x.apply(p));
            if (violent && s.x2() % 2 == 0) {
                // as a liquidation engine would: everyone under water in that market, bankrupt positions to the fund
                for (Signer t : traders) {
                    Transition.Liquidate l = new Transition.Liquidate(t.address(), m);
                    command("liquidate after a crash", x -> x.apply(l));
                }
            }
        }

        void liquidate(Step s) {
            int m = market(s);
            for (int i = 0; i < TRADERS; i++) {
                if (s.x1() % 3 == 0 || i == s.trader()) {
                    Transition.Liquidate l = new Transition.Liquidate(traders[i].address(), m);
                    command("liquidate " + i + " in " + m, x -> x.apply(l));
                }
            }
        }

        void deposit(Step s) {
            Transition.Deposit d = new Transition.Deposit(priority(), 0, traders[s.trader()].address(), 1_000 + s.x2() * 10L);
            command("deposit", x -> x.apply(d));
        }

        void allocate(Step s) {
            Signer t = traders[s.trader()];
            Transition.Allocate al = w.allocate(t, market(s), 1 + s.x2() * 5L, requestNonce(t, s));
            command("allocate", x -> x.apply(al));
        }

        void release(Step s) {
            Signer t = traders[s.trader()];
            Transition.Release r = w.release(t, market(s), 1 + s.x2() * 2L, requestNonce(t, s));
            command("release", x -> x.apply(r));
        }

        void withdraw(Step s) {
            Signer t = traders[s.trader()];
            Transition.Withdraw wd = w.withdraw(t, 1 + s.x2() * 5L, requestNonce(t, s));
            command("withdraw", x -> x.apply(wd));
        }

        void forcedCancel(Step s) {
            VerifiedOrder v = pick(s, s.x2() % 4 != 0);
            if (v == null) return;
            Address owner = s.x3() % 7 == 0 ? traders[s.trader()].address() : v.order().trader();
            Transition.ForcedCancel f = new Transition.ForcedCancel(priority(), 0, owner, v.hash());
            command("forced cancel " + v.order(), x -> x.apply(f));
        }

        void forcedWithdrawal(Step s) {
            Transition.ForcedWithdrawal f = new Transition.ForcedWithdrawal(priority(), 0, traders[s.trader()].address(), 1 + s.x2() * 3L);
            command("forced withdrawal", x -> x.apply(f));
        }

        /** A third market appears (a new book mid-flow), or a market's fees change. */
        void marketConfig(Step s) {
            if (!markets.contains(3) && s.x1() % 2 == 0) {
                config(3, 100, 300, 50_000);
            } else {
                int m = market(s);
                Transition.MarketConfig c = new Transition.MarketConfig(priority(), 0, m, TICK, LOT, World.IMF, World.MMF,
                        s.x2() % 3 * 100, 300 + s.x3() % 3 * 100, s.x4() % 3 * 20_000, w.oracle.address());
                command("reconfigure " + m, x -> x.apply(c));
            }
        }

        void config(int m, int makerFee, int takerFee, int liquidationFee) {
            Transition.MarketConfig c = new Transition.MarketConfig(priority(), 0, m, TICK, LOT, World.IMF, World.MMF, makerFee,
                    takerFee, liquidationFee, w.oracle.address());
            command("configure " + m, x -> x.apply(c));
            markets.add(m);
            mark[m] = 10_000;
            ts[m] = 1_000;
            Transition.OraclePrice p = w.price(m, mark[m], 0, ts[m]);
            command("first price " + m, x -> x.apply(p));
        }

        /** Writes A's image (equal to B's, byte for byte), and B becomes the exchange it describes. */
        void cut() {
            byte[] img = image(a);
            if (b != null) assertSameBytes(image(b), img, "the restored exchange's image at a cut");
            Exchange restored = restore(img, w, sizes);
            assertSameBytes(image(restored), img, "the image of an exchange just restored");
            b = restored;
            count("cut");
            if (a.insuranceShortfall() > 0) count("shortfall at a cut");
            if (a.hashesWaitingForPrune() > 0) count("hashes waiting for their prune at a cut");
            for (int m : markets) {
                OrderBook book = a.book(m);
                for (dev.clearline.engine.book.Side side : dev.clearline.engine.book.Side.values()) {
                    book.forEachResting(side, (id, owner, price, visible, hidden, expiresAt) -> {
                        if (book.isPegged(id)) count("resting pegs at a cut");
                        if (expiresAt != OrderBook.NEVER_EXPIRES) count("queued expiries at a cut");
                    });
                }
            }
        }

        void finish() {
            if (b == null) cut();
            assertSameBytes(image(b), image(a), "the restored exchange's final image");
            assertThat(leaves(b)).isEqualTo(leaves(a));
        }

        // ------------------------------------------------------------------------------ checks

        /** One command to A and, once there is one, to B: equal replies, events, transitions and queries. */
        void command(String what, Function<Exchange, Reject> c) {
            Reject ra = c.apply(a);
            List<ExchangeEvent> ea = a.takeEvents();
            List<Transition> ta = a.takeTransitions();
            onEmitted.accept(ta);
            for (ExchangeEvent e : ea) count(name(e));
            for (Transition t : ta) count("emitted " + t.getClass().getSimpleName());
            if (b == null) return;
            Reject rb = c.apply(b);
            List<ExchangeEvent> eb = b.takeEvents();
            List<Transition> tb = b.takeTransitions();
            assertThat(rb).as("%s: reply", what).isEqualTo(ra);
            assertThat(eb).as("%s: events", what).isEqualTo(ea);
            assertThat(tb).as("%s: transitions", what).isEqualTo(ta);
            assertThat(b.insuranceShortfall()).as("%s: shortfall", what).isEqualTo(a.insuranceShortfall());
            assertThat(b.expiredAwaitingSweep()).as("%s: expired awaiting the sweep", what).isEqualTo(a.expiredAwaitingSweep());
            for (VerifiedOrder v : orders) {
                long id = a.orderId(v.hash());
                assertThat(b.orderId(v.hash())).as("%s: order id", what).isEqualTo(id);
                if (id >= 0) assertThat(b.liveOrder(id)).as("%s: live order %d", what, id).isEqualTo(a.liveOrder(id));
            }
            for (Signer t : traders) {
                for (int m : markets) {
                    for (boolean buy : new boolean[] {true, false}) {
                        assertThat(b.reserved(t.address(), m, buy)).as("%s: reserved", what).containsExactly(a.reserved(t.address(), m, buy));
                    }
                }
            }
            for (int m = 1; m <= 3; m++) {
                assertThat(book(b.book(m))).as("%s: book %d", what, m).isEqualTo(book(a.book(m)));
            }
        }

        /** What a book shows: resting orders in matching order per side, best prices, counts, next sequence number. */
        static List<Object> book(OrderBook book) {
            if (book == null) return List.of();
            List<Object> out = new ArrayList<>(List.of(book.restingOrders(), book.bestBidTicks(), book.bestAskTicks(), book.nextSequence()));
            for (dev.clearline.engine.book.Side side : dev.clearline.engine.book.Side.values()) {
                book.forEachResting(side, (id, owner, price, visible, hidden, expiresAt) -> out.add(
                        List.of(id, owner, price, visible, hidden, expiresAt, book.isPegged(id), book.displayLots(id))));
            }
            return out;
        }

        static Map<String, String> leaves(Exchange x) {
            Map<String, String> out = new TreeMap<>();
            HexFormat hex = HexFormat.of();
            x.state().forEach((k, v) -> out.put(hex.formatHex(k), hex.formatHex(v)));
            return out;
        }

        // ----------------------------------------------------------------------------- helpers

        List<VerifiedOrder> live() {
            List<VerifiedOrder> out = new ArrayList<>();
            for (VerifiedOrder v : orders) if (a.orderId(v.hash()) >= 0 && !out.contains(v)) out.add(v);
            return out;
        }

        /** A live order ({@code live}), or any order submitted so far; null when there is none. */
        VerifiedOrder pick(Step s, boolean live) {
            List<VerifiedOrder> from = live ? live() : orders;
            return from.isEmpty() ? null : from.get(s.x4() % from.size());
        }

        int market(Step s) {
            return markets.get(s.market() % markets.size());
        }

        int indexOf(Address trader) {
            for (int i = 0; i < TRADERS; i++) if (traders[i].address().equals(trader)) return i;
            throw new AssertionError(trader);
        }

        /** The trader's next order nonce; now and then an old one (used, or a gap left on purpose), or a jump that leaves a gap. */
        long nonce(int ti, Step s) {
            int roll = s.x1() / 100 % 40;
            if (roll == 0 && nonces[ti] > 0) return 1 + s.x2() % nonces[ti];
            if (roll == 1) nonces[ti] += 3;
            return ++nonces[ti];
        }

        /** The request nonce the STF expects, or now and then the next one (refused). */
        long requestNonce(Signer t, Step s) {
            return StateReads.balance(a.state(), t.address()).nonce() + (s.x5() % 10 == 0 ? 1 : 0);
        }

        long priority() {
            return StateReads.global(a.state()).priorityOpsConsumed();
        }

        void count(String what) {
            seen.merge(what, 1L, Long::sum);
        }

        static String name(ExchangeEvent e) {
            return switch (e) {
                case ExchangeEvent.Cancelled c -> "Cancelled:" + c.why();
                case ExchangeEvent.Rejected r -> "Rejected:" + r.reason();
                default -> e.getClass().getSimpleName();
            };
        }
    }
}
