package dev.clearline.engine.exchange;

import dev.clearline.engine.book.OrderBook;

/** One market's order book and the expiry queue of its resting orders. */
record MarketBook(int marketId, OrderBook book, ExpiryQueue expiries) {}
