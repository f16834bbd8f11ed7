package dev.clearline.engine.book;

/** The side of an order: a BUY rests on the bid side, a SELL on the ask side. */
public enum Side {
    BUY,
    SELL;

    /** The side an order of this side trades against. */
    public Side opposite() {
        return this == BUY ? SELL : BUY;
    }
}
