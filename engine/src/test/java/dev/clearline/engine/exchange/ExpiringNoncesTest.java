package dev.clearline.engine.exchange;

import dev.clearline.engine.book.Side;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.engine.stf.Reject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the exchange keeps of an order with an expiry lasts only until that expiry has passed on its
 * market's oracle clock: its trader's used nonce and, cancelled before it was posted, the fingerprint
 * of its hash. The same signed order is refused as EXPIRED from then on; an order without expiry is
 * remembered for good.
 */
class ExpiringNoncesTest {
    final Desk d = new Desk();
    final Signer alice = d.trader(1, 1_000_000_000_000L);
    final Signer bob = d.trader(2, 1_000_000_000_000L);

    VerifiedOrder bid(Signer s, long price, long expiry) {
        return d.verified(d.order(s, Side.BUY, price, 1, 10_000, TimeInForce.GTC, 0, 0, expiry));
    }

    /** The same trader, market, side and nonce as {@code o}, another price: another hash. */
    VerifiedOrder sameNonce(Order o, long price) {
        return d.verified(new Order(o.trader(), o.marketId(), o.side(), price, o.size(), o.displaySize(), o.timeInForce(), o.flags(),
                o.peg(), o.pegOffset(), o.expiry(), o.nonce(), o.margin()));
    }

    @Test
    void aCancelBeforePostingIsRefusedAsCancelledUntilTheExpiryPassesThenAsExpiredAndNothingOfItIsKept() {
        VerifiedOrder quote = bid(alice, 9_000, d.ts + 10);
        d.place(quote);
        assertThat(d.ex.cancel(d.cancelOf(alice, quote))).isNull(); // never filled, so never posted
        assertThat(d.submit(quote)).isEqualTo(Reject.ORDER_CANCELLED);
        assertThat(d.ex.cancelledUnpostedFingerprints()).isEqualTo(1);
        assertThat(d.submit(sameNonce(quote.order(), 9_100))).as("its nonce, in another order").isEqualTo(Reject.DUPLICATE_NONCE);

        d.oracle(10_000, d.ts + 10); // at the expiry: not past it
        assertThat(d.submit(quote)).isEqualTo(Reject.ORDER_CANCELLED);
        d.oracle(10_000, d.ts + 1);
        assertThat(d.ex.cancelledUnpostedFingerprints()).isZero();
        assertThat(d.ex.usedNonces(alice.address())).isZero();
        assertThat(d.ex.noncesWaitingToExpire()).isZero();
        assertThat(d.submit(quote)).as("the same signed order, for good").isEqualTo(Reject.EXPIRED);
        // a forgotten nonce may be signed again, in an order that is new
        VerifiedOrder again = d.verified(new Order(alice.address(), Desk.MARKET, dev.clearline.engine.order.Side.BUY, 9_000, dev.clearline.engine.testkit.World.LOT, 0,
                TimeInForce.GTC, 0, d.ts + 60, quote.order().nonce(), 10_000));
        assertThat(d.submit(again)).isNull();
    }

    @Test
    void anOrderWithoutExpiryIsRememberedForGood() {
        VerifiedOrder quote = bid(alice, 9_000, 0);
        d.place(quote);
        assertThat(d.ex.cancel(d.cancelOf(alice, quote))).isNull();
        for (int i = 0; i < 5; i++) d.oracle(10_000, d.ts + 86_400);
        assertThat(d.submit(quote)).isEqualTo(Reject.ORDER_CANCELLED);
        assertThat(d.ex.cancelledUnpostedFingerprints()).isEqualTo(1);
        assertThat(d.ex.usedNonces(alice.address())).isEqualTo(1);
        assertThat(d.ex.noncesWaitingToExpire()).isZero();
    }

