package dev.clearline.devnet.node;

import java.util.ArrayList;
import java.util.List;

/**
 * The hashes of the transactions the pool accepted, each under a sequence number, the latest
 * {@code capacity} of them kept: what {@code eth_subscribe("newPendingTransactions")} and
 * {@code eth_newPendingTransactionFilter} report. A reader remembers the last number it saw and
 * asks for what came after it; one that falls more than {@code capacity} behind misses the oldest
 * (a node's pending-transaction feed is best effort, geth's drops too). Safe for many threads.
 */
public final class PoolJournal {
    /** The hashes after a reader's number, oldest first, and the number to ask from next time. */
    public record Since(long upTo, List<String> hashes) {}

    private final String[] ring;
    private long last; // the number of the latest entry; 0: none yet

    PoolJournal(int capacity) {
        this.ring = new String[capacity];
    }

    synchronized void add(String hash) {
        last++;
        ring[(int) (last % ring.length)] = hash;
    }

    /** The latest number: a new reader starts from it, so it sees only what is accepted later. */
    public synchronized long last() {
        return last;
    }

    public synchronized Since since(long seen) {
        long from = Math.max(seen + 1, last - ring.length + 1);
        List<String> hashes = new ArrayList<>((int) Math.max(0, last - from + 1));
        for (long n = from; n <= last; n++) hashes.add(ring[(int) (n % ring.length)]);
        return new Since(last, hashes);
    }
}
