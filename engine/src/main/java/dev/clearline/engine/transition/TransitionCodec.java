package dev.clearline.engine.transition;

import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Peg;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.Signature;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.engine.transition.Transition.*;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;

/**
 * The one binary form of a transition, which is what goes into L1 calldata: a type byte, then the
 * record's fields in declaration order, big-endian, fixed width, no padding (Solidity's
 * {@code abi.encodePacked} of the same fields). uint64 fields must be below 2^63 and uint32 fee
 * and margin fractions below 2^31; a decoder refuses anything else, so every transition has
 * exactly one encoding and {@code encode(decode(b)) == b}.
 */
public final class TransitionCodec {
    private TransitionCodec() {}

    public static byte[] encode(Transition t) {
        ByteBuffer b = ByteBuffer.allocate(encodedLength(t));
        b.put((byte) t.type());
        switch (t) {
            case Deposit d -> { b.putLong(d.priorityIndex()).putLong(d.enqueueTime()); b.put(d.owner().bytes()); b.putLong(d.amount()); }
            case MarketConfig m -> {
                b.putLong(m.priorityIndex()).putLong(m.enqueueTime()).putInt(m.marketId()).putLong(m.tickSize()).putLong(m.lotSize())
                        .putInt(m.imfPpm()).putInt(m.mmfPpm()).putInt(m.makerFeePpm()).putInt(m.takerFeePpm()).putInt(m.liquidationFeePpm());
                b.put(m.oracle().bytes());
            }
            case ForcedWithdrawal f -> { b.putLong(f.priorityIndex()).putLong(f.enqueueTime()); b.put(f.owner().bytes()); b.putLong(f.amount()); }
            case ForcedCancel f -> { b.putLong(f.priorityIndex()).putLong(f.enqueueTime()); b.put(f.owner().bytes()); b.put(f.orderHash().bytes()); }
            case OraclePrice o -> { b.putInt(o.marketId()).putLong(o.price()).putLong(o.fundingIndex()).putLong(o.timestamp()); b.put(o.signature().encoded()); }
            case PostOrder p -> {
                Order o = p.order();
                b.put(o.trader().bytes());
                b.putInt(o.marketId()).put((byte) o.side().ordinal()).putLong(o.price()).putLong(o.size()).putLong(o.displaySize())
                        .put((byte) o.timeInForce().code()).put((byte) o.flags()).put((byte) o.peg().code()).putInt(o.pegOffset()).putLong(o.expiry()).putLong(o.nonce()).putLong(o.margin());
                b.put(p.signature().encoded());
            }
            case Trade tr -> { putU48(b, tr.makerId()); putU48(b, tr.takerId()); b.putLong(tr.size()); }
            case Cancel c -> { b.put(c.owner().bytes()); b.put(c.orderHash().bytes()); b.put(c.signature().encoded()); }
            case Allocate a -> { b.put(a.owner().bytes()); b.putInt(a.marketId()).putLong(a.amount()).putLong(a.nonce()); b.put(a.signature().encoded()); }
            case Release r -> { b.put(r.owner().bytes()); b.putInt(r.marketId()).putLong(r.amount()).putLong(r.nonce()); b.put(r.signature().encoded()); }
            case Withdraw w -> { b.put(w.owner().bytes()); b.put(w.recipient().bytes()); b.putLong(w.amount()).putLong(w.nonce()); b.put(w.signature().encoded()); }
            case Liquidate l -> { b.put(l.owner().bytes()); b.putInt(l.marketId()); }
            case Deleverage d -> { b.putInt(d.marketId()); b.put(d.counterparty().bytes()); b.putLong(d.size()); }
            case TradeAtPrice tr -> { putU48(b, tr.makerId()); putU48(b, tr.takerId()); b.putLong(tr.size()).putLong(tr.price()); }
            case PruneOrder p -> putU48(b, p.orderId());
            case PruneOrderHash p -> b.put(p.orderHash().bytes());
        }
        return b.array();
    }

    /** Bytes per encoded transition of each type, type byte included (index = type). */
    private static final int[] LENGTHS = {0, 45, 77, 45, 69, 94, 146, 21, 118, 106, 106, 122, 25, 29, 33, 7, 33};

    /** Largest value of a u48 field (short order ids). */
    public static final long U48_MAX = (1L << 48) - 1;

    private static void putU48(ByteBuffer b, long v) {
        if (v < 0 || v > U48_MAX) throw new IllegalArgumentException("order id " + v + " does not fit 48 bits");
        b.putShort((short) (v >>> 32)).putInt((int) v);
    }

    public static int encodedLength(Transition t) {
        return LENGTHS[t.type()];
    }

    /** Bytes of the longest encoded transition (a PostOrder): what bounds a batch's calldata by its count. */
    public static final int MAX_LENGTH = java.util.Arrays.stream(LENGTHS).max().orElseThrow();

