package dev.clearline.engine.book;

/** Sees one resting order during {@link OrderBook#forEachResting}. */
@FunctionalInterface
public interface RestingOrderVisitor {
    void visit(long orderId, long ownerId, long priceTicks, long visibleLots, long hiddenLots, long expiresAt);
}
