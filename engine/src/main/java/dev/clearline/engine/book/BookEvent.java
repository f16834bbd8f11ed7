package dev.clearline.engine.book;

/** The book's outcomes as values, for tests and consumers that prefer records to callbacks. */
public sealed interface BookEvent {
    long seq();

    record Accepted(long seq, long orderId, long ownerId, Side side, long priceTicks, long sizeLots) implements BookEvent {}

    record Rejected(long seq, long orderId, long ownerId, RejectReason reason) implements BookEvent {}

    record Filled(long seq, long makerOrderId, long makerOwnerId, long takerOrderId, long takerOwnerId,
                  Side takerSide, long priceTicks, long lots, long makerRemainingLots, long takerRemainingLots)
            implements BookEvent {}

    record Rested(long seq, long orderId, long priceTicks, long restingLots) implements BookEvent {}

    record Cancelled(long seq, long orderId, long ownerId, long remainingLots, CancelReason reason) implements BookEvent {}

    record Expired(long seq, long orderId, long ownerId, long remainingLots) implements BookEvent {}

    record Amended(long seq, long orderId, long newPriceTicks, long newSizeLots, boolean keptPriority) implements BookEvent {}
}
