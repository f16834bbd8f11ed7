package dev.clearline.sequencer.state;

import dev.clearline.engine.exchange.VerifiedOrder;
import dev.clearline.engine.image.ImageFormatException;
import dev.clearline.engine.image.ImageReader;
import dev.clearline.engine.image.ImageWriter;
import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.transition.MalformedTransitionException;
import dev.clearline.engine.transition.Transition;
import dev.clearline.engine.transition.TransitionCodec;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Stop orders armed on the node: signed orders it holds off the book until their market's mark reaches a trigger price,
 * then places as if they had just arrived. A sell stop fires once the mark falls to its trigger or below, a buy stop once it
 * rises to its trigger or above (a stop-loss on a long is a sell stop under the mark). Nothing of an armed order is in the
 * rollup's state: the trigger is the node's promise, not the signature's, and the order's signed terms (side, size, worst
 * price, reduce-only) bound what its firing can do. Deterministic: stops fire in the order their triggers were crossed
 * (a sell's highest trigger first, a buy's lowest), armed-first among equal triggers. A reduce-only stop follows its
 * position as a resting take-profit does: once a command closes or turns the position it was reducing, it leaves.
 *
 * <p>A trailing stop's trigger follows the mark at a distance: it starts that far from the mark it was armed under and moves
 * each time a new mark would put it further the trader's way (a sell's up, a buy's down), never back. It fires as any stop
 * when the mark comes back to it.
 */
final class StopOrders {
    /** The most stops one trader may hold armed: what a firing mark walks is bounded by what traders armed. */
    static final int PER_TRADER = 100;

    /**
     * An armed stop: the signed order, its trigger (quote units per lot, on the market's tick), the seq that armed it, for
     * a reduce-only one whether its trader has held a position it reduces since it was armed (only such a stop leaves once
     * that position is closed or turned: one armed ahead of the position it will protect waits for it), and the distance a
     * trailing stop keeps from the mark (0: its trigger stays where it was armed).
     */
    record Armed(VerifiedOrder order, long trigger, long armedSeq, boolean held, long trail) {
        Armed {
            if (trail < 0) throw new IllegalArgumentException("a trail of " + trail);
        }

        /** A stop at a fixed trigger. */
        Armed(VerifiedOrder order, long trigger, long armedSeq, boolean held) {
            this(order, trigger, armedSeq, held, 0);
        }

        boolean sell() {
            return !order.order().isBuy();
        }

        boolean trailing() {
            return trail != 0;
        }

        Armed holding() {
            return new Armed(order, trigger, armedSeq, true, trail);
        }

        /**
         * Where this stop's trigger stands after the mark {@code mark}: a trailing sell's rises to {@code trail} under the
         * mark (rounded down to the tick), a trailing buy's falls to {@code trail} over it (rounded up); neither moves back,
         * and a fixed one stays.
         */
        long followed(long mark, long tick) {
            if (!trailing()) return trigger;
            if (sell()) {
                long t = Math.floorDiv(mark - trail, tick) * tick;
                return Math.max(trigger, t);
            }
            if (trail > Long.MAX_VALUE - mark - tick) return trigger; // further than any price: the trigger stays
            long t = Math.ceilDiv(mark + trail, tick) * tick;
            return Math.min(trigger, t);
        }
    }

    /** A side's stops by trigger, then arming order. */
    private record Key(long trigger, long armedSeq) {}

    private static final Comparator<Key> BY_TRIGGER = Comparator.comparingLong(Key::trigger).thenComparingLong(Key::armedSeq);

    private final Map<Hash32, Armed> byHash = new HashMap<>();
    /** Per market: [0] buy stops, [1] sell stops. */
    private final Map<Integer, List<TreeMap<Key, Armed>>> byMarket = new HashMap<>();
    /** Per market, the stops with an expiry, by it: each leaves once its market's oracle clock passes it. */
    private final Map<Integer, TreeMap<Key, Armed>> byExpiry = new HashMap<>();
    private final Map<Address, Integer> perTrader = new HashMap<>();
    /** Each trader's armed reduce-only stops by arming seq: the ones a change of its positions may take off. */
    private final Map<Address, TreeMap<Long, Armed>> reduceOnly = new HashMap<>();
    /** Per market, its trailing stops by arming seq: the ones a new mark may move. */
    private final Map<Integer, TreeMap<Long, Armed>> trailing = new HashMap<>();

