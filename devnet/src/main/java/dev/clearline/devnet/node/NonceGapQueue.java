package dev.clearline.devnet.node;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The transactions that wait behind a nonce gap while automine is off: sent with a nonce above the
 * sender's next one, they can be mined only once the transactions before them arrive (geth's and
 * Hardhat's "queued" part of the pool). A client that sends several transactions at once, each
 * under its own nonce over its own connection, reaches the node in any order; refused, the later
 * ones had to be sent again. They are not mined and not in the pending block, and the pending
 * nonce does not count them, until the gap closes and {@link #takeFrom} hands them to the pool.
 *
 * <p>Bounded as geth bounds its queue: {@link #PER_SENDER} per sender, {@link #TOTAL} in all. Not
 * thread-safe: the node's lock guards it.
 */
final class NonceGapQueue {
    /** Most transactions one sender may have waiting behind a gap (geth's {@code txpool.accountqueue}). */
    static final int PER_SENDER = 64;
    /** Most transactions waiting behind gaps in all (geth's {@code txpool.globalqueue}). */
    static final int TOTAL = 1024;

    /** By sender (in the order senders first parked one), then nonce. */
    private final Map<String, TreeMap<BigInteger, SignedTx>> bySender = new LinkedHashMap<>();
    private int size;

    /**
     * Parks {@code tx}, replacing the one of its sender and nonce if any (the caller checked that
     * the replacement raises the fees); returns why it cannot wait, or null.
     */
    NodeError park(SignedTx tx, BigInteger nextNonce) {
        TreeMap<BigInteger, SignedTx> mine = bySender.get(tx.from());
        boolean replaces = mine != null && mine.containsKey(tx.nonce());
        if (!replaces && mine != null && mine.size() >= PER_SENDER) {
            return NodeError.rejected("txpool is full: " + PER_SENDER + " transactions of " + tx.from() + " already wait behind the nonce gap"
                    + " before nonce " + nextNonce + "; send nonce " + nextNonce + " first, or mine or drop what waits");
        }
        if (!replaces && size >= TOTAL) {
            return NodeError.rejected("txpool is full: " + TOTAL + " transactions wait behind nonce gaps; send the missing nonces first"
                    + " (the sender's next is " + nextNonce + "), or drop what waits (hardhat_dropTransaction)");
        }
        bySender.computeIfAbsent(tx.from(), a -> new TreeMap<>()).put(tx.nonce(), tx);
        if (!replaces) size++;
        return null;
    }

    /** The transaction of {@code from} waiting under {@code nonce}, if any. */
    Optional<SignedTx> at(String from, BigInteger nonce) {
        TreeMap<BigInteger, SignedTx> mine = bySender.get(from);
        return mine == null ? Optional.empty() : Optional.ofNullable(mine.get(nonce));
    }

    Optional<SignedTx> byHash(String hash) {
        for (TreeMap<BigInteger, SignedTx> mine : bySender.values()) {
            for (SignedTx t : mine.values()) if (t.hash().equals(hash)) return Optional.of(t);
        }
        return Optional.empty();
    }

    boolean holds(String from) {
        return bySender.containsKey(from);
    }

    boolean isEmpty() {
        return size == 0;
    }

    /**
     * Removes and returns {@code from}'s transactions with consecutive nonces from {@code next} on:
     * those the gap no longer holds back, in nonce order.
     */
    List<SignedTx> takeFrom(String from, BigInteger next) {
        TreeMap<BigInteger, SignedTx> mine = bySender.get(from);
        if (mine == null) return List.of();
        List<SignedTx> ready = new ArrayList<>();
        for (BigInteger n = next; mine.containsKey(n); n = n.add(BigInteger.ONE)) ready.add(mine.remove(n));
        size -= ready.size();
        if (mine.isEmpty()) bySender.remove(from);
        return ready;
    }

    /** Removes the transaction {@code hash}; false if it does not wait here. */
    boolean remove(String hash) {
        Optional<SignedTx> t = byHash(hash);
        if (t.isEmpty()) return false;
        TreeMap<BigInteger, SignedTx> mine = bySender.get(t.get().from());
        mine.remove(t.get().nonce());
        size--;
        if (mine.isEmpty()) bySender.remove(t.get().from());
        return true;
    }

    /** Every waiting transaction, by sender and nonce. */
    List<SignedTx> all() {
        List<SignedTx> all = new ArrayList<>(size);
        for (TreeMap<BigInteger, SignedTx> mine : bySender.values()) all.addAll(mine.values());
        return all;
    }

    /** Replaces what waits with {@code waiting} (an {@code evm_revert} to a snapshot of {@link #all()}). */
    void restore(List<SignedTx> waiting) {
        clear();
        for (SignedTx t : waiting) {
            bySender.computeIfAbsent(t.from(), a -> new TreeMap<>()).put(t.nonce(), t);
            size++;
        }
    }

    void clear() {
        bySender.clear();
        size = 0;
    }
}
