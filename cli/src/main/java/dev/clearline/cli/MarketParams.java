package dev.clearline.cli;

import dev.clearline.engine.order.Address;

/**
 * A market's parameters as governance lists them (docs/protocol.md, MarketConfig). The STF does not
 * refuse a bad listing: it consumes the op and counts a forced rejection, so the market silently
 * never appears. {@link #problem} says before anything is sent what the STF would reject, and how
 * to fix it ({@code MarketParamsProperties} holds it to the STF's own verdict).
 */
record MarketParams(long market, long tickSize, long lotSize, long imfPpm, long mmfPpm, long makerFeePpm, long takerFeePpm,
                    long liquidationFeePpm, Address oracle) {
    /** The largest fee the STF admits, as parts per million (10%). */
    static final long MAX_FEE_PPM = 100_000;

    /**
     * Why the STF would consume this listing as a forced rejection, or null when it lists (or changes) the market;
     * {@code existingLot} is the market's lot size if it is listed already, else 0.
     */
    String problem(long existingLot) {
        if (market <= 0 || market > 0xffff_ffffL) return "--market must be 1 to " + 0xffff_ffffL + " (market 0 does not exist)";
        if (tickSize <= 0) return "--tick must be more than 0";
        if (lotSize <= 0) return "--lot must be 1 base unit or more";
        if (mmfPpm <= 0) return "--maintenance-margin must be more than 0%";
        if (mmfPpm >= imfPpm) return "--maintenance-margin must be less than --initial-margin";
        if (imfPpm > 1_000_000) return "--initial-margin must be at most 100%";
        if (makerFeePpm > MAX_FEE_PPM || takerFeePpm > MAX_FEE_PPM) return "--maker-fee and --taker-fee must be at most 10%";
        if (liquidationFeePpm > mmfPpm) return "--liquidation-fee must be at most --maintenance-margin";
        if (oracle.equals(new Address(new byte[20]))) return "--oracle must be the oracle key's address, not the zero address";
        if (existingLot != 0 && existingLot != lotSize) {
            return "market " + market + " is listed with a lot of " + existingLot + " base units, which never changes (positions are multiples of it); pass --lot "
                    + existingLot + ", or list a new market id";
        }
        return null;
    }
}
