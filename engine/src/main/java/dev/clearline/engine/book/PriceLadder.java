package dev.clearline.engine.book;

import dev.clearline.engine.image.ImageFormatException;
import dev.clearline.engine.image.ImageReader;
import dev.clearline.engine.image.ImageWriter;

import java.util.Arrays;

/**
 * One side's price levels: FIFO queues indexed by price (tick - 1), plus a three-level bitmap of
 * non-empty levels so that the next best level is found in a few word scans instead of a walk over
 * empty prices. The queues hold orders' slots ({@link OrderTable}), and their links live in the
 * order table's link array ({@link Slots#newLinks}), so a level costs two ints and queueing
 * allocates nothing once its page exists.
 *
 * <p>The levels are kept in pages of {@value #PAGE_LEVELS}, each allocated the first time an order
 * rests on it and kept from then on: a market's price may wander over millions of ticks (a wide
 * ladder lets it) while memory follows the stretch of prices orders have actually rested at. The
 * bitmap's top two levels (one bit per non-empty level word, one bit per non-empty page) are small
 * enough to stay dense.
 */
final class PriceLadder {
    static final int NONE = -1;
    private static final int PAGE_SHIFT = 12;
    static final int PAGE_LEVELS = 1 << PAGE_SHIFT;
    private static final int PAGE_MASK = PAGE_LEVELS - 1;
    /** Bitmap words of 64 levels in one page: exactly one summary word's worth. */
    private static final int PAGE_WORDS = PAGE_LEVELS >>> 6;

    private final boolean bestIsHighest;
    private final int levels;
    /**
     * Per page, each level's head and tail slots side by side ({@code [2 * level]}, {@code [2 * level + 1]}
     * within the page): queueing and unqueueing read or write both, so they share a cache line. Null
     * until the page first holds an order.
     */
    private final int[][] ends;
    /** Per page, one bit per non-empty level ({@value #PAGE_WORDS} words); allocated with the page's ends. */
    private final long[][] levelBits;
    /** Per page, bit {@code w} set while the page's level word {@code w} is not zero. */
    private final long[] wordBits;
    /** Bit {@code p} set while page {@code p} holds a non-empty level. */
    private final long[] pageBits;
    private final long[] links;
    private int best = NONE;

    PriceLadder(int levels, boolean bestIsHighest, long[] links) {
        this.bestIsHighest = bestIsHighest;
        this.levels = levels;
        int pages = (levels + PAGE_LEVELS - 1) >>> PAGE_SHIFT;
        this.ends = new int[pages][];
        this.levelBits = new long[pages][];
        this.wordBits = new long[pages];
        this.pageBits = new long[(pages + 63) >>> 6];
        this.links = links;
    }

    int best() {
        return best;
    }

    int head(int level) {
        int[] page = ends[level >>> PAGE_SHIFT];
        return page == null ? NONE : page[2 * (level & PAGE_MASK)];
    }

    int tail(int level) {
        int[] page = ends[level >>> PAGE_SHIFT];
        return page == null ? NONE : page[2 * (level & PAGE_MASK) + 1];
    }

    /** Levels in the ladder (prices, or peg offsets). */
    int levels() {
        return levels;
    }

    /** Pages allocated so far: what this ladder's memory grows with. */
    int pagesInUse() {
        int n = 0;
        for (int[] page : ends) {
            n += page == null ? 0 : 1;
        }
        return n;
    }

