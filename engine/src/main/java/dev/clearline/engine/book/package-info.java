/**
 * The order book of one market and its matching rules. Off-chain and not part of the STF: the
 * book decides which fills happen; the STF then checks each fill on its own.
 *
 * <p>Entry point: {@link dev.clearline.engine.book.OrderBook}; outcomes go to a
 * {@link dev.clearline.engine.book.BookEvents} sink, every event with a strictly increasing
 * sequence number ({@link dev.clearline.engine.book.BookEventLog} records them as values).
 *
 * <h2>Matching rules</h2>
 * <ul>
 *   <li><b>Price-time priority.</b> An incoming order trades with the best opposite price first
 *       and, within a price, with the oldest order first. Every fill is at the maker's (resting
 *       order's) price; the incoming order is the taker.</li>
 *   <li><b>Units.</b> Prices are integer ticks in {@code 1..maxPriceTicks}, sizes integer lots in
 *       {@code 1..maxSizeLots}; anything else is rejected (SIZE_OUT_OF_RANGE, PRICE_OUT_OF_RANGE).
 *       The caller converts from human units.</li>
 *   <li><b>GTC</b> rests its unfilled rest. <b>IOC</b> fills what crosses now and cancels the rest
 *       (IMMEDIATE_REMAINDER). <b>FOK</b> is checked before any fill: if the unexpired liquidity of
 *       other owners at acceptable prices is smaller than its size, it is rejected and nothing
 *       changes (not even expiry of stale orders); otherwise it fills completely.</li>
 *   <li><b>Market</b> orders are IOC orders whose limit is the caller's worst-price bound.</li>
 *   <li><b>Fill limit</b> ({@code BookConfig.maxFillsPerTaker}, none by default): an incoming order
 *       (or an amend re-entering the book) makes at most that many fills, iceberg refills each
 *       counting as one. When it would make one more it stops and its rest is cancelled
 *       (FILL_LIMIT), whatever its time in force, since resting it would cross the book. A FOK
 *       that would need more is rejected (FILL_OR_KILL_TOO_MANY_FILLS) and nothing changes. A peg
 *       that a reference move carries across the book (below) takes like an incoming order and is
 *       held to the same limit per request: with that many fills made and still crossing it leaves
 *       (FILL_LIMIT), so one mark move cannot hold the matching thread for a whole book.</li>
 *   <li><b>Post-only</b> (GTC only) is rejected if any live opposite order sits at a price it
 *       would trade at, whoever owns it; otherwise it only rests, never fills on entry.</li>
 *   <li><b>Reduce-only</b> (any time in force): the book cannot see positions, so the caller passes the
 *       size the order may reduce ({@code reduceOnlyCapLots}); the order is clipped to it (a FOK then
 *       needs the clipped size), and a cap of 0 is rejected. A GTC one rests (a take-profit), and its
 *       owner's position may change while it does: before each fill as a maker the book asks
 *       {@code fillableLots}, fills no more than the position has left, and cancels the rest when that
 *       fill closed the position (POSITION_CLOSED); one whose position is already gone is refused at
 *       its next fill ({@code approveFill}) and leaves (FILL_REFUSED). Between book calls the exchange
 *       keeps such orders within their position itself: it cuts one larger than what the position holds
 *       ({@link dev.clearline.engine.book.OrderBook#shrink}, same place in the queue) and takes off one whose
 *       position a fill or a deleverage closed or turned.</li>
 *   <li><b>Iceberg</b> (GTC only, {@code displayLots > 0}): only the displayed slice is matchable at
 *       a time. When a slice is used up and hidden quantity remains, a new slice of up to
 *       {@code displayLots} is shown and the order goes to the BACK of its price level (it loses
 *       time priority on every refill). An incoming iceberg trades its whole size as a taker.</li>
 *   <li><b>Amend</b> sets a resting order's price and open size. It keeps time priority only when
 *       the price is unchanged and the size does not grow (shrinking takes hidden quantity first).
 *       Otherwise the order leaves its queue and re-enters like a new aggressive order of the same
 *       owner: an amend to a crossing price matches immediately (self-trade prevention included),
 *       and the rest goes to the back of the new level. An amended post-only order that would cross
 *       is rejected and left as it was.</li>
 *   <li><b>Pegged</b> ({@link dev.clearline.engine.book.OrderBook#placePegged}): the price is a reference (the
 *       mark given by {@code mark}, or the best fixed-price order of the own side) plus an offset,
 *       never past the limit. Pegs sit in ladders indexed by offset and are priced when read, so a
 *       reference move costs nothing per peg; only pegs reaching or leaving their limit change
 *       queue. At one price: fixed-price orders, then pegs held at their limit, then floating MARK
 *       pegs, then floating BOOK pegs, each FIFO. A peg carried across the book by its reference
 *       takes like an incoming order (a post-only one is cancelled, PEG_CROSSED; the fill limit
 *       holds). Without its
 *       reference a peg cannot trade: a GTC rests without a price, an IOC is cancelled, a FOK
 *       rejected. A pegged order cannot be amended in place.</li>
 *   <li><b>Self-trade prevention: cancel resting.</b> When an incoming order meets a resting order
 *       of the same owner, the resting order is cancelled (SELF_TRADE) without a fill and the
 *       incoming order continues down the book. FOK liquidity counts other owners only.</li>
 *   <li><b>Expiry.</b> An order may fill while {@code now <= expiresAt}. An incoming order already
 *       past it is rejected; a resting one found past it during matching is removed with an
 *       Expired event and never fills; {@code sweepExpired} removes all of them explicitly. An
 *       amend of an expired order removes it (Expired) and is rejected (ORDER_EXPIRED).</li>
 *   <li><b>Authority.</b> The book trusts its caller: it does not check signatures or that a cancel
 *       or amend comes from the order's owner.</li>
 *   <li><b>Duplicate ids.</b> A new order whose id is resting on the book is rejected. Ids of
 *       orders that already left the book are not remembered here: the caller (which keeps every
 *       order's filled/cancelled state) rejects their reuse.</li>
 * </ul>
 *
 * <p>The book is never crossed after an operation: an incoming order either trades with or
 * removes (expiry, self-trade) every opposite order at an acceptable price before it rests.
 *
 * <h2>Data structures</h2>
 * Nothing is allocated per order or per event after construction. An order rests in a slot:
 * its record is one 64-byte cache line of a preallocated {@code long[]}, its FIFO links one long
 * of a separate array (queueing writes the links of neighbouring orders, random lines at a million
 * resting orders: of an 8-16 MB array this way, which a last-level cache can hold). Slots never
 * move. An order's slot is its <em>home</em>, the id's low bits, whenever that slot is free, so
 * finding an order reads its own record and nothing before it, and consecutively numbered orders
 * sit in consecutive records. Only an order whose home was taken goes elsewhere and into an index:
 * open addressing with linear probing over one long per position (a 37-bit fingerprint of the id
 * and the slot: eight positions per cache line, no record read unless the fingerprint matches),
 * with backward-shift deletion, so no tombstones and probe runs stay short under any churn.
 * Each side's price levels are doubly linked FIFO queues indexed by tick (a level is found by its
 * price directly, never by a tree walk) in pages of 4,096 ticks allocated where orders rest, so a
 * book may span millions of ticks, with a three-level bitmap (levels, level words, pages) to find
 * the next non-empty level.
 * The differential tests run this against a deliberately naive book
 * ({@code ReferenceBook} in the tests) on random order flow and require identical event streams.
 */
package dev.clearline.engine.book;
