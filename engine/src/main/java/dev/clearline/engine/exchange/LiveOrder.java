package dev.clearline.engine.exchange;

import dev.clearline.engine.order.Order;

/**
 * An order the exchange holds: its book id, the verified order now behind it (an amend swaps it),
 * its trader, whether its leaf is in the tree, what it reserves and where it sits in the expiry
 * queue. Mutable, owned by the single exchange thread.
 */
final class LiveOrder {
    final long id;
    final VerifiedOrder v;
    final Account account;
    /** Its PostOrder was emitted: the tree holds its leaf. */
    boolean posted;
    /** Its short id in the tree (docs/protocol.md section 5), once posted. */
    long stateId;
    /** What {@link Reservations} counts for it now: open size and that size's notional at its limit. */
    long reservedSize;
    long reservedNotional;
    /** The margin {@link Reservations} counts for it: its signed margin while it rests unposted, else 0. */
    long reservedMargin;
    /** Its index in {@link ExpiryQueue}, or -1 when it is not queued. */
    int expiryIndex = -1;

    LiveOrder(long id, VerifiedOrder v, Account account) {
        this.id = id;
        this.v = v;
        this.account = account;
    }

    Order order() {
        return v.order();
    }

    int marketId() {
        return v.order().marketId();
    }
}