    @Test
    void aMarketMakersRequotingKeepsABoundedAmountOfItAndOneWithoutExpiryGrowsWithEveryQuote() {
        // 3,000 quotes, each cancelled and replaced; a new price (and second on the oracle clock) every 100 quotes, quotes living 2 s
        for (boolean expires : new boolean[] {true, false}) {
            Desk desk = new Desk();
            Signer mm = desk.trader(3, 1_000_000_000_000L);
            int most = 0;
            for (int i = 0; i < 3_000; i++) {
                if (i % 100 == 0) desk.oracle(10_000, desk.ts + 1);
                VerifiedOrder q = desk.verified(desk.order(mm, Side.BUY, 9_000 + (i % 7) * 100, 1, 10_000, TimeInForce.GTC, 0, 0,
                        expires ? desk.ts + 2 : 0));
                desk.place(q);
                assertThat(desk.ex.cancel(desk.cancelOf(mm, q))).isNull();
                most = Math.max(most, desk.ex.usedNonces(mm.address()));
            }
            if (expires) {
                assertThat(most).as("nonces kept at the most: about three seconds of quotes").isLessThanOrEqualTo(400);
                assertThat(desk.ex.cancelledUnpostedFingerprints()).isLessThanOrEqualTo(400);
                assertThat(desk.ex.noncesWaitingToExpire()).isLessThanOrEqualTo(400);
            } else {
                assertThat(desk.ex.usedNonces(mm.address())).isEqualTo(3_000);
                assertThat(desk.ex.cancelledUnpostedFingerprints()).isEqualTo(3_000);
            }
        }
    }

