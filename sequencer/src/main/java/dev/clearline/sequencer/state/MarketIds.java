package dev.clearline.sequencer.state;

/**
 * Market ids are uint32 on L1 and in the STF and Java ints here: an id from 2^31 up is a negative int, and the
 * trader API must show it as L1 does (2147483649, not -2147483647).
 */
public final class MarketIds {
    private MarketIds() {}

    /**
     * The id as a JSON value: an Integer where it fits (the state image tags values by their type, so every
     * state whose ids are below 2^31 keeps its bytes), else the unsigned value as a Long.
     */
    public static Number json(int marketId) {
        // not a ?: expression: with an Integer and a Long operand it unboxes both and returns a Long every time
        if (marketId >= 0) return Integer.valueOf(marketId);
        return Long.valueOf(Integer.toUnsignedLong(marketId));
    }

    /** A market id read back from a JSON value {@link #json} made (or an older state's Integer). */
    public static int of(Object jsonValue) {
        return (int) ((Number) jsonValue).longValue();
    }
}
