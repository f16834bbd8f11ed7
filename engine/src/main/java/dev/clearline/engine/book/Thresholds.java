package dev.clearline.engine.book;

import dev.clearline.engine.image.ImageFormatException;
import dev.clearline.engine.image.ImageReader;
import dev.clearline.engine.image.ImageWriter;

import java.util.Arrays;

/**
 * A binary min-heap of (key, order id) pairs with lazy deletion: an entry whose order left, or
 * changed state, is dropped when it reaches the top (the caller checks it against the book). The
 * book keeps two per (side, peg reference): floating pegs by the reference value at which they
 * reach their limit, and held pegs by the value at which they float again, so a reference move
 * touches only the pegs whose state it changes. Allocation-free once grown.
 */
final class Thresholds {
    private long[] keys = new long[16];
    private long[] ids = new long[16];
    private int size;

    int size() {
        return size;
    }

    long minKey() {
        return keys[0];
    }

    long minId() {
        return ids[0];
    }

    void push(long key, long id) {
        if (size == keys.length) {
            keys = Arrays.copyOf(keys, size * 2);
            ids = Arrays.copyOf(ids, size * 2);
        }
        int i = size++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (keys[parent] <= key) {
                break;
            }
            keys[i] = keys[parent];
            ids[i] = ids[parent];
            i = parent;
        }
        keys[i] = key;
        ids[i] = id;
    }

    void pop() {
        long key = keys[--size];
        long id = ids[size];
        int i = 0;
        while (true) {
            int child = 2 * i + 1;
            if (child >= size) {
                break;
            }
            if (child + 1 < size && keys[child + 1] < keys[child]) {
                child++;
            }
            if (keys[child] >= key) {
                break;
            }
            keys[i] = keys[child];
            ids[i] = ids[child];
            i = child;
        }
        if (size > 0) {
            keys[i] = key;
            ids[i] = id;
        }
    }

    /** Keeps only the entries {@code live} accepts (drops stale ones), then restores the heap order. */
    void retain(Live live) {
        int n = 0;
        for (int i = 0; i < size; i++) {
            if (live.test(keys[i], ids[i])) {
                keys[n] = keys[i];
                ids[n] = ids[i];
                n++;
            }
        }
        size = n;
        for (int i = (size >>> 1) - 1; i >= 0; i--) {
            siftDown(i);
        }
    }

    private void siftDown(int i) {
        long key = keys[i];
        long id = ids[i];
        while (true) {
            int child = 2 * i + 1;
            if (child >= size) {
                break;
            }
            if (child + 1 < size && keys[child + 1] < keys[child]) {
                child++;
            }
            if (keys[child] >= key) {
                break;
            }
            keys[i] = keys[child];
            ids[i] = ids[child];
            i = child;
        }
        keys[i] = key;
        ids[i] = id;
    }

    /**
     * Writes the heap as laid out, stale entries included: they decide when {@link #retain} runs
     * and, among equal keys, the order in which pegs change queue.
     */
    void writeImage(ImageWriter out) {
        out.writeInt(size);
        for (int i = 0; i < size; i++) {
            out.writeLong(keys[i]).writeLong(ids[i]);
        }
    }

    /** Restores what {@link #writeImage} wrote into this heap, which must be new (the spare room changes nothing). */
    void readImage(ImageReader in) {
        if (size != 0) {
            throw new IllegalStateException("restoring into a heap that is not new");
        }
        int n = in.readCount(16);
        long[] k = new long[Math.max(16, n)];
        long[] d = new long[k.length];
        for (int i = 0; i < n; i++) {
            k[i] = in.readLong();
            d[i] = in.readLong();
            if (i > 0 && k[(i - 1) >>> 1] > k[i]) {
                throw new ImageFormatException("a peg threshold heap out of heap order at entry " + i);
            }
        }
        keys = k;
        ids = d;
        size = n;
    }

    @FunctionalInterface
    interface Live {
        boolean test(long key, long id);
    }
}
