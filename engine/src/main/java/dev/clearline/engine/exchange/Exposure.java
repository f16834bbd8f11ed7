package dev.clearline.engine.exchange;

/** The sums over one (trader, market, side)'s resting orders, kept by {@link Reservations}. */
final class Exposure {
    long size;
    long notional;
}
