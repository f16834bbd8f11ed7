package dev.clearline.engine.book;

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

    @FunctionalInterface
    interface Live {
        boolean test(long key, long id);
    }
}
