package dev.clearline.engine.exchange;

import dev.clearline.engine.image.ImageFormatException;
import dev.clearline.engine.image.ImageReader;
import dev.clearline.engine.image.ImageWriter;
import dev.clearline.engine.order.Address;
import dev.clearline.engine.state.BalanceLeaf;
import dev.clearline.engine.state.PositionLeaf;
import dev.clearline.engine.stf.KeyCache;
import dev.clearline.engine.stf.MemoryLeafStore;

import java.util.Arrays;

/**
 * What the exchange needs of a trader on every order, derived once: its book owner id, its used
 * nonces, its leaves' cells in the mirror (the keys are Keccak-256 hashes; a held cell reads the
 * current leaf without hashing or probing) and its resting exposure per market and side.
 */
final class Account {
    final long ownerId;
    final Address address;
    final UsedNonces nonces = new UsedNonces();
    private final MemoryLeafStore mirror;
    private final KeyCache keys;
    private final MemoryLeafStore.Cell balanceCell;
    private int[] markets = new int[0];
    private MemoryLeafStore.Cell[] positionCells = new MemoryLeafStore.Cell[0];
    private Exposure[] exposures = new Exposure[0];
    /** Per market: the position size (base units) this exchange saw it reach, and what it cost to open (quote units, >= 0). */
    private long[] trackedSize = new long[0];
    private long[] entryValue = new long[0];
    /**
     * Book ids of this trader's resting reduce-only orders (take-profits), so that a fill or a deleverage which moves a
     * position finds them (to cut or take off) without a walk of the book; null until one rests (most traders never rest one). Not in the image: rebuilt
     * from the live orders. An id may outlive its order (an amend keeps the id for a replacement of another kind): every
     * reader checks the order behind it.
     */
    private java.util.TreeSet<Long> reduceOnlyIds;

    Account(long ownerId, Address address, MemoryLeafStore mirror, KeyCache keys) {
        this.ownerId = ownerId;
        this.address = address;
        this.mirror = mirror;
        this.keys = keys;
        this.balanceCell = mirror.cell(keys.balance(address));
    }

    void restsReduceOnly(long orderId) {
        if (reduceOnlyIds == null) reduceOnlyIds = new java.util.TreeSet<>();
        reduceOnlyIds.add(orderId);
    }

    void forgetReduceOnly(long orderId) {
        if (reduceOnlyIds != null) reduceOnlyIds.remove(orderId);
    }

    boolean hasReduceOnly() {
        return reduceOnlyIds != null && !reduceOnlyIds.isEmpty();
    }

    /** The ids of {@link #restsReduceOnly}, ascending (the order every replica tidies them in). */
    long[] reduceOnlyIds() {
        return reduceOnlyIds == null ? new long[0] : reduceOnlyIds.stream().mapToLong(Long::longValue).toArray();
    }

    BalanceLeaf balance() {
        BalanceLeaf b = balanceCell.decoded(BalanceLeaf.class, BalanceLeaf::decode);
        return b == null ? BalanceLeaf.EMPTY : b;
    }

    PositionLeaf position(int marketId) {
        int i = slot(marketId); // before reading the field: slot() may grow the arrays
        PositionLeaf p = positionCells[i].decoded(PositionLeaf.class, PositionLeaf::decode);
        return p == null ? PositionLeaf.EMPTY : p;
    }

    /** The resting-order sums of one side in one market. */
    Exposure exposure(int marketId, boolean isBuy) {
        int i = slot(marketId);
        return exposures[2 * i + (isBuy ? 0 : 1)];
    }

    /**
     * Follows the position's entry value through a fill of {@code signedSize} base units at
     * {@code price} per lot: growing adds the fill's notional, reducing removes the closed share of
     * the entry value, flipping starts again from the fill's price. Only the deleverage ranking
     * reads it (profit needs the entry price, which the tree does not hold).
     */
    void filled(int marketId, long signedSize, long price, long lotSize) {
        int i = slot(marketId);
        long before = trackedSize[i];
        long after = before + signedSize;
        if (before == 0 || Long.signum(before) == Long.signum(signedSize)) {
            entryValue[i] = saturatedAdd(entryValue[i], notional(Math.abs(signedSize), lotSize, price));
        } else if (after == 0 || Long.signum(after) == Long.signum(before)) {
            entryValue[i] = share(entryValue[i], Math.abs(after), Math.abs(before));
        } else {
            entryValue[i] = notional(Math.abs(after), lotSize, price);
        }
        trackedSize[i] = after;
    }

