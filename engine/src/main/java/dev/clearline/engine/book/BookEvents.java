package dev.clearline.engine.book;

/**
 * Receives every outcome of a book operation, in order, each with a strictly increasing sequence
 * number. Callbacks take primitives so that the matching path allocates nothing per event;
 * {@link BookEventLog} turns them into {@link BookEvent} records where allocation does not matter.
 *
 * <p>Remaining sizes are an order's whole open quantity (displayed plus hidden for icebergs).
 */
public interface BookEvents {
    /** The request passed validation; fills (if any) and its final state follow. */
    void onAccepted(long seq, long orderId, long ownerId, Side side, long priceTicks, long sizeLots);

    /** The request was refused; the book did not change (except for expiries reported before it). */
    void onRejected(long seq, long orderId, long ownerId, RejectReason reason);

    /**
     * Asked before each fill, while neither order has changed: whoever settles fills (the exchange,
     * through the STF) may refuse it and say which order is at fault. The default accepts every fill.
     * A refused fill produces no {@link #onFill}; a maker that leaves gets
     * {@link #onCancelled} with {@link CancelReason#FILL_REFUSED}, and a taker that stops gets the
     * same for its unfilled rest once matching ends (it never rests).
     */
    default FillVerdict approveFill(long makerOrderId, long makerOwnerId, long takerOrderId, long takerOwnerId,
                                    Side takerSide, long priceTicks, long lots) {
        return FillVerdict.FILL;
    }

    /**
     * Asked before each fill (before {@link #approveFill}): how many of {@code lots} the maker can still fill. The default,
     * all of them. An answer from 1 to {@code lots - 1} says the maker's owner has only that much left to give (a
     * reduce-only order whose position is smaller than the fill): the book fills that many, and the maker then leaves
     * with its rest ({@link CancelReason#POSITION_CLOSED}), since that fill closed what it could reduce. Any other answer
     * (0: it can reduce nothing, which the fill's approval then refuses) counts as {@code lots}.
     */
    default long fillableLots(long makerOrderId, long makerOwnerId, long lots) {
        return lots;
    }

    /** A trade at the maker's price; {@code takerSide} is the aggressor's side. */
    void onFill(long seq, long makerOrderId, long makerOwnerId, long takerOrderId, long takerOwnerId,
                Side takerSide, long priceTicks, long lots, long makerRemainingLots, long takerRemainingLots);

    /** The order's unfilled rest now rests on the book at its price. */
    void onRested(long seq, long orderId, long priceTicks, long restingLots);

    /** The order left the book (or an incoming order stopped) with {@code remainingLots} unfilled. */
    void onCancelled(long seq, long orderId, long ownerId, long remainingLots, CancelReason reason);

    /** A resting order was found expired ({@code now > expiresAt}) and removed without filling. */
    void onExpired(long seq, long orderId, long ownerId, long remainingLots);

    /**
     * A resting order's price or size changed. {@code keptPriority} is true only when the price
     * stayed and the size did not grow; otherwise the order re-enters as an aggressive order and
     * fills and a rest or cancel event follow.
     */
    void onAmended(long seq, long orderId, long newPriceTicks, long newSizeLots, boolean keptPriority);
}
