package dev.clearline.engine.exchange;

import java.util.Arrays;

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
}