    @Test
    void whileTheSweepHasNotReachedEveryExpiredOrderNothingIsForgottenAndAfterItEverything() {
        int n = Exchange.SWEEP_BUDGET * 2 + 10;
        List<VerifiedOrder> bids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            VerifiedOrder b = bid(alice, 9_000 - (i % 5) * 100, d.ts + 5);
            d.place(b);
            bids.add(b);
        }
        assertThat(d.ex.noncesWaitingToExpire()).isEqualTo(n);
        d.oracle(10_000, d.ts + 6); // past every expiry: the sweep takes a budget's worth off the book
        assertThat(d.book().restingOrders()).isEqualTo(n - Exchange.SWEEP_BUDGET);
        assertThat(d.ex.noncesWaitingToExpire()).as("orders past their expiry still live: nothing forgotten").isEqualTo(n);
        for (VerifiedOrder b : bids) {
            if (d.ex.orderId(b.hash()) >= 0) assertThat(d.ex.nonceUsed(alice.address(), b.order().nonce())).isTrue();
        }
        d.oracle(10_000, d.ts + 1);
        d.oracle(10_000, d.ts + 1);
        assertThat(d.book().restingOrders()).isZero();
        assertThat(d.ex.noncesWaitingToExpire()).isZero();
        assertThat(d.ex.usedNonces(alice.address())).isZero();
        for (VerifiedOrder b : bids) assertThat(d.submit(b)).isEqualTo(Reject.EXPIRED);
    }

    @Test
    void anImageOfWaitingNoncesComesBackAsTheSameBytesAndForgetsInTheSameOrder() {
        dev.clearline.testkit.property.Property.forAll(dev.clearline.testkit.property.Gens.seeds()).tries(40).check(seed -> {
            java.util.Random r = new java.util.Random(seed);
            ExpiringNonces a = new ExpiringNonces();
            for (int i = 0; i < 200; i++) {
                long fingerprint = r.nextLong();
                a.add(1 + r.nextInt(3), 1_000 + r.nextInt(50), r.nextInt(5), r.nextLong(), fingerprint);
                if (r.nextInt(4) == 0) a.markCancelled(fingerprint);
            }
            byte[] image = imageOf(a);
            ExpiringNonces b = new ExpiringNonces();
            b.readImage(new dev.clearline.engine.image.ImageReader(image), 5);
            assertThat(imageOf(b)).as("equal states, equal images").isEqualTo(image);
            // part of one market forgotten, then more entries: the numbering goes on, so the image still holds together
            a.forgetDue(2, 1_020, (owner, nonce) -> { });
            b.forgetDue(2, 1_020, (owner, nonce) -> { });
            a.add(2, 1_030, 1, 5, 6);
            b.add(2, 1_030, 1, 5, 6);
            ExpiringNonces c = new ExpiringNonces();
            c.readImage(new dev.clearline.engine.image.ImageReader(imageOf(a)), 5);
            assertThat(imageOf(c)).isEqualTo(imageOf(b));
            for (int market = 1; market <= 3; market++) {
                for (long now = 1_000; now <= 1_056; now += 7) {
                    List<String> fromA = new ArrayList<>(), fromB = new ArrayList<>();
                    a.forgetDue(market, now, (owner, nonce) -> fromA.add(owner + "/" + nonce));
                    b.forgetDue(market, now, (owner, nonce) -> fromB.add(owner + "/" + nonce));
                    assertThat(fromB).isEqualTo(fromA);
                }
            }
            assertThat(a.size()).isZero();
            assertThat(a.cancelledCount()).as("every fingerprint went with its entry").isZero();
        });
    }

    @Test
    void aDamagedImageOfWaitingNoncesIsRefused() {
        ExpiringNonces a = new ExpiringNonces();
        a.add(1, 1_000, 2, 77, 99);
        a.markCancelled(99); // every order waiting was cancelled before posting: as many fingerprints as entries
        byte[] good = imageOf(a);
        // layout: next number (8), fingerprint set, markets (4), then per market its id (4), count (4), entries (36 bytes)
        int entry = good.length - 36;
        java.util.function.Consumer<byte[]> refused = b -> org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> new ExpiringNonces().readImage(new dev.clearline.engine.image.ImageReader(b), 3))
                .isInstanceOf(dev.clearline.engine.image.ImageFormatException.class);
        byte[] seqPastNext = good.clone();
        java.nio.ByteBuffer.wrap(seqPastNext).putLong(entry + 8, 1);
        refused.accept(seqPastNext);
        byte[] unknownOwner = good.clone();
        java.nio.ByteBuffer.wrap(unknownOwner).putInt(entry + 16, 3);
        refused.accept(unknownOwner);
        byte[] noExpiry = good.clone();
        java.nio.ByteBuffer.wrap(noExpiry).putLong(entry, 0);
        refused.accept(noExpiry);
        byte[] lastOwner = good.clone();
        java.nio.ByteBuffer.wrap(lastOwner).putInt(entry + 16, 2);
        new ExpiringNonces().readImage(new dev.clearline.engine.image.ImageReader(lastOwner), 3); // the last account is one
    }

    static byte[] imageOf(ExpiringNonces n) {
        dev.clearline.engine.image.ImageWriter w = new dev.clearline.engine.image.ImageWriter();
        n.writeImage(w);
        return w.toByteArray();
    }

    @Test
    void aCrowdExpiringTogetherIsForgottenAFewHundredAtATimeSoonestFirst() {
        int n = ExpiringNonces.PER_LOOK + 40;
        List<VerifiedOrder> quotes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            VerifiedOrder q = bid(alice, 9_000, d.ts + 1 + i % 2);
            d.place(q);
            assertThat(d.ex.cancel(d.cancelOf(alice, q))).isNull();
            quotes.add(q);
        }
        d.oracle(10_000, d.ts + 3);
        assertThat(d.ex.noncesWaitingToExpire()).isEqualTo(40);
        // the sooner half (even i) went first, all of it
        for (int i = 0; i < n; i += 2) assertThat(d.ex.nonceUsed(alice.address(), quotes.get(i).order().nonce())).isFalse();
        d.oracle(10_000, d.ts + 1);
        assertThat(d.ex.noncesWaitingToExpire()).isZero();
        assertThat(d.ex.cancelledUnpostedFingerprints()).isZero();
    }
}
