package dev.clearline.engine.book;

import java.util.ArrayList;
import java.util.List;
import dev.clearline.testkit.property.Gen;
import dev.clearline.testkit.property.Gens;

/**
 * Random order flow for property tests: a small price range (or a sparse one spanning bitmap word
 * boundaries), few owners so self-trades happen, sizes and prices that are sometimes out of range,
 * ids that are sometimes reused, expiries close to the advancing clock, and a capacity small
 * enough to fill the book.
 */
final class BookScenario {
    static final BookConfig NARROW = BookConfig.of(20, 10, 30);
    static final BookConfig WIDE = BookConfig.of(1 << 20, 10, 30);
    private static final long[] WIDE_PRICES = {1, 2, 63, 64, 65, 127, 128, 4_095, 4_096, 4_097, 8_191, 8_192,
        65_535, 65_536, 262_143, 262_144, 262_145, 1_000_000, 1_048_575, 1 << 20};

    /** One generated step; fields are resolved to concrete calls by {@link #run}. */
    record Op(int kind, int pick, int owner, boolean buy, int price, int size, int style, int time) {}

    /** The one operation the test drives into a book, with every argument resolved. */
    interface Target {
        void place(long id, long owner, Side side, long price, long size, TimeInForce tif, int flags, long display,
                   long cap, long expiresAt, long now, BookEvents sink);

        void placeMarket(long id, long owner, Side side, long size, long worst, int flags, long cap, long now,
                         BookEvents sink);

        void cancel(long id, long now, BookEvents sink);

        void amend(long id, long price, long size, long now, BookEvents sink);

        void sweepExpired(long now, BookEvents sink);
    }

    static Target of(OrderBook b) {
        return new Target() {
            public void place(long id, long owner, Side side, long price, long size, TimeInForce tif, int flags,
                              long display, long cap, long expiresAt, long now, BookEvents sink) {
                b.place(id, owner, side, price, size, tif, flags, display, cap, expiresAt, now, sink);
            }

            public void placeMarket(long id, long owner, Side side, long size, long worst, int flags, long cap,
                                    long now, BookEvents sink) {
                b.placeMarket(id, owner, side, size, worst, flags, cap, now, sink);
            }

            public void cancel(long id, long now, BookEvents sink) {
                b.cancel(id, now, sink);
            }

            public void amend(long id, long price, long size, long now, BookEvents sink) {
                b.amend(id, price, size, now, sink);
            }

            public void sweepExpired(long now, BookEvents sink) {
                b.sweepExpired(now, sink);
            }
        };
    }

    static Target of(ReferenceBook b) {
        return new Target() {
            public void place(long id, long owner, Side side, long price, long size, TimeInForce tif, int flags,
                              long display, long cap, long expiresAt, long now, BookEvents sink) {
                b.place(id, owner, side, price, size, tif, flags, display, cap, expiresAt, now, sink);
            }

            public void placeMarket(long id, long owner, Side side, long size, long worst, int flags, long cap,
                                    long now, BookEvents sink) {
                b.place(id, owner, side, worst, size, TimeInForce.IOC, flags, 0, cap, OrderBook.NEVER_EXPIRES, now,
                        sink);
            }

            public void cancel(long id, long now, BookEvents sink) {
                b.cancel(id, now, sink);
            }

            public void amend(long id, long price, long size, long now, BookEvents sink) {
                b.amend(id, price, size, now, sink);
            }

            public void sweepExpired(long now, BookEvents sink) {
                b.sweepExpired(now, sink);
            }
        };
    }

    /** Operation lists of 1 to {@code maxOps} steps; a failure shrinks to a short scenario. */
    static Gen<List<Op>> flows(int maxOps) {
        Gen<Op> op = Gens.<Integer>allOf(
                Gens.ints(0, 99),
                Gens.ints(0, 99),
                Gens.ints(1, 4),
                Gens.ints(0, 1),
                // Mostly a few adjacent prices, so levels hold queues and orders cross often.
                Gens.<Integer>frequency(85, Gens.ints(8, 13), 15, Gens.ints(0, 21)),
                Gens.ints(0, 11),
                Gens.ints(0, 99),
                Gens.ints(0, 40)).map(v -> new Op(v.get(0), v.get(1), v.get(2), v.get(3) == 1, v.get(4), v.get(5),
                        v.get(6), v.get(7)));
        return Gens.listOf(op, 1, maxOps);
    }

