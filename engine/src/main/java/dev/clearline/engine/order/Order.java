package dev.clearline.engine.order;

/**
 * A trader's signed intent, exactly the fields of the EIP-712 {@code Order} struct.
 *
 * @param price       quote units (1e-6 collateral) per lot; for a market order, the worst price accepted;
 *                    for a pegged order, the limit its pegged price never crosses
 * @param size        base units, a multiple of the market's lot size
 * @param displaySize iceberg slice shown on the book (0 or equal to size: fully displayed)
 * @param flags       bit set of {@link #POST_ONLY}, {@link #REDUCE_ONLY}, {@link #MARKET}
 * @param peg         what the price follows ({@link Peg#NONE}: the fixed {@code price})
 * @param pegOffset   signed offset from the peg reference, in ticks; 0 when not pegged
 * @param expiry      unix seconds after which the order may not fill; 0 = never
 * @param margin      collateral moved from the free balance into the position when the order enters the tree
 */
public record Order(Address trader, int marketId, Side side, long price, long size, long displaySize,
                    TimeInForce timeInForce, int flags, Peg peg, int pegOffset, long expiry, long nonce, long margin) {
    public static final int POST_ONLY = 1;
    public static final int REDUCE_ONLY = 2;
    public static final int MARKET = 4;
    public static final int KNOWN_FLAGS = POST_ONLY | REDUCE_ONLY | MARKET;

    /** An order with a fixed price (not pegged). */
    public Order(Address trader, int marketId, Side side, long price, long size, long displaySize,
                 TimeInForce timeInForce, int flags, long expiry, long nonce, long margin) {
        this(trader, marketId, side, price, size, displaySize, timeInForce, flags, Peg.NONE, 0, expiry, nonce, margin);
    }

    public boolean postOnly() {
        return (flags & POST_ONLY) != 0;
    }

    public boolean reduceOnly() {
        return (flags & REDUCE_ONLY) != 0;
    }

    public boolean isMarket() {
        return (flags & MARKET) != 0;
    }

    public boolean isBuy() {
        return side == Side.BUY;
    }

    public boolean pegged() {
        return peg != Peg.NONE;
    }
}
