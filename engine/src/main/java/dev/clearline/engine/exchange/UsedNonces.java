package dev.clearline.engine.exchange;

import dev.clearline.engine.image.ImageFormatException;
import dev.clearline.engine.image.ImageReader;
import dev.clearline.engine.image.ImageWriter;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * One trader's used order nonces. Traders normally sign increasing nonces, so a nonce above every
 * used one is new without a look-up; the nonces are appended to a log (cheap, cache-friendly) and
 * hashed into a set only when an older-looking nonce has to be checked exactly. A nonce is
 * forgotten ({@link #remove}) once its order has expired for good ({@link ExpiringNonces}): the log
 * is then folded into the set and emptied, and {@code max} stays the highest nonce ever used (a
 * bound, no longer necessarily a member).
 */
final class UsedNonces {
    private long max = Long.MIN_VALUE;
    private long[] log = new long[8];
    private int logged;
    private int indexed;
    private final LongSet index = new LongSet();

    boolean contains(long nonce) {
        if (nonce > max) return false;
        while (indexed < logged) index.add(log[indexed++]);
        return index.contains(nonce);
    }

    /** Forgets {@code nonce}, every time it was recorded; the log, folded into the set, is let go. */
    void remove(long nonce) {
        if (nonce > max) return;
        while (indexed < logged) index.add(log[indexed++]);
        index.remove(nonce);
        if (logged > 0) {
            log = new long[8];
            logged = 0;
            indexed = 0;
        }
    }

    /** Nonces kept (tests). */
    int size() {
        while (indexed < logged) index.add(log[indexed++]);
        return index.size();
    }

    void add(long nonce) {
        if (logged == log.length) log = Arrays.copyOf(log, logged * 2);
        log[logged++] = nonce;
        if (nonce > max) max = nonce;
    }

    /**
     * Writes the log, how far it was indexed and the index as laid out: {@link #contains} indexes
     * lazily, so the set's layout depends on when it was asked, and a restored one must match.
     */
    void writeImage(ImageWriter out) {
        out.writeLong(max).writeInt(logged).writeInt(indexed);
        for (int i = 0; i < logged; i++) out.writeLong(log[i]);
        index.writeImage(out);
    }

    /** Restores what {@link #writeImage} wrote into these nonces, which must be new. */
    void readImage(ImageReader in) {
        if (logged != 0) throw new IllegalStateException("restoring into nonces that are not new");
        long m = in.readLong();
        int n = in.readCount(8);
        int done = in.readInt();
        if (done < 0 || done > n) throw new ImageFormatException(done + " of " + n + " logged nonces indexed");
        long[] l = new long[Math.max(8, n)];
        long highest = Long.MIN_VALUE;
        for (int i = 0; i < n; i++) {
            l[i] = in.readLong();
            highest = Math.max(highest, l[i]);
        }
        index.readImage(in);
        Set<Long> indexedNonces = new HashSet<>();
        for (int i = 0; i < done; i++) {
            indexedNonces.add(l[i]);
            if (!index.contains(l[i])) throw new ImageFormatException("indexed nonce " + l[i] + " missing from the index");
        }
        // the highest nonce ever used bounds the log; the set holds what the log indexed and, once nonces were forgotten,
        // what earlier logs folded into it (so it may hold more than this log indexed, never less)
        if (n > 0 && highest > m) throw new ImageFormatException("the highest used nonce is " + highest + ", the image says " + m);
        if (index.size() < indexedNonces.size()) {
            throw new ImageFormatException("the nonce index holds " + index.size() + " values for " + indexedNonces.size() + " indexed nonces");
        }
        if (index.size() > 0 && m == Long.MIN_VALUE) {
            throw new ImageFormatException("the nonce index holds " + index.size() + " values and no highest nonce");
        }
        max = m;
        log = l;
        logged = n;
        indexed = done;
    }
}
