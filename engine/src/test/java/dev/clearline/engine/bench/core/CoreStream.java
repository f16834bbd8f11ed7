package dev.clearline.engine.bench.core;

import dev.clearline.engine.book.BookConfig;
import dev.clearline.engine.book.BookEvents;
import dev.clearline.engine.book.CancelReason;
import dev.clearline.engine.book.OrderBook;
import dev.clearline.engine.book.RejectReason;
import dev.clearline.engine.book.Side;
import dev.clearline.engine.book.TimeInForce;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * The command stream exchange-core measures itself with, regenerated here from its published
 * description and its test generator's rules (written anew, not copied):
 * <ul>
 *   <li>a prefill of GTC orders until each side holds half the target number of resting orders
 *       (orders that cross on the way trade, as they would);</li>
 *   <li>then, per command: a side (biased away from a price bound once trades reach it), and with
 *       probability 1/20 a new order, 1/40 a cancel, 1/40 a size reduction, else a move. While a
 *       side holds fewer orders than its target, new orders are GTC limits and arrive four times as
 *       often; otherwise they are market-like IOCs priced at the bound;</li>
 *   <li>cancels, reductions and moves pick uniformly among the 512 oldest live orders only;</li>
 *   <li>a move drifts the order's price 1% of the way toward the last trade price (at least one
 *       tick), so it may cross and trade; a reduction removes 1..size lots (all of it cancels);</li>
 *   <li>sizes are {@code 1 + a*b*c} with a, b, c uniform in 0..5 (1..126 lots), for GTC and IOC;</li>
 *   <li>GTC prices sit on their own side of the last trade price, at a distance averaged from four
 *       draws below a deviation that is itself random (squared), around a random mid.</li>
 * </ul>
 * The generator runs the stream on one of our books while it generates, so every cancel, reduce
 * and move names an order that is live at that point and the last trade price is the real one.
 * Flat arrays, so a replay costs only the engine's own work. Same seed, same stream.
 */
public final class CoreStream {
    public static final byte GTC = 0;
    public static final byte IOC = 1;
    public static final byte CANCEL = 2;
    public static final byte MOVE = 3;
    public static final byte REDUCE = 4;

    static final int OLDEST = 512;

    /**
     * The commands, {@link #WIDTH} ints each: id, owner, price, then size, kind and side packed
     * ({@code size << 4 | kind << 1 | buy}). One array read front to back, so a replay streams one
     * run of memory: with six arrays (one per field) the replay read six streams at the same index,
     * and since large arrays start on aligned region boundaries, all six map to the same cache sets.
     */
    private int[] cmd;
    static final int WIDTH = 4;
    private int count;
    private int prefill;
    public final int mid;
    public final int minPrice;
    public final int maxPrice;
    public final int targetResting;

    private CoreStream(int capacity, int mid, int deviation, int targetResting) {
        cmd = new int[capacity * WIDTH];
        this.mid = mid;
        this.minPrice = mid - 5 * deviation;
        this.maxPrice = mid + 5 * deviation;
        this.targetResting = targetResting;
    }

    /** A book config that fits every price and size of the stream. */
    public BookConfig bookConfig() {
        return BookConfig.of(maxPrice + 1L, 1_000, targetResting + targetResting / 2 + 4_096);
    }

    public int prefillCount() {
        return prefill;
    }

    public int commandCount() {
        return count - prefill;
    }

    public int total() {
        return count;
    }

    public byte kind(int i) { return (byte) ((cmd[i * WIDTH + 3] >>> 1) & 7); }
    public int orderId(int i) { return cmd[i * WIDTH]; }
    public int ownerId(int i) { return cmd[i * WIDTH + 1]; }
    public boolean buy(int i) { return (cmd[i * WIDTH + 3] & 1) != 0; }
    /** Limit of a GTC, bound of an IOC, new price of a move. */
    public int price(int i) { return cmd[i * WIDTH + 2]; }
    /** Size of a GTC or IOC; the open size a move keeps; the open size a reduce leaves (0: cancels). */
    public int size(int i) { return cmd[i * WIDTH + 3] >>> 4; }

    /** Applies command {@code i} to a book. */
    public void apply(int i, OrderBook book, BookEvents sink) {
        int at = i * WIDTH;
        int id = cmd[at];
        int packed = cmd[at + 3];
        int size = packed >>> 4;
        Side side = (packed & 1) != 0 ? Side.BUY : Side.SELL;
        switch ((packed >>> 1) & 7) {
            case GTC -> book.place(id, cmd[at + 1], side, cmd[at + 2], size, TimeInForce.GTC, 0, sink);
            case IOC -> book.place(id, cmd[at + 1], side, cmd[at + 2], size, TimeInForce.IOC, 0, sink);
            case CANCEL -> book.cancel(id, 0, sink);
            case MOVE -> book.amend(id, cmd[at + 2], size, 0, sink);
            default -> {
                if (size == 0) book.cancel(id, 0, sink);
                else book.amend(id, cmd[at + 2], size, 0, sink);
            }
        }
    }

