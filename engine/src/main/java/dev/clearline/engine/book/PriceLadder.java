package dev.clearline.engine.book;

import dev.clearline.engine.image.ImageFormatException;
import dev.clearline.engine.image.ImageReader;
import dev.clearline.engine.image.ImageWriter;

import java.util.Arrays;

/**
 * One side's price levels: a dense array of FIFO queues indexed by price (tick - 1), plus a
 * two-level bitmap of non-empty levels so that the next best level is found in a few word scans
 * instead of a walk over empty prices. The queues hold orders' slots ({@link OrderTable}), and
 * their links live in the order table's link array ({@link Slots#newLinks}), so a level costs two
 * ints and queueing allocates nothing.
 */
final class PriceLadder {
    static final int NONE = -1;

    private final boolean bestIsHighest;
    /**
     * Each level's head and tail slots side by side ({@code [2 * level]}, {@code [2 * level + 1]}):
     * queueing and unqueueing read or write both, so they share a cache line.
     */
    private final int[] ends;
    private final long[] levelBits;
    private final long[] wordBits;
    private final long[] links;
    private int best = NONE;

    PriceLadder(int levels, boolean bestIsHighest, long[] links) {
        this.bestIsHighest = bestIsHighest;
        this.ends = new int[2 * levels];
        Arrays.fill(ends, NONE);
        this.levelBits = new long[(levels + 63) >>> 6];
        this.wordBits = new long[(levelBits.length + 63) >>> 6];
        this.links = links;
    }

    int best() {
        return best;
    }

    int head(int level) {
        return ends[2 * level];
    }

    int tail(int level) {
        return ends[2 * level + 1];
    }

    /** Levels in the ladder (prices, or peg offsets). */
    int levels() {
        return ends.length / 2;
    }

    /**
     * Writes the best level and each non-empty level with its queue's head and tail slots,
     * ascending; the queues' links are the order table's. Empty levels (nearly all of a
     * preallocated ladder) cost nothing, and the bitmaps follow from the levels.
     */
    void writeImage(ImageWriter out) {
        int n = 0;
        for (long w : levelBits) {
            n += Long.bitCount(w);
        }
        out.writeInt(best).writeInt(n);
        for (int w = 0; w < levelBits.length; w++) {
            for (long bits = levelBits[w]; bits != 0; bits &= bits - 1) {
                int level = (w << 6) + Long.numberOfTrailingZeros(bits);
                out.writeInt(level).writeInt(ends[2 * level]).writeInt(ends[2 * level + 1]);
            }
        }
    }

    /** Restores what {@link #writeImage} wrote into this ladder, which must be new; queue ends must be slots below {@code slots}. */
    void readImage(ImageReader in, int slots) {
        if (best != NONE) {
            throw new IllegalStateException("restoring into a ladder that is not new");
        }
        int b = in.readInt();
        int n = in.readCount(12);
        int first = NONE;
        int last = NONE;
        for (int j = 0; j < n; j++) {
            int level = in.readInt();
            int head = in.readInt();
            int tail = in.readInt();
            if (level <= last || level >= levels() || head < 0 || head >= slots || tail < 0 || tail >= slots) {
                throw new ImageFormatException("a price level " + level + " (queue " + head + ".." + tail + ") after level " + last
                        + " in a ladder of " + levels() + " levels and " + slots + " slots");
            }
            ends[2 * level] = head;
            ends[2 * level + 1] = tail;
            markNonEmpty(level);
            first = j == 0 ? level : first;
            last = level;
        }
        int expected = bestIsHighest ? last : first;
        if (b != expected) {
            throw new ImageFormatException("a ladder whose best level is " + expected + " says " + b);
        }
        best = b;
    }

    /** True when {@code level} is at least as good as {@code other} for this side. */
    boolean atLeastAsGood(int level, int other) {
        return bestIsHighest ? level >= other : level <= other;
    }

    /** The next non-empty level after {@code level} going away from the best, or NONE. */
    int worse(int level) {
        return bestIsHighest ? previousSetBit(level - 1) : nextSetBit(level + 1);
    }

    void append(int slot, int level) {
        int t = ends[2 * level + 1];
        Slots.setLinks(links, slot, t, NONE);
        if (t == NONE) {
            ends[2 * level] = slot;
            markNonEmpty(level);
            if (best == NONE || (bestIsHighest ? level > best : level < best)) {
                best = level;
            }
        } else {
            Slots.setNext(links, t, slot);
        }
        ends[2 * level + 1] = slot;
    }

    void unlink(int slot, int level) {
        int p = Slots.prev(links, slot);
        int n = Slots.next(links, slot);
        if (p == NONE) {
            ends[2 * level] = n;
        } else {
            Slots.setNext(links, p, n);
        }
        if (n == NONE) {
            ends[2 * level + 1] = p;
        } else {
            Slots.setPrev(links, n, p);
        }
        if (ends[2 * level] == NONE) {
            markEmpty(level);
            if (level == best) {
                best = worse(level);
            }
        }
    }

    /** Sends a queued order to the back of its level (an iceberg refill loses time priority). */
    void moveToBack(int slot, int level) {
        if (ends[2 * level + 1] == slot) {
            return;
        }
        int p = Slots.prev(links, slot);
        int n = Slots.next(links, slot);
        if (p == NONE) {
            ends[2 * level] = n;
        } else {
            Slots.setNext(links, p, n);
        }
        Slots.setPrev(links, n, p);
        int t = ends[2 * level + 1];
        Slots.setNext(links, t, slot);
        Slots.setLinks(links, slot, t, NONE);
        ends[2 * level + 1] = slot;
    }

    private void markNonEmpty(int level) {
        int w = level >>> 6;
        levelBits[w] |= 1L << level;
        wordBits[w >>> 6] |= 1L << w;
    }

    private void markEmpty(int level) {
        int w = level >>> 6;
        levelBits[w] &= ~(1L << level);
        if (levelBits[w] == 0) {
            wordBits[w >>> 6] &= ~(1L << w);
        }
    }

    private int nextSetBit(int from) {
        if (from >= levelBits.length << 6) {
            return NONE;
        }
        int w = from >>> 6;
        long bits = levelBits[w] & (-1L << from);
        if (bits != 0) {
            return (w << 6) + Long.numberOfTrailingZeros(bits);
        }
        int word = w + 1;
        if (word >= levelBits.length) {
            return NONE;
        }
        int s = word >>> 6;
        long summary = wordBits[s] & (-1L << word);
        while (summary == 0) {
            if (++s == wordBits.length) {
                return NONE;
            }
            summary = wordBits[s];
        }
        int found = (s << 6) + Long.numberOfTrailingZeros(summary);
        return (found << 6) + Long.numberOfTrailingZeros(levelBits[found]);
    }

    private int previousSetBit(int from) {
        if (from < 0) {
            return NONE;
        }
        int w = from >>> 6;
        long bits = levelBits[w] & (-1L >>> (63 - (from & 63)));
        if (bits != 0) {
            return (w << 6) + 63 - Long.numberOfLeadingZeros(bits);
        }
        int word = w - 1;
        if (word < 0) {
            return NONE;
        }
        int s = word >>> 6;
        long summary = wordBits[s] & (-1L >>> (63 - (word & 63)));
        while (summary == 0) {
            if (--s < 0) {
                return NONE;
            }
            summary = wordBits[s];
        }
        int found = (s << 6) + 63 - Long.numberOfLeadingZeros(summary);
        return (found << 6) + 63 - Long.numberOfLeadingZeros(levelBits[found]);
    }
}