    boolean isArmed(Hash32 hash) {
        return byHash.containsKey(hash);
    }

    Armed get(Hash32 hash) {
        return byHash.get(hash);
    }

    /** The trigger of an armed stop, or null. */
    Long trigger(Hash32 hash) {
        Armed a = byHash.get(hash);
        return a == null ? null : a.trigger();
    }

    /** The distance an armed trailing stop keeps from the mark, or null for a fixed one or none. */
    Long trail(Hash32 hash) {
        Armed a = byHash.get(hash);
        return a == null || !a.trailing() ? null : a.trail();
    }

    int armedBy(Address trader) {
        return perTrader.getOrDefault(trader, 0);
    }

    int size() {
        return byHash.size();
    }

    void arm(Armed a) {
        if (byHash.putIfAbsent(a.order().hash(), a) != null) throw new IllegalStateException("stop " + a.order().hash() + " armed twice");
        int market = a.order().order().marketId();
        side(market, a.sell()).put(new Key(a.trigger(), a.armedSeq()), a);
        long expiry = a.order().order().expiry();
        if (expiry != 0) byExpiry.computeIfAbsent(market, k -> new TreeMap<>(BY_TRIGGER)).put(new Key(expiry, a.armedSeq()), a);
        perTrader.merge(a.order().order().trader(), 1, Integer::sum);
        if (a.order().order().reduceOnly()) reduceOnly.computeIfAbsent(a.order().order().trader(), k -> new TreeMap<>()).put(a.armedSeq(), a);
        if (a.trailing()) trailing.computeIfAbsent(market, k -> new TreeMap<>()).put(a.armedSeq(), a);
    }

    /** Whether {@code trader} holds an armed reduce-only stop. */
    boolean hasReduceOnly(Address trader) {
        return reduceOnly.containsKey(trader);
    }

    /** {@code trader}'s armed reduce-only stops in {@code market}, in arming order. */
    List<Armed> reduceOnly(Address trader, int market) {
        TreeMap<Long, Armed> mine = reduceOnly.get(trader);
        if (mine == null) return List.of();
        List<Armed> out = new ArrayList<>();
        for (Armed a : mine.values()) if (a.order().order().marketId() == market) out.add(a);
        return out;
    }

    /** Records that the position {@code a} reduces is held: from now on its closing takes {@code a} off. */
    void held(Armed a) {
        if (a.held() || byHash.get(a.order().hash()) != a) return;
        disarm(a.order().hash());
        arm(a.holding());
    }

    /**
     * Moves the triggers of {@code market}'s trailing stops after its new mark {@code mark} ({@link Armed#followed}); a
     * market's tick is {@code tick}. Called before {@link #reached}: a trigger that moved lies {@code trail} from the mark,
     * so it is not reached by the mark that moved it.
     */
    void follow(int market, long mark, long tick) {
        TreeMap<Long, Armed> m = trailing.get(market);
        if (m == null) return;
        List<Armed> moved = new ArrayList<>();
        for (Armed a : m.values()) if (a.followed(mark, tick) != a.trigger()) moved.add(a);
        for (Armed a : moved) {
            disarm(a.order().hash());
            arm(new Armed(a.order(), a.followed(mark, tick), a.armedSeq(), a.held(), a.trail()));
        }
    }

