package dev.clearline.sequencer.state;

import dev.clearline.engine.image.ImageFormatException;
import dev.clearline.engine.image.ImageReader;
import dev.clearline.engine.image.ImageWriter;
import dev.clearline.engine.order.Address;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Each trader's dead man's switch ({@code Command.CancelAllAfter}): a deadline on the log's clock at which the node takes
 * every open order of that trader off, unless the trader moved it first. A market maker's program sends a new one every
 * few seconds; once it stops (a crash, a lost connection, a host gone), its quotes leave with it instead of standing in a
 * market that moved. Deterministic: traders come due in deadline order, then address order. Each trader's last accepted
 * nonce is kept for good (one long per trader who ever used the switch), so an old message sent again is refused.
 */
final class CancelSchedules {
    /** A trader whose deadline came: the deadline it had set. */
    record Due(Address owner, long deadline) {}

    private record Entry(long deadline, Address owner) {}

    private static final Comparator<Entry> BY_DEADLINE = Comparator.comparingLong(Entry::deadline).thenComparing(Entry::owner);

    private final Map<Address, Long> deadlines = new HashMap<>();
    private final Map<Address, Long> nonces = new HashMap<>();
    private final TreeSet<Entry> byDeadline = new TreeSet<>(BY_DEADLINE);

    /** The nonce of {@code owner}'s last accepted switch, or -1: a new one must carry a higher one. */
    long lastNonce(Address owner) {
        return nonces.getOrDefault(owner, -1L);
    }

    /** The deadline {@code owner} set (unix seconds), or null when its switch is off. */
    Long deadline(Address owner) {
        return deadlines.get(owner);
    }

    /** Whether no switch is set: the common case, checked on every command. */
    boolean isEmpty() {
        return byDeadline.isEmpty();
    }

    /** Sets {@code owner}'s switch to {@code deadline} (0: off) under {@code nonce}, which must be above its last one. */
    void set(Address owner, long deadline, long nonce) {
        if (nonce <= lastNonce(owner)) throw new IllegalArgumentException("nonce " + nonce + " is not above " + lastNonce(owner));
        Long before = deadline == 0 ? deadlines.remove(owner) : deadlines.put(owner, deadline);
        if (before != null) byDeadline.remove(new Entry(before, owner));
        if (deadline != 0) byDeadline.add(new Entry(deadline, owner));
        nonces.put(owner, nonce);
    }

    /** Takes off and returns every switch whose deadline is at or before {@code now}, earliest first. */
    List<Due> due(long now) {
        List<Due> out = new ArrayList<>();
        while (!byDeadline.isEmpty() && byDeadline.first().deadline() <= now) {
            Entry e = byDeadline.pollFirst();
            deadlines.remove(e.owner());
            out.add(new Due(e.owner(), e.deadline()));
        }
        return out;
    }

    /** Every trader's last nonce and deadline (0: off), by address: two equal schedules write the same bytes. */
    void writeImage(ImageWriter out) {
        List<Address> owners = new ArrayList<>(nonces.keySet());
        owners.sort(Comparator.naturalOrder());
        out.writeInt(owners.size());
        for (Address a : owners) out.writeAddress(a).writeLong(nonces.get(a)).writeLong(deadlines.getOrDefault(a, 0L));
    }

    void readImage(ImageReader in) {
        for (int i = in.readCount(37); i > 0; i--) {
            Address a = in.readAddress();
            long nonce = in.readLong(), deadline = in.readLong();
            if (a == null || nonces.containsKey(a) || nonce < 0 || deadline < 0) {
                throw new ImageFormatException("a cancel-all-after switch without its trader, named twice, or with a negative nonce or deadline");
            }
            set(a, deadline, nonce);
        }
    }
}
