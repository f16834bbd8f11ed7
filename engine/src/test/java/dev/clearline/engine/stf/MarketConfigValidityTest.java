package dev.clearline.engine.stf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.engine.order.Address;
import dev.clearline.engine.state.GlobalLeaf;
import dev.clearline.engine.state.MarketLeaf;
import dev.clearline.engine.testkit.World;
import dev.clearline.engine.transition.Transition.MarketConfig;
import dev.clearline.testkit.property.Gen;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.junit.jupiter.api.Test;

import java.util.List;

/**
 * MarketConfig's validity rule (docs/protocol.md section 5): {@code market != 0}, {@code tick > 0},
 * {@code lot > 0}, {@code 0 < mmf < imf <= 1e6}, fees {@code <= 100000} ppm,
 * {@code liquidationFeePpm <= mmfPpm}, {@code oracle != 0}, an existing market keeps its lot. Each
 * bound at equality and one unit past it; an invalid config is still consumed (the L1 queue must
 * not stall) and only counts a forced rejection.
 */
class MarketConfigValidityTest {
    private static final Address ZERO = new Address(new byte[20]);

    /** One parameter set; {@link #valid} is the rule as the protocol document states it. */
    record Params(int market, long tick, long lot, int imf, int mmf, int maker, int taker, int liquidation, Address oracle) {
        MarketConfig op(long priorityIndex) {
            return new MarketConfig(priorityIndex, 0, market, tick, lot, imf, mmf, maker, taker, liquidation, oracle);
        }

        boolean valid() {
            return market != 0 && tick > 0 && lot > 0 && 0 < mmf && mmf < imf && imf <= 1_000_000
                    && maker <= 100_000 && taker <= 100_000 && liquidation <= mmf && !oracle.equals(ZERO);
        }

        Params market(int m) { return new Params(m, tick, lot, imf, mmf, maker, taker, liquidation, oracle); }
        Params tick(long t) { return new Params(market, t, lot, imf, mmf, maker, taker, liquidation, oracle); }
        Params lot(long l) { return new Params(market, tick, l, imf, mmf, maker, taker, liquidation, oracle); }
        Params imf(int i) { return new Params(market, tick, lot, i, mmf, maker, taker, liquidation, oracle); }
        Params mmf(int m) { return new Params(market, tick, lot, imf, m, maker, taker, liquidation, oracle); }
        Params maker(int f) { return new Params(market, tick, lot, imf, mmf, f, taker, liquidation, oracle); }
        Params taker(int f) { return new Params(market, tick, lot, imf, mmf, maker, f, liquidation, oracle); }
        Params liquidation(int f) { return new Params(market, tick, lot, imf, mmf, maker, taker, f, oracle); }
        Params oracle(Address a) { return new Params(market, tick, lot, imf, mmf, maker, taker, liquidation, a); }
    }

    private final World w = new World();
    private final Params good = new Params(1, 100, 1_000, 100_000, 50_000, 200, 500, 10_000, w.oracle.address());

    /** Applies {@code p} as the next priority op; true when it created or changed the market. */
    private boolean configure(Params p) {
        GlobalLeaf before = StateReads.global(w.state);
        MarketLeaf marketBefore = StateReads.market(w.state, p.market());
        w.ok(p.op(before.priorityOpsConsumed()));
        GlobalLeaf after = StateReads.global(w.state);
        assertThat(after.priorityOpsConsumed()).isEqualTo(before.priorityOpsConsumed() + 1);
        MarketLeaf m = StateReads.market(w.state, p.market());
        boolean accepted = after.forcedRejections() == before.forcedRejections();
        if (accepted) {
            assertThat(m).isNotNull();
            assertThat(List.of(m.tickSize(), m.lotSize(), (long) m.imfPpm(), (long) m.mmfPpm(), (long) m.makerFeePpm(),
                    (long) m.takerFeePpm(), (long) m.liquidationFeePpm()))
                    .isEqualTo(List.of(p.tick(), p.lot(), (long) p.imf(), (long) p.mmf(), (long) p.maker(), (long) p.taker(),
                            (long) p.liquidation()));
            assertThat(m.oracle()).isEqualTo(p.oracle());
        } else {
            assertThat(after.forcedRejections()).isEqualTo(before.forcedRejections() + 1);
            assertThat(m).as("a refused config leaves the market as it was").isEqualTo(marketBefore);
        }
        return accepted;
    }