    /** Takes an armed stop off (cancelled, expired or fired); null when it is not armed. */
    Armed disarm(Hash32 hash) {
        Armed a = byHash.remove(hash);
        if (a == null) return null;
        int market = a.order().order().marketId();
        side(market, a.sell()).remove(new Key(a.trigger(), a.armedSeq()));
        long expiry = a.order().order().expiry();
        if (expiry != 0) byExpiry.get(market).remove(new Key(expiry, a.armedSeq()));
        perTrader.merge(a.order().order().trader(), -1, (x, y) -> x + y == 0 ? null : x + y);
        if (a.order().order().reduceOnly()) {
            TreeMap<Long, Armed> mine = reduceOnly.get(a.order().order().trader());
            mine.remove(a.armedSeq());
            if (mine.isEmpty()) reduceOnly.remove(a.order().order().trader());
        }
        if (a.trailing()) {
            TreeMap<Long, Armed> m = trailing.get(market);
            m.remove(a.armedSeq());
            if (m.isEmpty()) trailing.remove(market);
        }
        return a;
    }

    /** The stops of {@code market} whose expiry its oracle clock {@code oracleTs} has passed, taken off, earliest first. */
    List<Armed> expired(int market, long oracleTs) {
        List<Armed> out = new ArrayList<>();
        TreeMap<Key, Armed> m = byExpiry.get(market);
        while (m != null && !m.isEmpty() && m.firstKey().trigger() < oracleTs) out.add(disarm(m.firstEntry().getValue().order().hash()));
        return out;
    }

    /**
     * The stops of {@code market} the mark {@code mark} reached, taken off, in firing order: sells whose trigger is at or
     * above it (highest first), then buys whose trigger is at or below it (lowest first).
     */
    List<Armed> reached(int market, long mark) {
        List<Armed> out = new ArrayList<>();
        TreeMap<Key, Armed> sells = side(market, true);
        while (!sells.isEmpty() && sells.lastKey().trigger() >= mark) out.add(disarm(sells.lastEntry().getValue().order().hash()));
        TreeMap<Key, Armed> buys = side(market, false);
        while (!buys.isEmpty() && buys.firstKey().trigger() <= mark) out.add(disarm(buys.firstEntry().getValue().order().hash()));
        return out;
    }

    private TreeMap<Key, Armed> side(int market, boolean sell) {
        return byMarket.computeIfAbsent(market, k -> List.of(new TreeMap<>(BY_TRIGGER), new TreeMap<>(BY_TRIGGER))).get(sell ? 1 : 0);
    }

    /**
     * Every armed stop in arming order: its order as the log carries it (the PostOrder's bytes and the digest), trigger,
     * seq, whether it held its position, and (with {@code trails}, snapshot format 9 on) its trail.
     */
    void writeImage(ImageWriter out, boolean trails) {
        List<Armed> all = new ArrayList<>(byHash.values());
        all.sort(Comparator.comparingLong(Armed::armedSeq));
        out.writeInt(all.size());
        for (Armed a : all) {
            out.writeBytes(TransitionCodec.encode(new Transition.PostOrder(a.order().order(), a.order().signature())));
            out.writeHash(a.order().hash()).writeLong(a.trigger()).writeLong(a.armedSeq()).writeBoolean(a.held());
            if (trails) out.writeLong(a.trail());
            else if (a.trailing()) throw new IllegalStateException("this snapshot format has no place for the trailing stop " + a.order().hash());
        }
    }

    void readImage(ImageReader in, boolean trails) {
        for (int i = in.readCount(40); i > 0; i--) {
            Transition t;
            try {
                t = TransitionCodec.decode(in.readBytes());
            } catch (MalformedTransitionException e) {
                throw new ImageFormatException("an armed stop's order does not decode: " + e.getMessage());
            }
            if (!(t instanceof Transition.PostOrder p)) throw new ImageFormatException("an armed stop that is not an order: type " + t.type());
            Hash32 hash = in.readHash();
            if (hash == null || byHash.containsKey(hash)) throw new ImageFormatException("an armed stop without its hash, or armed twice");
            long trigger = in.readLong(), armedSeq = in.readLong();
            boolean held = in.readBoolean();
            long trail = trails ? in.readLong() : 0;
            if (trail < 0) throw new ImageFormatException("an armed stop with a trail of " + trail);
            arm(new Armed(new VerifiedOrder(p.order(), hash, p.signature()), trigger, armedSeq, held, trail));
        }
    }
}