    /** Generates a stream: prefill to {@code targetResting} orders, then {@code commands} commands from {@code users} users. */
    public static CoreStream generate(int targetResting, int commands, int users, RandomGenerator rng) {
        int mid = 20_000 + rng.nextInt(40_000);
        int deviation = Math.min(mid / 20, 10_000);
        CoreStream s = new CoreStream(targetResting + targetResting / 8 + commands + 1_024, mid, deviation, targetResting);
        new Generator(s, rng, users, deviation).run(commands);
        return s;
    }

    private void add(byte k, int orderId, int ownerId, boolean isBuy, int p, int sz) {
        if ((count + 1) * WIDTH > cmd.length) {
            cmd = Arrays.copyOf(cmd, cmd.length * 2);
        }
        int at = count * WIDTH;
        cmd[at] = orderId;
        cmd[at + 1] = ownerId;
        cmd[at + 2] = p;
        cmd[at + 3] = sz << 4 | k << 1 | (isBuy ? 1 : 0);
        count++;
    }

    /** Simulates the stream on a book while writing it; the book's events keep the live set true. */
    private static final class Generator implements BookEvents {
        final CoreStream s;
        final RandomGenerator rng;
        final int users;
        final int deviation;
        final OrderBook book;
        int[] orderPrice = new int[1 << 16];
        int[] orderOpen = new int[1 << 16];
        int[] orderOwner = new int[1 << 16];
        boolean[] orderBuy = new boolean[1 << 16];
        /** Orders in the order they were placed; a move keeps its place. */
        int[] byAge = new int[1 << 16];
        int placed;
        int cursor;
        /** The oldest live orders, at most {@link #OLDEST}, in no particular order. */
        final int[] window = new int[OLDEST];
        int windowSize;
        int[] windowPos = new int[1 << 16];
        int bids;
        int asks;
        int lastTrade;
        int direction;
        int nextId = 1;

        Generator(CoreStream s, RandomGenerator rng, int users, int deviation) {
            this.s = s;
            this.rng = rng;
            this.users = users;
            this.deviation = deviation;
            this.book = new OrderBook(s.bookConfig());
            this.lastTrade = s.mid;
        }

        void run(int commands) {
            int half = s.targetResting / 2;
            while (bids < half || asks < half) {
                boolean isBuy = bids < half && (asks >= half || rng.nextBoolean());
                placeLimit(isBuy);
            }
            s.prefill = s.count;
            for (int c = 0; c < commands; c++) {
                if (!command(half)) c--;
            }
        }

        /** One command of the measured stream; false when the draw named no usable order (drawn again). */
        boolean command(int half) {
            boolean isBuy = rng.nextInt(4) + direction >= 2;
            int lack = half - (isBuy ? bids : asks);
            boolean grow = lack > 0;
            int q = rng.nextInt(grow ? 10 : 40);
            if (q < 2) {
                if (grow) placeLimit(isBuy);
                else placeMarketLike(isBuy);
                return true;
            }
            refill();
            if (windowSize == 0) return false;
            int order = window[rng.nextInt(windowSize)];
            if (q == 2) {
                s.add(CANCEL, order, orderOwner[order], orderBuy[order], 0, 0);
                book.cancel(order, 0, this);
            } else if (q == 3) {
                int open = orderOpen[order];
                int left = open - (1 + rng.nextInt(open));
                s.add(REDUCE, order, orderOwner[order], orderBuy[order], orderPrice[order], left);
                if (left == 0) book.cancel(order, 0, this);
                else book.amend(order, orderPrice[order], left, 0, this);
            } else {
                int prev = orderPrice[order];
                double drift = (lastTrade - prev) * 0.01;
                int step = prev > lastTrade ? (int) Math.floor(drift) : prev < lastTrade ? (int) Math.ceil(drift)
                        : rng.nextInt(2) * 2 - 1;
                int next = Math.max(1, Math.min(s.maxPrice, prev + step));
                s.add(MOVE, order, orderOwner[order], orderBuy[order], next, orderOpen[order]);
                orderPrice[order] = next;
                book.amend(order, next, orderOpen[order], 0, this);
                if (!book.isResting(order)) vanish(order); // it crossed and filled completely
            }
            return true;
        }

        void placeLimit(boolean isBuy) {
            int owner = 1 + rng.nextInt(users);
            int size = 1 + rng.nextInt(6) * rng.nextInt(6) * rng.nextInt(6);
            int dev = 1 + (int) (Math.pow(rng.nextDouble(), 2) * deviation);
            long sum = 0;
            for (int k = 0; k < 4; k++) sum += rng.nextInt(dev);
            long p = sum / 4 * 2 - dev;
            // bids at or below the last trade, asks at or above it
            if ((p > 0) != !isBuy) p = -p;
            int price = (int) Math.max(1, Math.min(s.maxPrice, lastTrade + p));
            int order = nextId++;
            grow(order);
            orderPrice[order] = price;
            orderOpen[order] = size;
            orderOwner[order] = owner;
            orderBuy[order] = isBuy;
            s.add(GTC, order, owner, isBuy, price, size);
            book.place(order, owner, isBuy ? Side.BUY : Side.SELL, price, size, TimeInForce.GTC, 0, this);
            if (!book.isResting(order)) orderOpen[order] = 0;
        }

