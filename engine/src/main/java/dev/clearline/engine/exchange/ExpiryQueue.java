package dev.clearline.engine.exchange;

import dev.clearline.engine.image.ImageFormatException;
import dev.clearline.engine.image.ImageReader;
import dev.clearline.engine.image.ImageWriter;

import java.util.Arrays;
import java.util.function.LongFunction;

/**
 * The resting orders that carry an expiry, soonest first: an indexed binary heap (each order
 * knows its index, so leaving the book removes it in O(log n) and the queue never holds more
 * than the orders resting). Lets the exchange take expired orders off the book, with their
 * reservations, as soon as the clock passes them, without scanning the book.
 */
final class ExpiryQueue {
    private LiveOrder[] heap = new LiveOrder[64];
    private int size;

    int size() {
        return size;
    }

    /** Queues an order with a non-zero expiry; an order already queued is re-placed. */
    void add(LiveOrder e) {
        if (e.expiryIndex >= 0) remove(e);
        if (size == heap.length) heap = Arrays.copyOf(heap, size * 2);
        heap[size] = e;
        e.expiryIndex = size;
        size++;
        up(size - 1);
    }

    void remove(LiveOrder e) {
        int i = e.expiryIndex;
        if (i < 0) return;
        e.expiryIndex = -1;
        size--;
        if (i == size) {
            heap[size] = null;
            return;
        }
        LiveOrder last = heap[size];
        heap[size] = null;
        heap[i] = last;
        last.expiryIndex = i;
        up(i);
        down(last.expiryIndex);
    }

    /** The order that expires first, or null. */
    LiveOrder first() {
        return size == 0 ? null : heap[0];
    }

    /** Queued orders with an expiry before {@code ts} (a scan: for tests and monitoring). */
    int countExpiredAt(long ts) {
        int n = 0;
        for (int i = 0; i < size; i++) if (key(heap[i]) < ts) n++;
        return n;
    }

    private static long key(LiveOrder e) {
        return e.order().expiry();
    }

    private void up(int i) {
        LiveOrder e = heap[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (key(heap[parent]) <= key(e)) break;
            heap[i] = heap[parent];
            heap[i].expiryIndex = i;
            i = parent;
        }
        heap[i] = e;
        e.expiryIndex = i;
    }

    private void down(int i) {
        LiveOrder e = heap[i];
        while (true) {
            int child = 2 * i + 1;
            if (child >= size) break;
            if (child + 1 < size && key(heap[child + 1]) < key(heap[child])) child++;
            if (key(heap[child]) >= key(e)) break;
            heap[i] = heap[child];
            heap[i].expiryIndex = i;
            i = child;
        }
        heap[i] = e;
        e.expiryIndex = i;
    }

    /**
     * Writes the heap as laid out (book ids in heap order): equal expiries leave in an order only
     * the layout decides. Each queued order must be the live order its id names ({@code orders}),
     * which is what the restored queue will hold.
     */
    void writeImage(ImageWriter out, LongFunction<LiveOrder> orders) {
        out.writeInt(size);
        for (int i = 0; i < size; i++) {
            if (orders.apply(heap[i].id) != heap[i]) throw new IllegalStateException("order " + heap[i].id + " is queued for expiry but not live");
            out.writeLong(heap[i].id);
        }
    }

    /**
     * Restores what {@link #writeImage} wrote into this queue, which must be new; {@code orders}
     * finds a live order by id. The array's spare room is not restored: it changes no order.
     */
    void readImage(ImageReader in, LongFunction<LiveOrder> orders) {
        if (size != 0) throw new IllegalStateException("restoring into a queue that is not new");
        int n = in.readCount(8);
        LiveOrder[] h = new LiveOrder[Math.max(64, n)];
        for (int i = 0; i < n; i++) {
            long id = in.readLong();
            LiveOrder e = orders.apply(id);
            if (e == null) throw new ImageFormatException("the expiry queue names order " + id + ", which the image does not hold");
            if (e.expiryIndex >= 0) throw new ImageFormatException("order " + id + " is queued for expiry twice");
            if (i > 0 && key(h[(i - 1) >>> 1]) > key(e)) throw new ImageFormatException("the expiry queue is out of heap order at order " + id);
            h[i] = e;
            e.expiryIndex = i;
        }
        heap = h;
        size = n;
    }
}
