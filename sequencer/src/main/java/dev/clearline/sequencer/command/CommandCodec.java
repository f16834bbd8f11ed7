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
 *
 * <p>One log message holds one command, or a <em>batch</em> of them: the version byte, type
 * {@code 12}, a 16-bit count, then each command as a 16-bit length and its own bytes
 * ({@link #encodeBatch}). A gateway sends one when several verified requests are ready at once, so
 * the cluster's per-message work (ingress, consensus, log, archive) is paid once for all of them.
 * The service applies a batch's commands in order, each exactly as if it had come alone, with the
 * message's log time; a malformed command inside a batch is refused alone ({@link #decodeMessage}).
 */
public final class CommandCodec {
    /**
     * Bumped whenever a payload changes; a node refuses a log written by another version. A new command type is
     * not a changed payload: the posting halt's types (13, 14) came later under version 2, so a log written before
     * them reads as it did. A node that lacks a type would skip it as malformed and fall out of step, so a new type
     * is a new rule ({@code RulesVersion}: its pin test's venue session must take every kind of command), and a member
     * of other rules stops before it applies anything (docs/replication.md, "Upgrading to new rules").
     */
    public static final byte VERSION = 2;
    public static final int MAX_BATCH_CANCELS = 256;
    /** At most this many commands in one batch message. */
    public static final int MAX_BATCH_COMMANDS = 64;
    /** At most this many bytes in one batch message (well inside the ingress's largest message). */
    public static final int MAX_BATCH_BYTES = 16 * 1024;
    /** The header of a batch message: version, type, count. */
    public static final int BATCH_HEADER = 4;
    /** Each command of a batch is preceded by its length. */
    public static final int BATCH_ENTRY_HEADER = 2;

    private static final byte PLACE = 1, CANCEL = 2, AMEND = 3, BATCH_CANCEL = 4, L1_OP = 5, ORACLE = 6, TICK = 7, QUERY = 8, SIGNED = 9, BATCH_POSTED = 10, BATCHES_FINAL = 11, BATCH = 12,
            POSTING_HALTED = 13, POSTING_RESUMED = 14, PLACE_STOP = 15, PLACE_TRAILING_STOP = 16, CANCEL_ALL_AFTER = 17;
    /** The highest type a command may have: every byte above it, and 0, is no command (tests spoil a type with them). */
    static final byte LAST_TYPE = CANCEL_ALL_AFTER;

    private CommandCodec() {}

    public static byte[] encode(Command c) {
        ByteBuffer b = ByteBuffer.allocate(length(c));
        b.put(VERSION).put(type(c)).putLong(c.clientId()).putLong(c.clientSeq());
        switch (c) {
            case Command.Place p -> putOrder(b, p.order());
            case Command.PlaceStop p -> {
                putOrder(b, p.order());
                b.putLong(switch (p.trigger()) {
                    case StopTrigger.At at -> at.price();
                    case StopTrigger.Trailing t -> t.distance();
                });
            }
            case Command.Cancel x -> putCancel(b, x.cancel());
            case Command.CancelAllAfter x -> b.put(x.owner().bytes()).putLong(x.deadline()).putLong(x.nonce()).put(x.signature().encoded());
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
            case Command.PostingHalted h -> {
                byte[] why = whyBytes(h);
                b.putShort((short) why.length).put(why);
            }
            case Command.PostingResumed r -> { }
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
                case PLACE_STOP -> new Command.PlaceStop(client, seq, order(b), new StopTrigger.At(b.getLong()));
                case PLACE_TRAILING_STOP -> new Command.PlaceStop(client, seq, order(b), new StopTrigger.Trailing(b.getLong()));
                case CANCEL -> new Command.Cancel(client, seq, cancel(b));
                case CANCEL_ALL_AFTER -> new Command.CancelAllAfter(client, seq, new Address(bytes(b, 20)), b.getLong(), b.getLong(),
                        new Signature(bytes(b, Signature.LENGTH)));
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
                case POSTING_HALTED -> {
                    int n = b.getShort() & 0xffff;
                    if (n > Command.PostingHalted.MAX_WHY_BYTES) {
                        throw new MalformedCommandException("a posting halt's reason of " + n + " bytes, at most " + Command.PostingHalted.MAX_WHY_BYTES);
                    }
                    yield new Command.PostingHalted(client, seq, utf8(bytes(b, n)));
                }
                case POSTING_RESUMED -> new Command.PostingResumed(client, seq);
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
        } catch (RuntimeException e) {
            // a field a record refuses (a bad enum value, an out-of-range number) or anything else the bytes
            // provoke: the command is malformed, whatever the reason, and must never reach the service as an exception
            throw new MalformedCommandException("command refused at byte " + (b.position() - offset) + ": " + e.getMessage());
        }
    }

    /** What {@link #decodeMessage} finds in one log message, in order. */
    public interface Entries {
        /** A well-formed command and the bytes it was read from (valid only during the call). */
        void command(Command c, byte[] bytes, int offset, int length);

        /** A command that is not well formed ({@code index} in its batch, 0 for a single command), or a broken batch envelope ({@code index} -1). */
        void malformed(int index, String reason);
    }

    /** True when the message is a batch of commands (see the class comment). */
    public static boolean isBatch(byte[] bytes, int offset, int length) {
        return length >= 2 && bytes[offset] == VERSION && bytes[offset + 1] == BATCH;
    }

    /**
     * Reads one log message, a single command or a batch, and hands each command to {@code out} in
     * order. Never throws: a command that does not decode is reported alone and the batch goes on;
     * a batch whose envelope is broken (count, lengths) is reported once and nothing in it is read.
     */
    public static void decodeMessage(byte[] bytes, int offset, int length, Entries out) {
        if (!isBatch(bytes, offset, length)) {
            decodeOne(bytes, offset, length, 0, out);
            return;
        }
        String broken = checkEnvelope(bytes, offset, length);
        if (broken != null) {
            out.malformed(-1, broken);
            return;
        }
        int n = u16(bytes, offset + 2);
        int at = offset + BATCH_HEADER;
        for (int i = 0; i < n; i++) {
            int len = u16(bytes, at);
            at += BATCH_ENTRY_HEADER;
            if (isBatch(bytes, at, len)) out.malformed(i, "a batch inside a batch");
            else decodeOne(bytes, at, len, i, out);
            at += len;
        }
    }

    private static void decodeOne(byte[] bytes, int offset, int length, int index, Entries out) {
        Command c;
        try {
            c = decode(bytes, offset, length);
        } catch (MalformedCommandException e) {
            out.malformed(index, e.getMessage());
            return;
        }
        out.command(c, bytes, offset, length);
    }

    /** Null when the batch's count and lengths add up to exactly its bytes; else what is wrong. */
    private static String checkEnvelope(byte[] bytes, int offset, int length) {
        if (length < BATCH_HEADER) return "batch truncated in its header (" + length + " bytes)";
        int n = u16(bytes, offset + 2);
        if (n < 1 || n > MAX_BATCH_COMMANDS) return "batch of " + n + " commands, 1 to " + MAX_BATCH_COMMANDS + " allowed";
        int at = offset + BATCH_HEADER, end = offset + length;
        for (int i = 0; i < n; i++) {
            if (at + BATCH_ENTRY_HEADER > end) return "batch truncated before command " + i + " of " + n;
            int len = u16(bytes, at);
            at += BATCH_ENTRY_HEADER;
            if (len == 0 || at + len > end) return "batch command " + i + " of " + n + " claims " + len + " bytes, " + (end - at) + " left";
            at += len;
        }
        return at == end ? null : "batch of " + n + " commands has " + (end - at) + " trailing bytes";
    }

    private static int u16(byte[] b, int at) {
        return (b[at] & 0xff) << 8 | (b[at + 1] & 0xff);
    }

    /**
     * One log message holding {@code commands} (each already encoded by {@link #encode}) in order.
     * At least one, at most {@link #MAX_BATCH_COMMANDS}, each shorter than 64 KiB; a sender keeps
     * the whole under {@link #MAX_BATCH_BYTES}.
     */
    public static byte[] encodeBatch(List<byte[]> commands) {
        if (commands.isEmpty() || commands.size() > MAX_BATCH_COMMANDS) {
            throw new IllegalArgumentException("a batch holds 1 to " + MAX_BATCH_COMMANDS + " commands, got " + commands.size());
        }
        int total = BATCH_HEADER;
        for (byte[] c : commands) total += BATCH_ENTRY_HEADER + c.length;
        ByteBuffer b = ByteBuffer.allocate(total);
        b.put(VERSION).put(BATCH).putShort((short) commands.size());
        for (byte[] c : commands) {
            if (c.length == 0 || c.length > 0xffff) throw new IllegalArgumentException("a batched command is 1 to 65535 bytes, got " + c.length);
            b.putShort((short) c.length).put(c);
        }
        return b.array();
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
            case Command.PlaceStop p -> p.trigger() instanceof StopTrigger.Trailing ? PLACE_TRAILING_STOP : PLACE_STOP;
            case Command.Cancel x -> CANCEL;
            case Command.CancelAllAfter x -> CANCEL_ALL_AFTER;
            case Command.Amend a -> AMEND;
            case Command.BatchCancel bc -> BATCH_CANCEL;
            case Command.L1Op op -> L1_OP;
            case Command.Oracle o -> ORACLE;
            case Command.Signed r -> SIGNED;
            case Command.TimeTick t -> TICK;
            case Command.BatchPosted p -> BATCH_POSTED;
            case Command.BatchesFinal f -> BATCHES_FINAL;
            case Command.PostingHalted h -> POSTING_HALTED;
            case Command.PostingResumed r -> POSTING_RESUMED;
            case Command.Query q -> QUERY;
        };
    }

    private static int length(Command c) {
        int header = 2 + 8 + 8;
        return header + switch (c) {
            case Command.Place p -> POST_ORDER_LENGTH + 32;
            case Command.PlaceStop p -> POST_ORDER_LENGTH + 32 + 8;
            case Command.Cancel x -> CANCEL_LENGTH;
            case Command.CancelAllAfter x -> 20 + 8 + 8 + Signature.LENGTH;
            case Command.Amend a -> CANCEL_LENGTH + POST_ORDER_LENGTH + 32;
            case Command.BatchCancel bc -> 2 + bc.cancels().size() * CANCEL_LENGTH;
            case Command.L1Op op -> TransitionCodec.encodedLength(op.op());
            case Command.Oracle o -> TransitionCodec.encodedLength(o.price());
            case Command.Signed r -> TransitionCodec.encodedLength(r.request());
            case Command.TimeTick t -> 8;
            case Command.BatchPosted p -> 24;
            case Command.BatchesFinal f -> 8;
            case Command.PostingHalted h -> 2 + whyBytes(h).length;
            case Command.PostingResumed r -> 0;
            case Command.Query q -> 1 + 4 + 20 + 32 + 8;
        };
    }

    /** Strict UTF-8: bytes that are not would read back as replacement characters, another encoding of another command. */
    private static String utf8(byte[] bytes) throws MalformedCommandException {
        try {
            return java.nio.charset.StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new MalformedCommandException("a posting halt's reason is not UTF-8");
        }
    }

    /** A halt's reason as the log holds it: UTF-8, cut to {@link Command.PostingHalted#MAX_WHY_BYTES} at a character's start. */
    private static byte[] whyBytes(Command.PostingHalted h) {
        byte[] all = h.why().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (all.length <= Command.PostingHalted.MAX_WHY_BYTES) return all;
        int end = Command.PostingHalted.MAX_WHY_BYTES;
        while ((all[end] & 0xc0) == 0x80) end--; // not inside a character
        return java.util.Arrays.copyOf(all, end);
    }
}
