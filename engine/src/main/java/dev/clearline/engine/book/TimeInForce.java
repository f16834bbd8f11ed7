package dev.clearline.engine.book;

/** How long the unfilled part of an order stays on the book. */
public enum TimeInForce {
    /** Good till cancelled (or till {@code expiresAt}): the unfilled rest rests on the book. */
    GTC,
    /** Immediate or cancel: fill what crosses now, cancel the rest. Never rests. */
    IOC,
    /** Fill or kill: fill the whole size now or reject with no state change. Never rests. */
    FOK
}
