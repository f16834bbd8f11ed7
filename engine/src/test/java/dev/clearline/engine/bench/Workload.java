package dev.clearline.engine.bench;

import dev.clearline.engine.book.BookConfig;
import dev.clearline.engine.book.BookEvents;
import dev.clearline.engine.book.CancelReason;
import dev.clearline.engine.book.OrderBook;
import dev.clearline.engine.book.RejectReason;
import dev.clearline.engine.book.Side;
import dev.clearline.engine.book.TimeInForce;
import java.util.HashMap;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * An exchange-core style order flow for one market, as flat arrays so that replaying it costs
 * nothing but the engine's own work: a prefill of resting GTC orders spread over about
 * {@code priceLevels} prices around a fixed mid, then a stream of commands mixed 9% GTC, 3% IOC,
 * 6% cancel and 82% move (amend to a nearby price, same size), from {@code accounts} owners.
 *
 * <p>The generator simulates the flow on an {@link OrderBook} while it generates, so every cancel
 * and move names an order that is live at that point, and it steers the book size toward the
 * prefill size (larger IOCs and more aggressive GTCs when the book is too big). The same RNG seed
 * gives the same workload.
 *
 * <p>Reusable beyond the book benchmark (e.g. for the matching + risk benchmark through the
 * Exchange facade): read {@link #prefillCount()} / {@link #operationCount()} and the per-index
 * accessors; ids are unique, owners are {@code 1..accounts}, prices are ticks, sizes are lots.
 */
public final class Workload {
    /** Command kinds. */
    public static final byte GTC = 0;
    public static final byte IOC = 1;
    public static final byte CANCEL = 2;
    public static final byte MOVE = 3;

    /** The shape of a workload. */
    public record Spec(int accounts, int restingOrders, int priceLevels, int operations) {
        /** A book config that fits this workload (the ladder spans 2^17 ticks around a mid of 2^16). */
        public BookConfig bookConfig() {
            return BookConfig.of(MID * 2, 1_000_000, restingOrders + restingOrders / 4 + 1_024);
        }
    }

    static final long MID = 1 << 16;

    private final Spec spec;
    private final byte[] kind;
    private final long[] orderId;
    private final long[] ownerId;
    private final boolean[] buy;
    private final long[] price;
    private final long[] size;
    private final int prefill;

    private Workload(Spec spec, int total) {
        this.spec = spec;
        this.prefill = spec.restingOrders();
        kind = new byte[total];
        orderId = new long[total];
        ownerId = new long[total];
        buy = new boolean[total];
        price = new long[total];
        size = new long[total];
    }

    public Spec spec() {
        return spec;
    }

    /** Commands 0..prefillCount()-1 are the resting GTC orders to load before measuring. */
    public int prefillCount() {
        return prefill;
    }

    /** Commands prefillCount().. are the measured stream. */
    public int operationCount() {
        return kind.length - prefill;
    }

    public byte kind(int i) {
        return kind[i];
    }

    public long orderId(int i) {
        return orderId[i];
    }

    /** Owner of a GTC/IOC; for cancel and move the owner of the named order. */
    public long ownerId(int i) {
        return ownerId[i];
    }

    public Side side(int i) {
        return buy[i] ? Side.BUY : Side.SELL;
    }

    /** Limit price of a GTC/IOC; new price of a move; unused for a cancel. */
    public long priceTicks(int i) {
        return price[i];
    }

    /** Size of a GTC/IOC; the (unchanged) open size for a move; unused for a cancel. */
    public long sizeLots(int i) {
        return size[i];
    }

    /** Applies command {@code i} to a book; {@code now} is fixed because the flow has no expiries. */
    public void apply(int i, OrderBook book, BookEvents sink) {
        switch (kind[i]) {
            case GTC -> book.place(orderId[i], ownerId[i], side(i), price[i], size[i], TimeInForce.GTC, 0, sink);
            case IOC -> book.place(orderId[i], ownerId[i], side(i), price[i], size[i], TimeInForce.IOC, 0, sink);
            case CANCEL -> book.cancel(orderId[i], 0, sink);
            default -> book.amend(orderId[i], price[i], size[i], 0, sink);
        }
    }

    /** Generates a workload; all randomness comes from {@code rng}. */
    public static Workload generate(Spec spec, RandomGenerator rng) {
        Workload w = new Workload(spec, spec.restingOrders() + spec.operations());
        new Generator(spec, rng, w).run();
        return w;
    }

    /** Tracks live orders on a simulated book so that cancels and moves always name one. */
    private static final class Generator implements BookEvents {
        private final Spec spec;
        private final RandomGenerator rng;
        private final Workload w;
        private final OrderBook book;
        private final long[] live;
        private final Map<Long, Integer> position = new HashMap<>();
        private final Map<Long, Boolean> sideOf = new HashMap<>();
        private final Map<Long, Long> priceOf = new HashMap<>();
        private final Map<Long, Long> ownerOf = new HashMap<>();
        private int liveCount;
        private long nextId = 1;
        private final int halfBand;

        Generator(Spec spec, RandomGenerator rng, Workload w) {
            this.spec = spec;
            this.rng = rng;
            this.w = w;
            this.book = new OrderBook(spec.bookConfig());
            this.live = new long[spec.bookConfig().capacity()];
            this.halfBand = Math.max(1, spec.priceLevels() / 2);
        }

        void run() {
            for (int i = 0; i < w.prefill; i++) {
                boolean isBuy = rng.nextBoolean();
                emitNew(i, GTC, isBuy, passivePrice(isBuy), 1 + rng.nextInt(100));
            }
            for (int i = w.prefill; i < w.kind.length; i++) {
                int roll = rng.nextInt(100);
                if (liveCount == 0 || roll < 9) {
                    boolean isBuy = rng.nextBoolean();
                    boolean aggressive = rng.nextInt(100) < (liveCount > spec.restingOrders() ? 30 : 2);
                    long p = aggressive ? MID + (isBuy ? 1 : -1) * (1 + rng.nextInt(halfBand / 4 + 1)) : passivePrice(isBuy);
                    emitNew(i, GTC, isBuy, p, 1 + rng.nextInt(100));
                } else if (roll < 12) {
                    boolean isBuy = rng.nextBoolean();
                    long p = MID + (isBuy ? 1 : -1) * (1 + rng.nextInt(halfBand / 4 + 1));
                    int maxSize = liveCount > spec.restingOrders() ? 400 : 60;
                    emitNew(i, IOC, isBuy, p, 1 + rng.nextInt(maxSize));
                } else if (roll < 18) {
                    long id = live[rng.nextInt(liveCount)];
                    record(i, CANCEL, id, 0, false, 0, 0);
                } else {
                    emitMove(i, live[rng.nextInt(liveCount)]);
                }
            }
        }

        private long passivePrice(boolean isBuy) {
            long offset = 1 + rng.nextInt(halfBand);
            return isBuy ? MID - offset : MID + offset;
        }

        private void emitNew(int i, byte k, boolean isBuy, long p, long s) {
            long owner = 1 + rng.nextInt(spec.accounts());
            record(i, k, nextId++, owner, isBuy, p, s);
        }

        private void emitMove(int i, long id) {
            long open = book.openLots(id);
            boolean isBuy = sideOf.get(id);
            long current = priceOf.get(id);
            long p = current + rng.nextInt(11) - 5;
            // Keep moves inside the passive band of the order's own side, as exchange-core does.
            p = isBuy ? Math.max(MID - halfBand, Math.min(MID - 1, p)) : Math.min(MID + halfBand, Math.max(MID + 1, p));
            record(i, MOVE, id, ownerOf.get(id), isBuy, p, open);
        }

        private void record(int i, byte k, long id, long owner, boolean isBuy, long p, long s) {
            w.kind[i] = k;
            w.orderId[i] = id;
            w.ownerId[i] = k == CANCEL ? ownerOf.get(id) : owner;
            w.buy[i] = k == CANCEL ? sideOf.get(id) : isBuy;
            w.price[i] = p;
            w.size[i] = s;
            if (k == GTC) {
                sideOf.put(id, isBuy);
                ownerOf.put(id, owner);
            }
            w.apply(i, book, this);
        }

        @Override
        public void onAccepted(long seq, long orderId, long ownerId, Side side, long priceTicks, long sizeLots) {}

        @Override
        public void onRejected(long seq, long orderId, long ownerId, RejectReason reason) {
            throw new IllegalStateException("workload generated a rejected command: " + orderId + " " + reason);
        }

        @Override
        public void onFill(long seq, long makerOrderId, long makerOwnerId, long takerOrderId, long takerOwnerId,
                           Side takerSide, long priceTicks, long lots, long makerRemainingLots, long takerRemainingLots) {
            if (makerRemainingLots == 0) {
                forget(makerOrderId);
            }
            if (takerRemainingLots == 0) {
                forget(takerOrderId);
            }
        }

        @Override
        public void onRested(long seq, long orderId, long priceTicks, long restingLots) {
            if (!position.containsKey(orderId)) {
                position.put(orderId, liveCount);
                live[liveCount++] = orderId;
            }
            priceOf.put(orderId, priceTicks);
        }

        @Override
        public void onCancelled(long seq, long orderId, long ownerId, long remainingLots, CancelReason reason) {
            forget(orderId);
        }

        @Override
        public void onExpired(long seq, long orderId, long ownerId, long remainingLots) {
            forget(orderId);
        }

        @Override
        public void onAmended(long seq, long orderId, long newPriceTicks, long newSizeLots, boolean keptPriority) {}

        private void forget(long id) {
            sideOf.remove(id);
            priceOf.remove(id);
            ownerOf.remove(id);
            Integer at = position.remove(id);
            if (at == null) {
                return;
            }
            long last = live[--liveCount];
            if (last != id) {
                live[at] = last;
                position.put(last, at);
            }
        }
    }
}