        /** An order that left the book as a taker (no event of its own says so); the side counts already moved. */
        private void vanish(int order) {
            orderOpen[order] = 0;
            int at = windowPos[order];
            if (at > 0) {
                int last = window[--windowSize];
                window[at - 1] = last;
                windowPos[last] = at;
                windowPos[order] = 0;
            }
        }

        void placeMarketLike(boolean isBuy) {
            int owner = 1 + rng.nextInt(users);
            int size = 1 + rng.nextInt(6) * rng.nextInt(6) * rng.nextInt(6);
            int order = nextId++;
            grow(order);
            int bound = isBuy ? s.maxPrice : s.minPrice;
            s.add(IOC, order, owner, isBuy, bound, size);
            book.place(order, owner, isBuy ? Side.BUY : Side.SELL, bound, size, TimeInForce.IOC, 0, this);
        }

        private void grow(int order) {
            if (order >= orderPrice.length) {
                int n = orderPrice.length * 2;
                orderPrice = Arrays.copyOf(orderPrice, n);
                orderOpen = Arrays.copyOf(orderOpen, n);
                orderOwner = Arrays.copyOf(orderOwner, n);
                orderBuy = Arrays.copyOf(orderBuy, n);
                windowPos = Arrays.copyOf(windowPos, n);
            }
        }

        /** Tops the window up with the next oldest live orders. */
        private void refill() {
            while (windowSize < OLDEST && cursor < placed) {
                int order = byAge[cursor++];
                if (orderOpen[order] > 0 && windowPos[order] == 0) {
                    window[windowSize] = order;
                    windowPos[order] = ++windowSize;
                }
            }
        }

        private void gone(int order, boolean wasBuy) {
            vanish(order);
            if (wasBuy) bids--;
            else asks--;
        }

        @Override
        public void onAccepted(long seq, long orderId, long ownerId, Side side, long priceTicks, long sizeLots) { }

        @Override
        public void onRejected(long seq, long orderId, long ownerId, RejectReason reason) {
            throw new IllegalStateException("the generator's book refused order " + orderId + ": " + reason);
        }

        @Override
        public void onFill(long seq, long makerOrderId, long makerOwnerId, long takerOrderId, long takerOwnerId,
                           Side takerSide, long priceTicks, long lots, long makerRemainingLots, long takerRemainingLots) {
            int maker = (int) makerOrderId;
            lastTrade = (int) Math.max(s.minPrice, Math.min(s.maxPrice, priceTicks));
            if (priceTicks <= s.minPrice) direction = 1;
            else if (priceTicks >= s.maxPrice) direction = -1;
            if (makerRemainingLots == 0) gone(maker, orderBuy[maker]);
            else orderOpen[maker] = (int) makerRemainingLots;
        }

        @Override
        public void onRested(long seq, long orderId, long priceTicks, long restingLots) {
            int order = (int) orderId;
            boolean fresh = !isQueued(order);
            orderOpen[order] = (int) restingLots;
            if (fresh) {
                if (placed == byAge.length) byAge = Arrays.copyOf(byAge, placed * 2);
                byAge[placed++] = order;
                queued(order);
            }
            if (orderBuy[order]) bids++;
            else asks++;
        }

        @Override
        public void onCancelled(long seq, long orderId, long ownerId, long remainingLots, CancelReason reason) {
            int order = (int) orderId;
            if (reason == CancelReason.IMMEDIATE_REMAINDER) return;
            gone(order, orderBuy[order]);
        }

        @Override
        public void onExpired(long seq, long orderId, long ownerId, long remainingLots) { }

        @Override
        public void onAmended(long seq, long orderId, long newPriceTicks, long newSizeLots, boolean keptPriority) {
            int order = (int) orderId;
            orderOpen[order] = (int) newSizeLots;
            if (!keptPriority) {
                // it left its queue: a rest or fills follow, and onRested counts it again
                if (orderBuy[order]) bids--;
                else asks--;
            }
        }

        /** Orders ever rested (bit set), so a moved order keeps its age. */
        private long[] queuedBits = new long[1 << 10];

        private boolean isQueued(int order) {
            int w = order >>> 6;
            return w < queuedBits.length && (queuedBits[w] & (1L << order)) != 0;
        }

        private void queued(int order) {
            int w = order >>> 6;
            if (w >= queuedBits.length) queuedBits = Arrays.copyOf(queuedBits, Math.max(w + 1, queuedBits.length * 2));
            queuedBits[w] |= 1L << order;
        }
    }
}