    /**
     * Drives the flow into a target; {@code afterEach} runs after every operation. Ids, prices and
     * times are resolved from the flow alone, never from the book, so every target sees the same calls.
     */
    static void run(List<Op> ops, boolean wide, Target target, BookEvents sink, Runnable afterEach) {
        List<Long> issued = new ArrayList<>();
        long now = 100;
        long nextId = 1;
        for (Op op : ops) {
            Side side = op.buy() ? Side.BUY : Side.SELL;
            long price = price(op.price(), wide);
            if (op.kind() < 50) {
                long id = op.pick() < 5 && !issued.isEmpty() ? issued.get(op.pick() % issued.size()) : nextId++;
                issued.add(id);
                long expiresAt = op.time() < 20 ? now + op.time() : OrderBook.NEVER_EXPIRES;
                int style = op.style();
                if (style < 55) {
                    target.place(id, op.owner(), side, price, op.size(), TimeInForce.GTC, OrderFlags.NONE, 0, 0,
                            expiresAt, now, sink);
                } else if (style < 65) {
                    target.place(id, op.owner(), side, price, op.size(), TimeInForce.IOC, OrderFlags.NONE, 0, 0,
                            expiresAt, now, sink);
                } else if (style < 72) {
                    target.place(id, op.owner(), side, price, op.size(), TimeInForce.FOK, OrderFlags.NONE, 0, 0,
                            expiresAt, now, sink);
                } else if (style < 80) {
                    target.place(id, op.owner(), side, price, op.size(), TimeInForce.GTC, OrderFlags.POST_ONLY, 0, 0,
                            expiresAt, now, sink);
                } else if (style < 88) {
                    long display = 1 + op.pick() % 4;
                    target.place(id, op.owner(), side, price, op.size(), TimeInForce.GTC, OrderFlags.NONE, display, 0,
                            expiresAt, now, sink);
                } else if (style < 94) {
                    target.placeMarket(id, op.owner(), side, op.size(), price, OrderFlags.NONE, 0, now, sink);
                } else if (style < 97) {
                    target.placeMarket(id, op.owner(), side, op.size(), price, OrderFlags.REDUCE_ONLY, op.pick() % 5,
                            now, sink);
                } else {
                    // a take-profit: reduce-only and resting
                    target.place(id, op.owner(), side, price, op.size(), TimeInForce.GTC, OrderFlags.REDUCE_ONLY, 0,
                            op.pick() % 5, expiresAt, now, sink);
                }
            } else if (op.kind() < 65) {
                target.cancel(issued.isEmpty() ? 999 : issued.get(op.pick() % issued.size()), now, sink);
            } else if (op.kind() < 95) {
                target.amend(issued.isEmpty() ? 999 : issued.get(op.pick() % issued.size()), price, op.size(), now,
                        sink);
            } else {
                now += op.time() % 8;
                if (op.kind() >= 98) {
                    target.sweepExpired(now, sink);
                }
            }
            afterEach.run();
        }
    }

    private static long price(int index, boolean wide) {
        if (!wide) {
            return index;
        }
        // 0 and 21 stay out of range in both modes; 1..20 map onto the sparse ladder.
        return index == 0 ? 0 : index == 21 ? (1 << 20) + 1 : WIDE_PRICES[index - 1];
    }

    /**
     * Records into {@code log}, with makers that can give less than asked ({@link BookEvents#fillableLots}): every third
     * order id has only half of each fill asked of it (0 for a fill of one lot, which counts as the whole lot). The same
     * answers for every book, so differential tests stay exact.
     */
    static BookEvents capping(BookEventLog log) {
        return new BookEvents() {
            @Override
            public long fillableLots(long makerOrderId, long makerOwnerId, long lots) {
                return makerOrderId % 3 == 0 ? lots / 2 : lots;
            }

            public void onAccepted(long seq, long orderId, long ownerId, Side side, long priceTicks, long sizeLots) {
                log.onAccepted(seq, orderId, ownerId, side, priceTicks, sizeLots);
            }

            public void onRejected(long seq, long orderId, long ownerId, RejectReason reason) {
                log.onRejected(seq, orderId, ownerId, reason);
            }

            public void onFill(long seq, long makerOrderId, long makerOwnerId, long takerOrderId, long takerOwnerId, Side takerSide,
                               long priceTicks, long lots, long makerRemainingLots, long takerRemainingLots) {
                log.onFill(seq, makerOrderId, makerOwnerId, takerOrderId, takerOwnerId, takerSide, priceTicks, lots, makerRemainingLots,
                        takerRemainingLots);
            }

            public void onRested(long seq, long orderId, long priceTicks, long restingLots) {
                log.onRested(seq, orderId, priceTicks, restingLots);
            }

            public void onCancelled(long seq, long orderId, long ownerId, long remainingLots, CancelReason reason) {
                log.onCancelled(seq, orderId, ownerId, remainingLots, reason);
            }

            public void onExpired(long seq, long orderId, long ownerId, long remainingLots) {
                log.onExpired(seq, orderId, ownerId, remainingLots);
            }

            public void onAmended(long seq, long orderId, long newPriceTicks, long newSizeLots, boolean keptPriority) {
                log.onAmended(seq, orderId, newPriceTicks, newSizeLots, keptPriority);
            }
        };
    }

    private BookScenario() {}
}
