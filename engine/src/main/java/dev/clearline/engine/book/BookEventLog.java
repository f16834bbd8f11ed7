package dev.clearline.engine.book;

import java.util.ArrayList;
import java.util.List;

/** A sink that records every event as a {@link BookEvent}; not for the hot path. */
public final class BookEventLog implements BookEvents {
    private final List<BookEvent> events = new ArrayList<>();

    /** The events recorded so far, oldest first (a live view). */
    public List<BookEvent> events() {
        return events;
    }

    /** Forgets the events recorded so far. */
    public void clear() {
        events.clear();
    }

    @Override
    public void onAccepted(long seq, long orderId, long ownerId, Side side, long priceTicks, long sizeLots) {
        events.add(new BookEvent.Accepted(seq, orderId, ownerId, side, priceTicks, sizeLots));
    }

    @Override
    public void onRejected(long seq, long orderId, long ownerId, RejectReason reason) {
        events.add(new BookEvent.Rejected(seq, orderId, ownerId, reason));
    }

    @Override
    public void onFill(long seq, long makerOrderId, long makerOwnerId, long takerOrderId, long takerOwnerId,
                       Side takerSide, long priceTicks, long lots, long makerRemainingLots, long takerRemainingLots) {
        events.add(new BookEvent.Filled(seq, makerOrderId, makerOwnerId, takerOrderId, takerOwnerId, takerSide,
                priceTicks, lots, makerRemainingLots, takerRemainingLots));
    }

    @Override
    public void onRested(long seq, long orderId, long priceTicks, long restingLots) {
        events.add(new BookEvent.Rested(seq, orderId, priceTicks, restingLots));
    }

    @Override
    public void onCancelled(long seq, long orderId, long ownerId, long remainingLots, CancelReason reason) {
        events.add(new BookEvent.Cancelled(seq, orderId, ownerId, remainingLots, reason));
    }

    @Override
    public void onExpired(long seq, long orderId, long ownerId, long remainingLots) {
        events.add(new BookEvent.Expired(seq, orderId, ownerId, remainingLots));
    }

    @Override
    public void onAmended(long seq, long orderId, long newPriceTicks, long newSizeLots, boolean keptPriority) {
        events.add(new BookEvent.Amended(seq, orderId, newPriceTicks, newSizeLots, keptPriority));
    }
}
