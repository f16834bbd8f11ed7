package dev.clearline.engine.book;

/**
 * Receives, in order, the fills an incoming order would make right now ({@link OrderBook#planFills});
 * nothing on the book changes while planning.
 */
@FunctionalInterface
public interface FillPlan {
    /** One planned fill at the maker's price; return false to stop planning. */
    boolean fill(long makerOrderId, long makerOwnerId, long priceTicks, long lots);

    /** As {@link BookEvents#fillableLots}, asked before each planned fill: planning follows what matching would do. */
    default long fillableLots(long makerOrderId, long makerOwnerId, long lots) {
        return lots;
    }
}
