package dev.clearline.sequencer.state;

import dev.clearline.engine.image.ImageFormatException;
import dev.clearline.engine.image.ImageReader;
import dev.clearline.engine.image.ImageWriter;
import dev.clearline.engine.order.Address;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What each trader's open position cost: the average entry price of the lots still open and the profit or loss its
 * closing fills realized since it opened. Neither is in the rollup's state: a POSITION leaf keeps the size and one quote
 * that mixes the margin put in with what the lots cost, so a venue that shows an entry price follows the fills. This does,
 * from the exchange's fills and deleverages in log order (average cost: a fill that adds lots adds its price times lots, a
 * fill that takes lots off takes their share of the cost and realizes the difference), and at the end of every command
 * compares each position it was told changed with the leaf's size. A position it could not follow (one a take-up from L1
 * or a snapshot of format 10 or older brought, a sum past 64 bits) stays <em>unknown</em>, shown without an entry price,
 * until it is closed; a closed position is forgotten. Deterministic: integers only, and the image in key order.
 *
 * <p>The insurance fund is not followed: it takes positions over whole in liquidations, at no fill price.
 */
final class PositionCosts {
    /** A trader's position in one market. */
    record Key(Address owner, int market) {}

    /**
     * A followed position. {@code lots} is signed (long positive); {@code cost} is the sum of price times lots of the lots
     * still open, signed as {@code lots} (so {@code lots * mark - cost} is the unrealized profit either way);
     * {@code realized} what closing fills made since the position opened, fees and funding aside.
     */
    record Cost(long lots, long cost, long realized, boolean known) {
        static Cost unknown(long lots) {
            return new Cost(lots, 0, 0, false);
        }

        /** The average price paid per open lot, rounded toward zero; only for a known, open position. */
        long entryPrice() {
            return cost / lots;
        }

        /** What the open lots would make closed at {@code mark} (per lot), or null when that overflows. */
        Long unrealized(long mark) {
            try {
                return Math.subtractExact(Math.multiplyExact(lots, mark), cost);
            } catch (ArithmeticException e) {
                return null;
            }
        }
    }

    private static final Comparator<Key> KEY_ORDER = Comparator.comparing(Key::owner).thenComparing(Key::market, Integer::compareUnsigned);
    /** Opens this part of a snapshot, so a reader out of step with its writer fails here, saying so. */
    private static final int IMAGE_MARK = 0x50_43_53_31; // "PCS1"

    private final Map<Key, Cost> costs = new HashMap<>();
    /** Positions the current command changed, in first-touch order: {@link #settle} compares each with its leaf. */
    private final Set<Key> touched = new LinkedHashSet<>();

    /** {@code owner}'s position in {@code market}, or null when it holds none this follows. */
    Cost of(Address owner, int market) {
        return costs.get(new Key(owner, market));
    }

    /** How many positions are followed (known or not). */
    int size() {
        return costs.size();
    }

    /** {@code owner} traded {@code lots} (positive: bought) at {@code price} per lot. */
    void fill(Address owner, int market, long lots, long price) {
        if (owner.equals(Address.INSURANCE_FUND) || lots == 0) return;
        Key k = new Key(owner, market);
        touched.add(k);
        costs.put(k, after(costs.get(k), lots, price));
    }

    /** The counterparty of a deleverage gave back {@code lots} (unsigned) of its position at the bankruptcy price {@code price}. */
    void deleveraged(Address counterparty, int market, long lots, long price) {
        Key k = new Key(counterparty, market);
        Cost c = costs.get(k);
        touched.add(k);
        if (c == null || c.lots() == 0) return; // not followed: settle marks it unknown
        fill(counterparty, market, -Long.signum(c.lots()) * lots, price); // toward zero, whichever side
    }

    /** The position {@code owner} holds in {@code market} changed in this command (any transition): {@link #settle} checks it. */
    void touch(Address owner, int market) {
        if (!owner.equals(Address.INSURANCE_FUND)) touched.add(new Key(owner, market));
    }