    /**
     * Writes the best level and each non-empty level with its queue's head and tail slots,
     * ascending; the queues' links are the order table's. Empty levels (nearly all of a
     * ladder) cost nothing, and the bitmaps follow from the levels.
     */
    void writeImage(ImageWriter out) {
        int n = 0;
        for (long[] bits : levelBits) {
            for (int w = 0; bits != null && w < PAGE_WORDS; w++) {
                n += Long.bitCount(bits[w]);
            }
        }
        out.writeInt(best).writeInt(n);
        for (int p = 0; p < levelBits.length; p++) {
            long[] bits = levelBits[p];
            for (int w = 0; bits != null && w < PAGE_WORDS; w++) {
                for (long b = bits[w]; b != 0; b &= b - 1) {
                    int level = (p << PAGE_SHIFT) + (w << 6) + Long.numberOfTrailingZeros(b);
                    out.writeInt(level).writeInt(head(level)).writeInt(tail(level));
                }
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
            if (level <= last || level >= levels || head < 0 || head >= slots || tail < 0 || tail >= slots) {
                throw new ImageFormatException("a price level " + level + " (queue " + head + ".." + tail + ") after level " + last
                        + " in a ladder of " + levels + " levels and " + slots + " slots");
            }
            int[] page = page(level);
            page[2 * (level & PAGE_MASK)] = head;
            page[2 * (level & PAGE_MASK) + 1] = tail;
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
        int[] page = page(level);
        int i = 2 * (level & PAGE_MASK);
        int t = page[i + 1];
        Slots.setLinks(links, slot, t, NONE);
        if (t == NONE) {
            page[i] = slot;
            markNonEmpty(level);
            if (best == NONE || (bestIsHighest ? level > best : level < best)) {
                best = level;
            }
        } else {
            Slots.setNext(links, t, slot);
        }
        page[i + 1] = slot;
    }

    /** Unqueues {@code slot}, which must be queued at {@code level} (so the level's page exists). */
    void unlink(int slot, int level) {
        int[] page = ends[level >>> PAGE_SHIFT];
        int i = 2 * (level & PAGE_MASK);
        int p = Slots.prev(links, slot);
        int n = Slots.next(links, slot);
        if (p == NONE) {
            page[i] = n;
        } else {
            Slots.setNext(links, p, n);
        }
        if (n == NONE) {
            page[i + 1] = p;
        } else {
            Slots.setPrev(links, n, p);
        }
        if (page[i] == NONE) {
            markEmpty(level);
            if (level == best) {
                best = worse(level);
            }
        }
    }

    /** Sends a queued order to the back of its level (an iceberg refill loses time priority). */
    void moveToBack(int slot, int level) {
        int[] page = ends[level >>> PAGE_SHIFT];
        int i = 2 * (level & PAGE_MASK);
        if (page[i + 1] == slot) {
            return;
        }
        int p = Slots.prev(links, slot);
        int n = Slots.next(links, slot);
        if (p == NONE) {
            page[i] = n;
        } else {
            Slots.setNext(links, p, n);
        }
        Slots.setPrev(links, n, p);
        int t = page[i + 1];
        Slots.setNext(links, t, slot);
        Slots.setLinks(links, slot, t, NONE);
        page[i + 1] = slot;
    }

    /** The page of {@code level}'s queue ends, allocated (every level empty) on first use. */
    private int[] page(int level) {
        int p = level >>> PAGE_SHIFT;
        int[] page = ends[p];
        if (page == null) {
            page = new int[2 * PAGE_LEVELS];
            Arrays.fill(page, NONE);
            ends[p] = page;
            levelBits[p] = new long[PAGE_WORDS];
        }
        return page;
    }

    private void markNonEmpty(int level) {
        int p = level >>> PAGE_SHIFT;
        int w = (level >>> 6) & (PAGE_WORDS - 1);
        levelBits[p][w] |= 1L << level;
        wordBits[p] |= 1L << w;
        pageBits[p >>> 6] |= 1L << p;
    }

    private void markEmpty(int level) {
        int p = level >>> PAGE_SHIFT;
        int w = (level >>> 6) & (PAGE_WORDS - 1);
        long[] bits = levelBits[p];
        bits[w] &= ~(1L << level);
        if (bits[w] == 0) {
            wordBits[p] &= ~(1L << w);
            if (wordBits[p] == 0) {
                pageBits[p >>> 6] &= ~(1L << p);
            }
        }
    }

    /** The lowest non-empty level at or above {@code from} ({@code from >= 0}), or NONE. */
    private int nextSetBit(int from) {
        if (from >= levels) {
            return NONE;
        }
        int p = from >>> PAGE_SHIFT;
        int w = (from >>> 6) & (PAGE_WORDS - 1);
        long[] bits = levelBits[p];
        if (bits != null) {
            long b = bits[w] & (-1L << from);
            if (b != 0) {
                return (p << PAGE_SHIFT) + (w << 6) + Long.numberOfTrailingZeros(b);
            }
            if (w < PAGE_WORDS - 1) {
                long words = wordBits[p] & (-1L << (w + 1));
                if (words != 0) {
                    int found = Long.numberOfTrailingZeros(words);
                    return (p << PAGE_SHIFT) + (found << 6) + Long.numberOfTrailingZeros(bits[found]);
                }
            }
        }
        int next = p + 1;
        if (next >= wordBits.length) {
            return NONE;
        }
        int s = next >>> 6;
        long pages = pageBits[s] & (-1L << next);
        while (pages == 0) {
            if (++s == pageBits.length) {
                return NONE;
            }
            pages = pageBits[s];
        }
        int fp = (s << 6) + Long.numberOfTrailingZeros(pages);
        int fw = Long.numberOfTrailingZeros(wordBits[fp]);
        return (fp << PAGE_SHIFT) + (fw << 6) + Long.numberOfTrailingZeros(levelBits[fp][fw]);
    }

    /** The highest non-empty level at or below {@code from} ({@code from < levels}), or NONE. */
    private int previousSetBit(int from) {
        if (from < 0) {
            return NONE;
        }
        int p = from >>> PAGE_SHIFT;
        int w = (from >>> 6) & (PAGE_WORDS - 1);
        long[] bits = levelBits[p];
        if (bits != null) {
            long b = bits[w] & (-1L >>> (63 - (from & 63)));
            if (b != 0) {
                return (p << PAGE_SHIFT) + (w << 6) + 63 - Long.numberOfLeadingZeros(b);
            }
            if (w > 0) {
                long words = wordBits[p] & (-1L >>> (64 - w));
                if (words != 0) {
                    int found = 63 - Long.numberOfLeadingZeros(words);
                    return (p << PAGE_SHIFT) + (found << 6) + 63 - Long.numberOfLeadingZeros(bits[found]);
                }
            }
        }
        int previous = p - 1;
        if (previous < 0) {
            return NONE;
        }
        int s = previous >>> 6;
        long pages = pageBits[s] & (-1L >>> (63 - (previous & 63)));
        while (pages == 0) {
            if (--s < 0) {
                return NONE;
            }
            pages = pageBits[s];
        }
        int fp = (s << 6) + 63 - Long.numberOfLeadingZeros(pages);
        int fw = 63 - Long.numberOfLeadingZeros(wordBits[fp]);
        return (fp << PAGE_SHIFT) + (fw << 6) + 63 - Long.numberOfLeadingZeros(levelBits[fp][fw]);
    }
}
