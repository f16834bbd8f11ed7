package dev.clearline.engine.stf;

import static dev.clearline.engine.testkit.World.LOT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.state.MarketLeaf;
import dev.clearline.engine.testkit.World;
import dev.clearline.engine.transition.Transition.Cancel;
import dev.clearline.engine.transition.Transition.Liquidate;
import dev.clearline.engine.transition.Transition.OraclePrice;
import org.junit.jupiter.api.Test;

/**
 * OraclePrice's checks in their order (UNKNOWN_MARKET, BAD_SIGNATURE, BAD_PRICE, STALE_ORACLE),
 * Liquidate's exits before the maintenance test, and a Cancel signed by someone else.
 */
class OracleAndLiquidationEdgesTest {
    private final Desk d = new Desk();
    private final World w = d.w;

    @Test
    void anOraclePriceMustComeAfterTheLastOneByAtLeastOneSecond() {
        long last = d.oracleTs();
        d.rejected(w.price(Desk.MARKET, 10_100, 5, last), Reject.STALE_ORACLE);
        d.rejected(w.price(Desk.MARKET, 10_100, 5, last - 1), Reject.STALE_ORACLE);
        d.ok(w.price(Desk.MARKET, 10_100, 5, last + 1));
        MarketLeaf m = d.market();
        assertThat(new long[] {m.markPrice(), m.fundingIndex(), m.lastOracleTs()}).containsExactly(10_100, 5, last + 1);
    }

    @Test
    void anOraclePriceNeedsAKnownMarketItsOraclesSignatureAndAPositivePrice() {
        long ts = d.oracleTs() + 1;
        d.rejected(w.price(Desk.MARKET + 1, 10_000, 0, ts), Reject.UNKNOWN_MARKET);
        Signer notTheOracle = d.alice;
        d.rejected(new OraclePrice(Desk.MARKET, 10_000, 0, ts,
                notTheOracle.sign(w.domain.oraclePriceDigest(Desk.MARKET, 10_000, 0, ts))), Reject.BAD_SIGNATURE);
        d.rejected(w.price(Desk.MARKET, 0, 0, ts), Reject.BAD_PRICE);
        d.rejected(w.price(Desk.MARKET, 0, 0, d.oracleTs()), Reject.BAD_PRICE);  // the price is checked before the time
        d.ok(w.price(Desk.MARKET, 1, 0, ts));
        assertThat(d.market().markPrice()).isEqualTo(1);
    }

    @Test
    void liquidateRefusesAnUnknownMarketTheFundItselfAMarketWithoutMarkAndAFlatPosition() {
        d.rejected(new Liquidate(d.alice.address(), 9), Reject.UNKNOWN_MARKET);
        d.rejected(new Liquidate(Address.INSURANCE_FUND, Desk.MARKET), Reject.NOT_LIQUIDATABLE);
        w.ok(w.market(2));
        d.rejected(new Liquidate(d.alice.address(), 2), Reject.NO_MARK_PRICE);
        d.rejected(new Liquidate(d.alice.address(), Desk.MARKET), Reject.NOT_LIQUIDATABLE);
    }

    /**
     * A long of one lot holding 2^63 - 1 - 10_005 in quote: at a mark of 20_000 its equity leaves
     * int64, so neither liquidation nor a release can be judged: OVERFLOW, not a verdict.
     */
    @Test
    void aPositionWhoseEquityLeavesInt64CanNeitherBeLiquidatedNorReleaseFrom() {
        Signer rich = World.signer(4);
        w.ok(w.deposit(rich.address(), Long.MAX_VALUE - 1));
        Order ask = d.posted(d.bob, Side.SELL, 10_000, LOT, 100_000);
        Order bid = d.posted(rich, new Order(rich.address(), Desk.MARKET, Side.BUY, 10_000, LOT, 0,
                dev.clearline.engine.order.TimeInForce.GTC, 0, 0, 1, Long.MAX_VALUE - 1));
        d.ok(d.trade(ask, bid, LOT));
        d.mark(20_000);
        d.rejected(new Liquidate(rich.address(), Desk.MARKET), Reject.OVERFLOW);
        d.rejected(w.release(rich, Desk.MARKET, 1, 0), Reject.OVERFLOW);
        d.mark(10_000);
        d.rejected(new Liquidate(rich.address(), Desk.MARKET), Reject.NOT_LIQUIDATABLE);
        d.ok(w.release(rich, Desk.MARKET, 1, 0));
    }

    @Test
    void aCancelSignedBySomeoneElseIsRefusedAndTheOwnersIsNot() {
        Order bid = d.posted(d.alice, Side.BUY, 9_000, LOT, 0);
        var hash = w.hash(bid);
        d.rejected(new Cancel(d.alice.address(), hash, d.bob.sign(w.domain.cancelDigest(d.alice.address(), hash))),
                Reject.BAD_SIGNATURE);
        d.rejected(w.cancel(d.bob, hash), Reject.NOT_OWNER);
        d.ok(w.cancel(d.alice, hash));
        assertThat(StateReads.order(w.state, hash).cancelled()).isTrue();
        d.rejected(w.cancel(d.alice, hash), Reject.ORDER_CANCELLED);
    }
}
