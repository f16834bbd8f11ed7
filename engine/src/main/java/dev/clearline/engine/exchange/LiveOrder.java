package dev.clearline.engine.exchange;

import dev.clearline.engine.image.ImageFormatException;
import dev.clearline.engine.image.ImageReader;
import dev.clearline.engine.image.ImageWriter;
import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Peg;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.TimeInForce;

import java.util.function.LongFunction;

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

    /**
     * Writes the order with its verified hash and signature as they are (a restored order is not
     * hashed or recovered again) and its account by owner id. {@link #expiryIndex} is not written:
     * the restored expiry queue sets it.
     */
    void writeImage(ImageWriter out) {
        out.writeLong(id).writeLong(account.ownerId);
        writeOrder(out, v.order());
        out.writeHash(v.hash()).writeSignature(v.signature());
        out.writeBoolean(posted).writeLong(stateId).writeLong(reservedSize).writeLong(reservedNotional).writeLong(reservedMargin);
    }

    /** The order {@link #writeImage} wrote; {@code accounts} finds its account by owner id. */
    static LiveOrder readImage(ImageReader in, LongFunction<Account> accounts) {
        long id = in.readLong();
        long ownerId = in.readLong();
        Account a = accounts.apply(ownerId);
        if (a == null) throw new ImageFormatException("order " + id + " belongs to owner " + ownerId + ", which the image does not hold");
        Order o = readOrder(in);
        if (!o.trader().equals(a.address)) throw new ImageFormatException("order " + id + " is signed by " + o.trader() + ", not its account " + a.address);
        Hash32 hash = in.readHash();
        if (hash == null) throw new ImageFormatException("order " + id + " without its hash");
        LiveOrder e = new LiveOrder(id, new VerifiedOrder(o, hash, in.readSignature()), a);
        e.posted = in.readBoolean();
        e.stateId = in.readLong();
        e.reservedSize = in.readLong();
        e.reservedNotional = in.readLong();
        e.reservedMargin = in.readLong();
        return e;
    }

    /** Every field of a signed order, in the record's order. */
    static void writeOrder(ImageWriter out, Order o) {
        out.writeAddress(o.trader()).writeInt(o.marketId()).writeByte(o.side().ordinal()).writeLong(o.price()).writeLong(o.size())
                .writeLong(o.displaySize()).writeByte(o.timeInForce().ordinal()).writeInt(o.flags()).writeByte(o.peg().ordinal())
                .writeInt(o.pegOffset()).writeLong(o.expiry()).writeLong(o.nonce()).writeLong(o.margin());
    }

    static Order readOrder(ImageReader in) {
        Address trader = in.readAddress();
        if (trader == null) throw new ImageFormatException("an order without its trader");
        int marketId = in.readInt();
        Side side = enumAt(Side.values(), in.readByte(), "side");
        long price = in.readLong();
        long size = in.readLong();
        long displaySize = in.readLong();
        TimeInForce tif = enumAt(TimeInForce.values(), in.readByte(), "time in force");
        int flags = in.readInt();
        Peg peg = enumAt(Peg.values(), in.readByte(), "peg");
        int pegOffset = in.readInt();
        long expiry = in.readLong();
        long nonce = in.readLong();
        long margin = in.readLong();
        return new Order(trader, marketId, side, price, size, displaySize, tif, flags, peg, pegOffset, expiry, nonce, margin);
    }

    private static <E extends Enum<E>> E enumAt(E[] values, int ordinal, String what) {
        if (ordinal < 0 || ordinal >= values.length) throw new ImageFormatException("an order's " + what + " of ordinal " + ordinal);
        return values[ordinal];
    }
}
