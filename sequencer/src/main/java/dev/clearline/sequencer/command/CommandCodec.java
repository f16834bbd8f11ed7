package dev.clearline.sequencer.command;

import dev.clearline.engine.exchange.VerifiedCancel;
import dev.clearline.engine.exchange.VerifiedOrder;
import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.order.Signature;
import dev.clearline.engine.transition.MalformedTransitionException;
import dev.clearline.engine.transition.Transition;
import dev.clearline.engine.transition.TransitionCodec;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The binary form of a {@link Command} in the cluster log: a version byte, a type byte, the client
 * id and sequence, then the payload. Orders and cancels reuse the transition codec (the same bytes
 * that later go to L1) plus the order's EIP-712 digest, so the log never holds a second order format.
 */
public final class CommandCodec {
    /** Bumped whenever a payload changes; a node refuses a log written by another version. */
    public static final byte VERSION = 2;
    public static final int MAX_BATCH_CANCELS = 256;

    private static final byte PLACE = 1, CANCEL = 2, AMEND = 3, BATCH_CANCEL = 4, L1_OP = 5, ORACLE = 6, TICK = 7, QUERY = 8, SIGNED = 9, BATCH_POSTED = 10, BATCHES_FINAL = 11;

    private CommandCodec() {}

    public static byte[] encode(Command c) {
        ByteBuffer b = ByteBuffer.allocate(length(c));
        b.put(VERSION).put(type(c)).putLong(c.clientId()).putLong(c.clientSeq());
        switch (c) {
            case Command.Place p -> putOrder(b, p.order());
            case Command.Cancel x -> putCancel(b, x.cancel());
            case Command.Amend a -> { putCancel(b, a.replaced()); putOrder(b, a.replacement()); }
            case Command.BatchCancel bc -> {
                b.putShort((short) bc.cancels().size());
                for (VerifiedCancel v : bc.cancels()) putCancel(b, v);
            }
            case Command.L1Op op -> b.put(TransitionCodec.encode(op.op()));
            case Command.Oracle o -> b.put(TransitionCodec.encode(o.price()));
            case Command.Signed r -> b.put(TransitionCodec.encode(r.request()));
            case Command.TimeTick t -> b.putLong(t.unixSeconds());
            case Command.BatchPosted p -> b.putLong(p.index()).putLong(p.postedAt()).putLong(p.finalAt());
            case Command.BatchesFinal f -> b.putLong(f.count());
            case Command.Query q -> {
                b.put((byte) q.kind().ordinal()).putInt(q.market());
                b.put(q.trader() == null ? new byte[20] : q.trader().bytes());
                b.put(q.orderHash() == null ? new byte[32] : q.orderHash().bytes());
                b.putLong(q.index());
            }
        }
        return b.array();
    }

