package dev.clearline.engine.book;

/**
 * The caller's answer when the book asks to fill ({@link BookEvents#approveFill}): the book itself
 * has no notion of margin, so a fill it finds may still be refused by whoever settles it. A
 * refused fill changes neither order's size; the order at fault leaves the book
 * ({@link CancelReason#FILL_REFUSED}) and the other one carries on.
 */
public enum FillVerdict {
    /** The fill happens. */
    FILL,
    /** The maker is at fault: it leaves the book unfilled and the taker continues down the book. */
    MAKER_LEAVES,
    /** The taker is at fault (or nobody can trade now): the maker stays, the taker stops and its rest is cancelled. */
    TAKER_STOPS,
    /** Both are at fault: the maker leaves and the taker stops. */
    BOTH_LEAVE;

    public boolean makerLeaves() {
        return this == MAKER_LEAVES || this == BOTH_LEAVE;
    }

    public boolean takerStops() {
        return this == TAKER_STOPS || this == BOTH_LEAVE;
    }
}
