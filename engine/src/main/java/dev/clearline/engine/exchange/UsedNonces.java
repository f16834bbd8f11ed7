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
 * hashed into a set only when an older-looking nonce has to be checked exactly.
 */
final class UsedNonces {
    private long max = Long.MIN_VALUE;
    private long[] log = new long[8];
    private int logged;
    private int indexed;
    private final LongSet index = new LongSet();

    boolean contains(long nonce) {
        if (logged == 0 || nonce > max) return false;
        while (indexed < logged) index.add(log[indexed++]);
        return index.contains(nonce);
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
        if (m != highest) throw new ImageFormatException("the highest used nonce is " + highest + ", the image says " + m);
        index.readImage(in);
        Set<Long> indexedNonces = new HashSet<>();
        for (int i = 0; i < done; i++) {
            indexedNonces.add(l[i]);
            if (!index.contains(l[i])) throw new ImageFormatException("indexed nonce " + l[i] + " missing from the index");
        }
        if (index.size() != indexedNonces.size()) {
            throw new ImageFormatException("the nonce index holds " + index.size() + " values for " + indexedNonces.size() + " indexed nonces");
        }
        max = m;
        log = l;
        logged = n;
        indexed = done;
    }
}
