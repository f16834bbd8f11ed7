package dev.clearline.engine.exchange;

/**
 * Sizes of each market's order book: price ladder length in ticks, largest order in lots, most
 * resting orders.
 */
public record MarketBooks(long maxPriceTicks, long maxSizeLots, int capacity) {}
