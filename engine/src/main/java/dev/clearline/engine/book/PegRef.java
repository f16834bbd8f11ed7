package dev.clearline.engine.book;

/**
 * What a pegged order's price follows. MARK: the market's oracle mark, in ticks rounded away from
 * the other side (down for a buy, up for a sell), given to the book by {@link OrderBook#mark}. BOOK:
 * the best price of the order's own side among the orders that are not pegged (a buy follows the
 * best fixed-price bid, a sell the best fixed-price ask); pegged orders never move their own
 * reference, so pegs cannot chase each other.
 */
public enum PegRef {
    MARK, BOOK
}
