package dev.clearline.engine.stf;

import dev.clearline.engine.order.Address;
import dev.clearline.engine.risk.Fixed;
import dev.clearline.engine.state.GlobalLeaf;
import dev.clearline.engine.state.MarketLeaf;
import dev.clearline.engine.transition.Transition.MarketConfig;

/**
 * Creates or changes a market from a governance priority op. Bad parameters cannot stall the L1
 * queue, so they consume the op and count a forced rejection instead of invalidating the batch.
 */
final class MarketConfigRule implements Rule<MarketConfig> {
    static final int MAX_FEE_PPM = 100_000;

    @Override
    public Reject execute(StateView s, MarketConfig c) {
        GlobalLeaf g = s.global();                                      // 1. load
        MarketLeaf m = s.market(c.marketId());
        Reject r = Checks.nextPriorityOp(g, c);                         // 2. authorise
        if (r != null) return r;
        if (!valid(c, m)) {                                              // 3. validate
            s.put(Checks.consume(g, c, true));
            return null;
        }
        MarketLeaf next = m == null                                      // 4. apply
                ? new MarketLeaf(c.tickSize(), c.lotSize(), c.imfPpm(), c.mmfPpm(), c.makerFeePpm(), c.takerFeePpm(),
                        c.liquidationFeePpm(), c.oracle(), 0, 0, 0, 0)
                : m.withParams(c.tickSize(), c.lotSize(), c.imfPpm(), c.mmfPpm(), c.makerFeePpm(), c.takerFeePpm(),
                        c.liquidationFeePpm(), c.oracle());
        s.put(c.marketId(), next).put(Checks.consume(g, c, false));
        return null;
    }

    /** Lot size is fixed at creation: positions are multiples of it and funding divides by it. */
    private static boolean valid(MarketConfig c, MarketLeaf existing) {
        return c.marketId() != 0 && c.tickSize() > 0 && c.lotSize() > 0
                && c.mmfPpm() > 0 && c.mmfPpm() < c.imfPpm() && c.imfPpm() <= Fixed.PPM
                && c.makerFeePpm() <= MAX_FEE_PPM && c.takerFeePpm() <= MAX_FEE_PPM
                && c.liquidationFeePpm() <= c.mmfPpm()
                && !c.oracle().equals(Address.ZERO)
                && (existing == null || existing.lotSize() == c.lotSize());
    }
}