    public static Command decode(byte[] bytes, int offset, int length) throws MalformedCommandException {
        ByteBuffer b = ByteBuffer.wrap(bytes, offset, length);
        try {
            byte version = b.get();
            if (version != VERSION) throw new MalformedCommandException("command version " + version + ", this node reads " + VERSION);
            byte type = b.get();
            long client = b.getLong();
            long seq = b.getLong();
            Command c = switch (type) {
                case PLACE -> new Command.Place(client, seq, order(b));
                case CANCEL -> new Command.Cancel(client, seq, cancel(b));
                case AMEND -> new Command.Amend(client, seq, cancel(b), order(b));
                case BATCH_CANCEL -> {
                    int n = b.getShort() & 0xffff;
                    if (n > MAX_BATCH_CANCELS) throw new MalformedCommandException("batch cancel of " + n + " orders, at most " + MAX_BATCH_CANCELS);
                    List<VerifiedCancel> list = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) list.add(cancel(b));
                    yield new Command.BatchCancel(client, seq, list);
                }
                case L1_OP -> {
                    Transition t = transition(b, b.remaining());
                    if (!(t instanceof Transition.PriorityOp p)) throw new MalformedCommandException("an L1 op must be a priority op, got type " + t.type());
                    yield new Command.L1Op(client, seq, p);
                }
                case ORACLE -> {
                    Transition t = transition(b, b.remaining());
                    if (!(t instanceof Transition.OraclePrice p)) throw new MalformedCommandException("an oracle command must carry an oracle price, got type " + t.type());
                    yield new Command.Oracle(client, seq, p);
                }
                case SIGNED -> {
                    Transition t = transition(b, b.remaining());
                    if (!(t instanceof Transition.Allocate || t instanceof Transition.Release || t instanceof Transition.Withdraw)) {
                        throw new MalformedCommandException("a signed request must be an Allocate, Release or Withdraw, got type " + t.type());
                    }
                    yield new Command.Signed(client, seq, t);
                }
                case TICK -> new Command.TimeTick(client, seq, b.getLong());
                case BATCH_POSTED -> new Command.BatchPosted(client, seq, b.getLong(), b.getLong(), b.getLong());
                case BATCHES_FINAL -> new Command.BatchesFinal(client, seq, b.getLong());
                case QUERY -> {
                    int kind = b.get();
                    Command.QueryKind[] kinds = Command.QueryKind.values();
                    if (kind < 0 || kind >= kinds.length) throw new MalformedCommandException("unknown query kind " + kind);
                    yield new Command.Query(client, seq, kinds[kind], b.getInt(), new Address(bytes(b, 20)), new Hash32(bytes(b, 32)), b.getLong());
                }
                default -> throw new MalformedCommandException("unknown command type " + type);
            };
            if (b.hasRemaining()) throw new MalformedCommandException(b.remaining() + " trailing bytes after command type " + type);
            return c;
        } catch (BufferUnderflowException e) {
            throw new MalformedCommandException("command truncated at byte " + (b.position() - offset));
        }
    }

    private static void putOrder(ByteBuffer b, VerifiedOrder o) {
        b.put(TransitionCodec.encode(new Transition.PostOrder(o.order(), o.signature())));
        b.put(o.hash().bytes());
    }

    private static void putCancel(ByteBuffer b, VerifiedCancel c) {
        b.put(TransitionCodec.encode(new Transition.Cancel(c.owner(), c.orderHash(), c.signature())));
    }

    private static VerifiedOrder order(ByteBuffer b) throws MalformedCommandException {
        Transition t = transition(b, POST_ORDER_LENGTH);
        if (!(t instanceof Transition.PostOrder p)) throw new MalformedCommandException("expected an order, got transition type " + t.type());
        return new VerifiedOrder(p.order(), new Hash32(bytes(b, 32)), p.signature());
    }

    private static VerifiedCancel cancel(ByteBuffer b) throws MalformedCommandException {
        Transition t = transition(b, CANCEL_LENGTH);
        if (!(t instanceof Transition.Cancel c)) throw new MalformedCommandException("expected a cancel, got transition type " + t.type());
        return new VerifiedCancel(c.owner(), c.orderHash(), c.signature());
    }

    private static Transition transition(ByteBuffer b, int length) throws MalformedCommandException {
        try {
            return TransitionCodec.decode(bytes(b, length));
        } catch (MalformedTransitionException e) {
            throw new MalformedCommandException(e.getMessage());
        }
    }

    private static byte[] bytes(ByteBuffer b, int n) {
        byte[] out = new byte[n];
        b.get(out);
        return out;
    }

    private static final int POST_ORDER_LENGTH = TransitionCodec.encodedLength(
            new Transition.PostOrder(new dev.clearline.engine.order.Order(new Address(new byte[20]), 0,
                    dev.clearline.engine.order.Side.BUY, 0, 0, 0, dev.clearline.engine.order.TimeInForce.GTC, 0, 0, 0, 0),
                    new Signature(new byte[65])));
    private static final int CANCEL_LENGTH = TransitionCodec.encodedLength(
            new Transition.Cancel(new Address(new byte[20]), Hash32.ZERO, new Signature(new byte[65])));

    private static byte type(Command c) {
        return switch (c) {
            case Command.Place p -> PLACE;
            case Command.Cancel x -> CANCEL;
            case Command.Amend a -> AMEND;
            case Command.BatchCancel bc -> BATCH_CANCEL;
            case Command.L1Op op -> L1_OP;
            case Command.Oracle o -> ORACLE;
            case Command.Signed r -> SIGNED;
            case Command.TimeTick t -> TICK;
            case Command.BatchPosted p -> BATCH_POSTED;
            case Command.BatchesFinal f -> BATCHES_FINAL;
            case Command.Query q -> QUERY;
        };
    }

    private static int length(Command c) {
        int header = 2 + 8 + 8;
        return header + switch (c) {
            case Command.Place p -> POST_ORDER_LENGTH + 32;
            case Command.Cancel x -> CANCEL_LENGTH;
            case Command.Amend a -> CANCEL_LENGTH + POST_ORDER_LENGTH + 32;
            case Command.BatchCancel bc -> 2 + bc.cancels().size() * CANCEL_LENGTH;
            case Command.L1Op op -> TransitionCodec.encodedLength(op.op());
            case Command.Oracle o -> TransitionCodec.encodedLength(o.price());
            case Command.Signed r -> TransitionCodec.encodedLength(r.request());
            case Command.TimeTick t -> 8;
            case Command.BatchPosted p -> 24;
            case Command.BatchesFinal f -> 8;
            case Command.Query q -> 1 + 4 + 20 + 32 + 8;
        };
    }
}