    /**
     * Bytes of an encoded transition of {@code type}, type byte included, or -1 for an unknown type:
     * what a reader of batch calldata needs to cut it into transitions.
     */
    public static int lengthOf(int type) {
        return type >= 1 && type < LENGTHS.length ? LENGTHS[type] : -1;
    }

    public static Transition decode(byte[] bytes) throws MalformedTransitionException {
        if (bytes.length == 0) throw new MalformedTransitionException("empty transition");
        int type = bytes[0] & 0xff;
        if (type < 1 || type >= LENGTHS.length) throw new MalformedTransitionException("unknown transition type " + type);
        if (bytes.length != LENGTHS[type]) {
            throw new MalformedTransitionException("transition type " + type + " is " + LENGTHS[type] + " bytes, got " + bytes.length);
        }
        Reader r = new Reader(ByteBuffer.wrap(bytes, 1, bytes.length - 1));
        try {
            return switch (type) {
                case 1 -> new Deposit(r.u63("priorityIndex"), r.u63("enqueueTime"), r.address(), r.u63("amount"));
                case 2 -> new MarketConfig(r.u63("priorityIndex"), r.u63("enqueueTime"), r.u32(), r.u63("tickSize"), r.u63("lotSize"),
                        r.u31("imfPpm"), r.u31("mmfPpm"), r.u31("makerFeePpm"), r.u31("takerFeePpm"), r.u31("liquidationFeePpm"), r.address());
                case 3 -> new ForcedWithdrawal(r.u63("priorityIndex"), r.u63("enqueueTime"), r.address(), r.u63("amount"));
                case 4 -> new ForcedCancel(r.u63("priorityIndex"), r.u63("enqueueTime"), r.address(), r.hash());
                case 5 -> new OraclePrice(r.u32(), r.u63("price"), r.b.getLong(), r.u63("timestamp"), r.signature());
                case 6 -> new PostOrder(new Order(r.address(), r.u32(), r.side(), r.u63("price"), r.u63("size"), r.u63("displaySize"),
                        r.tif(), r.b.get() & 0xff, r.peg(), r.b.getInt(), r.u63("expiry"), r.u63("nonce"), r.u63("margin")), r.signature());
                case 7 -> new Trade(r.u48(), r.u48(), r.u63("size"));
                case 8 -> new Cancel(r.address(), r.hash(), r.signature());
                case 9 -> new Allocate(r.address(), r.u32(), r.u63("amount"), r.u63("nonce"), r.signature());
                case 10 -> new Release(r.address(), r.u32(), r.u63("amount"), r.u63("nonce"), r.signature());
                case 11 -> new Withdraw(r.address(), r.address(), r.u63("amount"), r.u63("nonce"), r.signature());
                case 12 -> new Liquidate(r.address(), r.u32());
                case 14 -> new Deleverage(r.u32(), r.address(), r.u63("size"));
                case 13 -> new TradeAtPrice(r.u48(), r.u48(), r.u63("size"), r.u63("price"));
                case 15 -> new PruneOrder(r.u48());
                case 16 -> new PruneOrderHash(r.hash());
                default -> throw new MalformedTransitionException("unknown transition type " + type);
            };
        } catch (BufferUnderflowException e) {
            throw new AssertionError("length table disagrees with the decoder for type " + type, e);
        }
    }

    private record Reader(ByteBuffer b) {
        long u63(String field) throws MalformedTransitionException {
            long v = b.getLong();
            if (v < 0) throw new MalformedTransitionException(field + " must be below 2^63");
            return v;
        }

        int u31(String field) throws MalformedTransitionException {
            int v = b.getInt();
            if (v < 0) throw new MalformedTransitionException(field + " must be below 2^31");
            return v;
        }

        long u48() {
            return ((b.getShort() & 0xffffL) << 32) | (b.getInt() & 0xffff_ffffL);
        }

        int u32() {
            return b.getInt();
        }

        Address address() {
            byte[] a = new byte[20];
            b.get(a);
            return new Address(a);
        }

        Hash32 hash() {
            byte[] h = new byte[32];
            b.get(h);
            return new Hash32(h);
        }

        Signature signature() {
            byte[] s = new byte[Signature.LENGTH];
            b.get(s);
            return new Signature(s);
        }

        Side side() throws MalformedTransitionException {
            int v = b.get();
            if (v != 0 && v != 1) throw new MalformedTransitionException("side must be 0 (buy) or 1 (sell), got " + v);
            return v == 0 ? Side.BUY : Side.SELL;
        }

        Peg peg() throws MalformedTransitionException {
            Peg p = Peg.fromCode(b.get() & 0xff);
            if (p == null) throw new MalformedTransitionException("peg must be 0 (none), 1 (mark) or 2 (book)");
            return p;
        }

        TimeInForce tif() throws MalformedTransitionException {
            TimeInForce t = TimeInForce.fromCode(b.get() & 0xff);
            if (t == null) throw new MalformedTransitionException("time in force must be 0 (GTC), 1 (IOC) or 2 (FOK)");
            return t;
        }
    }
}
