package dev.clearline.engine.exchange;

/** The sums over one (trader, market, side)'s resting orders, kept by {@link Reservations}. */
final class Exposure {
    long size;
    long notional;
    /** The margin of those orders that are not in the tree yet: still in the free balance, it moves into the position when they post. */
    long unpostedMargin;
}
