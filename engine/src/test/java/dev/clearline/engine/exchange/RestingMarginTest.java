package dev.clearline.engine.exchange;

import dev.clearline.engine.book.Side;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.stf.Reject;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The margin pre-check's worst case (the new order and every resting order of the trader on that
 * side fill) counts the margin those resting orders bring when they post, as far as the free
 * balance still holds it, instead of asking the new order's margin alone to carry them all.
 * Desk market: mark 10,000, 10 % initial margin, taker fee 5 bp: a buy of 10 lots at 10,000 is
 * 100,000 of notional and needs 10,000 of margin plus 50 of fee.
 */
class RestingMarginTest {
    final Desk d = new Desk();

    @Test
    void twoOrdersEachBringingItsOwnMarginAreBothAccepted() {
        Signer t = d.trader(1, 20_200);
        d.place(d.gtc(t, Side.BUY, 10_000, 10, 10_100));
        assertThat(d.submit(d.gtc(t, Side.BUY, 10_000, 10, 10_100)))
                .as("the first order's margin joins the position when it fills, so the pair is covered").isNull();
    }

    @Test
    void restingMarginCountsOnlyAsFarAsTheFreeBalanceHoldsIt() {
        Signer t = d.trader(1, 15_000);
        d.place(d.gtc(t, Side.BUY, 10_000, 10, 10_100));
        assertThat(d.submit(d.gtc(t, Side.BUY, 10_000, 10, 10_100)))
                .as("only 4,900 of the first order's margin is still free beside the second's").isEqualTo(Reject.INSUFFICIENT_MARGIN);
    }

    @Test
    void aPostedOrdersMarginIsInThePositionAndNotCountedTwice() {
        Signer t = d.trader(1, 20_200);
        Signer other = d.trader(2, 1_000_000);
        long first = d.place(d.gtc(t, Side.BUY, 10_000, 10, 10_100));
        d.place(d.verified(d.order(other, Side.SELL, 10_000, 5, 100_000, dev.clearline.engine.order.TimeInForce.IOC, 0, 0, 0)));
        assertThat(d.book().openLots(first)).isEqualTo(5);
        // the first order is in the tree: its 10,100 left the free balance for the position
        assertThat(d.submit(d.gtc(t, Side.BUY, 10_000, 10, 10_100))).isNull();
        // a third order finds no free balance beside its own margin: nothing more counts
        Signer poor = d.trader(3, 10_100);
        assertThat(d.submit(d.gtc(poor, Side.BUY, 10_000, 10, 10_100))).isNull();
        assertThat(d.submit(d.gtc(poor, Side.BUY, 10_000, 1, 0))).isEqualTo(Reject.INSUFFICIENT_MARGIN);
    }
}
