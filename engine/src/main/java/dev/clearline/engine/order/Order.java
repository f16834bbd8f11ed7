package dev.clearline.engine.order;

/**
 * A trader's signed intent, exactly the fields of the EIP-712 {@code Order} struct.
 *
 * @param price       quote units (1e-6 collateral) per lot; for a market order, the worst price accepted
 * @param size        base units, a multiple of the market's lot size
 * @param displaySize iceberg slice shown on the book (0 or equal to size: fully displayed)
 * @param flags       bit set of {@link #POST_ONLY}, {@link #REDUCE_ONLY}, {@link #MARKET}
 * @param expiry      unix seconds after which the order may not fill; 0 = never
 * @param margin      collateral moved from the free balance into the position when the order enters the tree
 */
public record Order(Address trader, int marketId, Side side, long price, long size, long displaySize,
                    TimeInForce timeInForce, int flags, long expiry, long nonce, long margin) {
    public static final int POST_ONLY = 1;
    public static final int REDUCE_ONLY = 2;
    public static final int MARKET = 4;
    public static final int KNOWN_FLAGS = POST_ONLY | REDUCE_ONLY | MARKET;

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
}