    @Test
    void everyBoundAtEqualityIsAcceptedAndOneUnitPastItIsAForcedRejection() {
        List<Params> atTheBound = List.of(good.market(-1), good.tick(1), good.lot(1), good.imf(1_000_000),
                good.imf(50_001), good.mmf(1).liquidation(1), good.mmf(99_999), good.maker(100_000), good.taker(100_000),
                good.liquidation(50_000), good.liquidation(0), good.maker(0).taker(0));
        List<Params> pastIt = List.of(good.market(0), good.tick(0), good.lot(0), good.imf(1_000_001), good.imf(50_000),
                good.mmf(0).liquidation(0), good.mmf(100_000), good.maker(100_001), good.taker(100_001),
                good.liquidation(50_001), good.oracle(ZERO));
        int market = 10;
        for (Params p : atTheBound) {
            Params fresh = p.market() == 1 ? p.market(market++) : p;
            assertThat(configure(fresh)).as("%s", fresh).isTrue();
        }
        for (Params p : pastIt) {
            Params fresh = p.market() == 1 ? p.market(market++) : p;
            assertThat(configure(fresh)).as("%s", fresh).isFalse();
        }
    }

    @Test
    void anExistingMarketKeepsItsLotAndItsOracleStateWhenItsParametersChange() {
        assertThat(configure(good)).isTrue();
        w.ok(w.price(1, 12_300, -7, 5));
        assertThat(configure(good.lot(2_000))).as("the lot size is fixed at creation").isFalse();
        assertThat(configure(good.imf(200_000).mmf(100_000).maker(7).taker(9).liquidation(3))).isTrue();
        MarketLeaf m = StateReads.market(w.state, 1);
        assertThat(List.of(m.markPrice(), m.fundingIndex(), m.lastOracleTs(), m.feesAccrued())).isEqualTo(List.of(12_300L, -7L, 5L, 0L));
        assertThat(m.imfPpm()).isEqualTo(200_000);
    }

    @Test
    void aNewMarketStartsWithoutMarkIndexTimeOrFees() {
        assertThat(configure(good.market(Integer.MIN_VALUE))).isTrue();
        MarketLeaf m = StateReads.market(w.state, Integer.MIN_VALUE);
        assertThat(List.of(m.markPrice(), m.fundingIndex(), m.lastOracleTs(), m.feesAccrued())).isEqualTo(List.of(0L, 0L, 0L, 0L));
    }

    @Test
    void aConfigOutOfQueueOrderIsRefusedAndConsumesNothing() {
        var root = w.state.root();
        for (long index : new long[] {1, -1, 5}) {
            assertThat(w.apply(good.op(index))).isEqualTo(new Outcome.Rejected(Reject.PRIORITY_OUT_OF_ORDER));
        }
        assertThat(w.state.root()).isEqualTo(root);
        assertThat(configure(good)).isTrue();
    }

    /** Parameters drawn at and around each bound: the STF accepts exactly those the rule allows. */
    @Test
    void theStfAcceptsExactlyTheConfigsTheDocumentedRuleAllows() {
        Gen<Params> params = Gens.allOf(
                Gens.elements(0, 1, 7, -1),
                Gens.elements(0L, 1L, 100L),
                Gens.elements(0L, 1L, 1_000L),
                Gens.elements(0, 1, 2, 50_000, 999_999, 1_000_000, 1_000_001),
                Gens.elements(0, 1, 2, 50_000, 999_999, 1_000_000),
                Gens.elements(0, 99_999, 100_000, 100_001),
                Gens.elements(0, 99_999, 100_000, 100_001),
                Gens.ints(-1, 1),
                Gens.elements(ZERO, w.oracle.address()))
                .map(v -> {
                    int mmf = (Integer) v.get(4);
                    return new Params((Integer) v.get(0), (Long) v.get(1), (Long) v.get(2), (Integer) v.get(3), mmf,
                            (Integer) v.get(5), (Integer) v.get(6), Math.max(0, mmf + (Integer) v.get(7)), (Address) v.get(8));
                });
        Property.forAll(params).tries(300).check(p -> {
            MarketLeaf before = StateReads.market(w.state, p.market());
            Params q = before == null ? p : p.lot(before.lotSize());  // the lot rule is checked above
            assertThat(configure(q)).as("%s", q).isEqualTo(q.valid());
        });
    }
}
