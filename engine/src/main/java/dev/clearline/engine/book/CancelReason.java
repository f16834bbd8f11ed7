package dev.clearline.engine.book;

/** Why an order left the book (or an incoming order stopped) without being fully filled. */
public enum CancelReason {
    /** The owner asked for it. */
    REQUESTED,
    /** The unfilled rest of an IOC or market order. */
    IMMEDIATE_REMAINDER,
    /** A resting order met an incoming order of the same owner (self-trade prevention). */
    SELF_TRADE,
    /**
     * The caller refused a fill this order took part in and found the order at fault
     * ({@link BookEvents#approveFill}): a resting order leaves unfilled, an incoming one stops.
     */
    FILL_REFUSED,
    /**
     * A post-only pegged order whose reference moved it onto the opposite side: it would have to
     * take, which post-only forbids, so it leaves the book.
     */
    PEG_CROSSED,
    /**
     * The incoming order made {@link BookConfig#maxFillsPerTaker} fills and still crossed: it stops
     * there and its rest is cancelled, whatever its time in force (resting it would cross the book).
     */
    FILL_LIMIT,
    /**
     * A resting reduce-only order filled the last of its owner's position ({@link BookEvents#fillableLots}): its rest
     * leaves, as it has nothing left to reduce.
     */
    POSITION_CLOSED
}