    /** The position was closed or reduced outside a fill (liquidated to zero, or deleveraged) to {@code sizeAfter}. */
    void reducedTo(int marketId, long sizeAfter) {
        int i = slot(marketId);
        long before = trackedSize[i];
        entryValue[i] = before == 0 ? 0 : share(entryValue[i], Math.abs(sizeAfter), Math.abs(before));
        trackedSize[i] = sizeAfter;
    }

    /**
     * What opening the current position of {@code size} cost, in quote units, or -1 when this
     * exchange did not see it grow to that size (it cannot know its entry price then).
     */
    long entryValue(int marketId, long size) {
        int i = slot(marketId);
        return trackedSize[i] == size ? entryValue[i] : -1;
    }

    /** (size / lot) * price for a fill (both >= 0), saturating at Long.MAX_VALUE. */
    private static long notional(long size, long lotSize, long price) {
        long lots = size / lotSize;
        long lo = lots * price;
        return Math.multiplyHigh(lots, price) != 0 || lo < 0 ? Long.MAX_VALUE : lo;
    }

    /** floor(value * num / den) without overflow (0 <= num <= den, value >= 0). */
    private static long share(long value, long num, long den) {
        long lo = value * num;
        if (Math.multiplyHigh(value, num) == 0 && lo >= 0) return lo / den;
        return java.math.BigInteger.valueOf(value).multiply(java.math.BigInteger.valueOf(num))
                .divide(java.math.BigInteger.valueOf(den)).longValue();
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }

    private int slot(int marketId) {
        for (int i = 0; i < markets.length; i++) if (markets[i] == marketId) return i;
        int n = markets.length;
        markets = Arrays.copyOf(markets, n + 1);
        positionCells = Arrays.copyOf(positionCells, n + 1);
        exposures = Arrays.copyOf(exposures, 2 * n + 2);
        trackedSize = Arrays.copyOf(trackedSize, n + 1);
        entryValue = Arrays.copyOf(entryValue, n + 1);
        markets[n] = marketId;
        positionCells[n] = mirror.cell(keys.position(address, marketId));
        exposures[2 * n] = new Exposure();
        exposures[2 * n + 1] = new Exposure();
        return n;
    }

    /**
     * Writes the owner id, address, used nonces and, per market in the order this account first
     * met them, the followed position and the resting exposure of each side. The leaf cells are
     * not written: they are the mirror's, found again by key on restore.
     */
    void writeImage(ImageWriter out) {
        out.writeLong(ownerId).writeAddress(address);
        nonces.writeImage(out);
        out.writeInt(markets.length);
        for (int i = 0; i < markets.length; i++) {
            out.writeInt(markets[i]).writeLong(trackedSize[i]).writeLong(entryValue[i]);
            for (int side = 0; side < 2; side++) {
                Exposure x = exposures[2 * i + side];
                out.writeLong(x.size).writeLong(x.notional).writeLong(x.unpostedMargin);
            }
        }
    }

    /** The account {@link #writeImage} wrote, its cells taken from {@code mirror} (restored before it). */
    static Account readImage(ImageReader in, MemoryLeafStore mirror, KeyCache keys) {
        long ownerId = in.readLong();
        Address address = in.readAddress();
        if (address == null) throw new ImageFormatException("account " + ownerId + " without its address");
        Account a = new Account(ownerId, address, mirror, keys);
        a.nonces.readImage(in);
        int n = in.readCount(68);
        for (int j = 0; j < n; j++) {
            int marketId = in.readInt();
            int i = a.slot(marketId);
            if (i != j) throw new ImageFormatException("account " + ownerId + " lists market " + marketId + " twice");
            a.trackedSize[i] = in.readLong();
            a.entryValue[i] = in.readLong();
            for (int side = 0; side < 2; side++) {
                Exposure x = a.exposures[2 * i + side];
                x.size = in.readLong();
                x.notional = in.readLong();
                x.unpostedMargin = in.readLong();
            }
        }
        return a;
    }
}
