package dev.clearline.sequencer.oracle;

import java.io.IOException;

/**
 * Where the oracle feed's numbers come from: for one market at one time, the index price (per
 * lot, in collateral units, as the STF counts it) and the funding rate to charge longs (negative:
 * shorts pay), in ppm of the price per hour. A deployment plugs in its own (an exchange's index,
 * a median of several); the devnet uses {@link DevPriceSource}.
 */
public interface PriceSource {
    record Quote(long price, long fundingRatePpmPerHour) {
        public Quote {
            if (price <= 0) throw new IllegalArgumentException("an oracle price must be positive, got " + price);
        }
    }

    /** The quote for {@code market} at {@code unixSeconds}; an IOException skips this round for that market. */
    Quote quote(int market, long unixSeconds) throws IOException;
}