    /** The size in lots of a position as the state holds it. */
    @FunctionalInterface
    interface Lots {
        long of(Address owner, int market);
    }

    /**
     * At the end of a command: every position it changed is compared with the state's. A closed one is forgotten (the next
     * one starts afresh); one whose size this did not follow is kept as unknown at the state's size.
     */
    void settle(Lots state) {
        if (touched.isEmpty()) return;
        for (Key k : touched) {
            long lots = state.of(k.owner(), k.market());
            Cost c = costs.get(k);
            if (lots == 0) costs.remove(k);
            else if (c == null || c.lots() != lots) costs.put(k, Cost.unknown(lots));
        }
        touched.clear();
    }

    static Cost after(Cost c, long lots, long price) {
        if (c == null || c.lots() == 0) c = new Cost(0, 0, 0, c == null || c.known());
        if (!c.known()) return Cost.unknown(c.lots() + lots);
        try {
            if (c.lots() == 0 || Long.signum(c.lots()) == Long.signum(lots)) {
                return new Cost(Math.addExact(c.lots(), lots), Math.addExact(c.cost(), Math.multiplyExact(lots, price)), c.realized(), true);
            }
            long closing = Math.min(Math.abs(lots), Math.abs(c.lots()));
            long signedClosing = Long.signum(c.lots()) * closing;
            // the closed lots' share of the cost, exact (price times lots may pass 64 bits before the division)
            long share = BigInteger.valueOf(c.cost()).multiply(BigInteger.valueOf(closing)).divide(BigInteger.valueOf(Math.abs(c.lots()))).longValueExact();
            long realized = Math.addExact(c.realized(), Math.subtractExact(Math.multiplyExact(signedClosing, price), share));
            long left = c.lots() - signedClosing;
            if (left != 0) return new Cost(left, c.cost() - share, realized, true);
            long opened = lots + signedClosing; // what the fill takes past zero, in its own direction: a new position
            return opened == 0 ? new Cost(0, 0, realized, true) : new Cost(opened, Math.multiplyExact(opened, price), 0, true);
        } catch (ArithmeticException e) {
            return Cost.unknown(c.lots() + lots);
        }
    }

    /** Every followed position in key order: two equal trackers write the same bytes. Never in the middle of a command. */
    void writeImage(ImageWriter out) {
        if (!touched.isEmpty()) throw new IllegalStateException("position costs imaged in the middle of a command: " + touched.size() + " unchecked");
        List<Key> keys = new ArrayList<>(costs.keySet());
        keys.sort(KEY_ORDER);
        out.writeInt(IMAGE_MARK);
        out.writeInt(keys.size());
        for (Key k : keys) {
            Cost c = costs.get(k);
            out.writeAddress(k.owner()).writeInt(k.market()).writeLong(c.lots()).writeLong(c.cost()).writeLong(c.realized()).writeBoolean(c.known());
        }
    }

    void readImage(ImageReader in) {
        int at = in.position();
        int mark = in.readInt();
        if (mark != IMAGE_MARK) {
            throw new ImageFormatException("the position costs' image starts with " + Integer.toHexString(mark) + " at byte " + at
                    + ", not its mark " + Integer.toHexString(IMAGE_MARK));
        }
        Key previous = null;
        for (int i = in.readCount(50); i > 0; i--) {
            at = in.position();
            Address a = in.readAddress();
            if (a == null) throw new ImageFormatException("a position cost without an owner at byte " + at);
            Key k = new Key(a, in.readInt());
            Cost c = new Cost(in.readLong(), in.readLong(), in.readLong(), in.readBoolean());
            if (previous != null && KEY_ORDER.compare(previous, k) >= 0) {
                throw new ImageFormatException("the position costs' image is out of key order at byte " + at);
            }
            if (c.lots() == 0 || !c.known() && (c.cost() != 0 || c.realized() != 0)) {
                throw new ImageFormatException("a position cost of " + c.lots() + " lots (known: " + c.known() + ") at byte " + at);
            }
            previous = k;
            costs.put(k, c);
        }
    }
}
