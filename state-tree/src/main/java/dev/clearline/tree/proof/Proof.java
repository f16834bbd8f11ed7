package dev.clearline.tree.proof;

import dev.clearline.tree.hash.TreeHash;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A membership / non-membership proof for one or more keys, in the single compressed encoding
 * shared with Solidity (see docs/protocol.md section 2): the terminals, then a bitmap marking
 * which sibling slots are empty, then the non-empty siblings, then (only for a root update that
 * empties a subtree) the openings of the siblings that subtree's emptiness exposes.
 *
 * @param terminals where the queried keys' paths end, in key order
 * @param siblings every sibling slot in consumption order, empty ones as 32 zero bytes
 * @param openings in the order the update's fold asks for them; empty for a plain proof
 */
public record Proof(List<Terminal> terminals, List<byte[]> siblings, List<Opening> openings) {
    public static final int MAX_DEPTH = 256;
    /** Bytes of one encoded opening: kind, then two words. */
    public static final int OPENING_BYTES = 65;

    public Proof {
        terminals = List.copyOf(terminals);
        siblings = List.copyOf(siblings);
        openings = List.copyOf(openings);
    }

    public Proof(List<Terminal> terminals, List<byte[]> siblings) {
        this(terminals, siblings, List.of());
    }

    /** This proof with {@code openings} in place of its own. */
    public Proof withOpenings(List<Opening> openings) {
        return new Proof(terminals, siblings, openings);
    }

    /**
     * What a non-empty sibling is, shown by its hash preimage: a leaf ({@code kind} 1: its key and
     * value hash) or an internal node ({@code kind} 2: its two children). Leaf and node hashes are
     * domain-separated, so an opening cannot pass one for the other.
     */
    public record Opening(int kind, byte[] first, byte[] second) {
        public static final int LEAF = 1;
        public static final int NODE = 2;

        public Opening {
            if (kind != LEAF && kind != NODE) {
                throw new IllegalArgumentException("opening kind " + kind + "; use LEAF (1) or NODE (2)");
            }
            first = first.clone();
            second = second.clone();
        }

        /** The hash this opening claims to be: leafHash(first, second) or nodeHash(first, second). */
        public byte[] hash() {
            return kind == LEAF ? TreeHash.leaf(first, second)
                    : TreeHash.node(first, second);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Opening x && x.kind == kind && Arrays.equals(x.first, first) && Arrays.equals(x.second, second);
        }

        @Override
        public int hashCode() {
            return 31 * kind + Arrays.hashCode(first);
        }
    }

    /** The wire encoding. */
    public byte[] encode() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeU16(out, terminals.size());
        for (Terminal t : terminals) {
            writeU16(out, t.depth());
            out.write(t.kind());
            if (t instanceof Terminal.NeighbourLeaf n) {
                out.writeBytes(n.key());
                out.writeBytes(n.valueHash());
            }
        }
        writeU16(out, siblings.size());
        byte[] bitmap = new byte[(siblings.size() + 7) / 8];
        for (int i = 0; i < siblings.size(); i++) {
            if (isZero(siblings.get(i))) {
                bitmap[i >>> 3] |= (byte) (0x80 >>> (i & 7));
            }
        }
        out.writeBytes(bitmap);
        for (byte[] s : siblings) {
            if (!isZero(s)) {
                out.writeBytes(s);
            }
        }
        if (!openings.isEmpty()) {
            writeU16(out, openings.size());
            for (Opening o : openings) {
                out.write(o.kind());
                out.writeBytes(o.first());
                out.writeBytes(o.second());
            }
        }
        return out.toByteArray();
    }

    /** Parses the wire encoding; never throws on bad input. */
    public static Decoded decode(byte[] in) {
        if (in == null) {
            return new Decoded.Invalid(ProofError.MALFORMED, "proof is null");
        }
        int pos = 0;
        if (in.length < 2) {
            return malformed("proof shorter than its 2-byte terminal count");
        }
        int count = u16(in, pos);
        pos += 2;
        if (count == 0) {
            return malformed("proof has no terminals");
        }
        List<Terminal> terminals = new ArrayList<>(Math.min(count, 1024));
        for (int i = 0; i < count; i++) {
            if (in.length - pos < 3) {
                return malformed("truncated in terminal " + i);
            }
            int depth = u16(in, pos);
            int kind = in[pos + 2] & 0xFF;
            pos += 3;
            if (depth > MAX_DEPTH) {
                return malformed("terminal " + i + " has depth " + depth + " > 256");
            }
            switch (kind) {
                case 0 -> terminals.add(new Terminal.Empty(depth));
                case 2 -> terminals.add(new Terminal.QueriedLeaf(depth));
                case 1 -> {
                    if (in.length - pos < 64) {
                        return malformed("truncated in neighbour leaf of terminal " + i);
                    }
                    terminals.add(new Terminal.NeighbourLeaf(depth, Arrays.copyOfRange(in, pos, pos + 32),
                            Arrays.copyOfRange(in, pos + 32, pos + 64)));
                    pos += 64;
                }
                default -> {
                    return malformed("terminal " + i + " has unknown kind " + kind);
                }
            }
        }
        if (in.length - pos < 2) {
            return malformed("truncated before the sibling count");
        }
        int slots = u16(in, pos);
        pos += 2;
        int bitmapLength = (slots + 7) / 8;
        if (in.length - pos < bitmapLength) {
            return malformed("bitmap truncated: " + slots + " slots need " + bitmapLength + " bytes");
        }
        int bitmapStart = pos;
        pos += bitmapLength;
        if (slots % 8 != 0 && (in[pos - 1] & (0xFF >>> (slots % 8))) != 0) {
            return malformed("bitmap padding bits are not zero");
        }
        int empties = 0;
        for (int i = 0; i < slots; i++) {
            if (bit(in, bitmapStart, i)) {
                empties++;
            }
        }
        int nonEmpty = slots - empties;
        if ((long) in.length - pos < 32L * nonEmpty) {
            return malformed("expected " + nonEmpty + " non-empty siblings (" + 32L * nonEmpty + " bytes), found "
                    + (in.length - pos) + " bytes");
        }
        int openingsAt = pos + 32 * nonEmpty;
        List<Opening> openings = new ArrayList<>();
        if (openingsAt < in.length) {
            if (in.length - openingsAt < 2) {
                return malformed("truncated in the opening count");
            }
            int openingCount = u16(in, openingsAt);
            if (openingCount == 0) {
                return malformed("an opening section is present but holds no openings");
            }
            if ((long) in.length - openingsAt - 2 != (long) OPENING_BYTES * openingCount) {
                return malformed("expected " + openingCount + " openings (" + OPENING_BYTES * openingCount + " bytes), found "
                        + (in.length - openingsAt - 2) + " bytes");
            }
            for (int o = 0; o < openingCount; o++) {
                int at = openingsAt + 2 + OPENING_BYTES * o;
                int kind = in[at] & 0xFF;
                if (kind != Opening.LEAF && kind != Opening.NODE) {
                    return malformed("opening " + o + " has unknown kind " + kind);
                }
                openings.add(new Opening(kind, Arrays.copyOfRange(in, at + 1, at + 33), Arrays.copyOfRange(in, at + 33, at + 65)));
            }
        }
        List<byte[]> siblings = new ArrayList<>(slots);
        for (int i = 0; i < slots; i++) {
            if (bit(in, bitmapStart, i)) {
                siblings.add(new byte[32]);
            } else {
                siblings.add(Arrays.copyOfRange(in, pos, pos + 32));
                pos += 32;
            }
        }
        return new Decoded.Valid(new Proof(terminals, siblings, openings));
    }

    private static Decoded malformed(String why) {
        return new Decoded.Invalid(ProofError.MALFORMED, why);
    }

    private static boolean bit(byte[] in, int start, int i) {
        return (in[start + (i >>> 3)] & (0x80 >>> (i & 7))) != 0;
    }

    private static int u16(byte[] in, int pos) {
        return ((in[pos] & 0xFF) << 8) | (in[pos + 1] & 0xFF);
    }

    private static void writeU16(ByteArrayOutputStream out, int v) {
        if (v > 0xFFFF) {
            throw new IllegalStateException("proof field " + v + " exceeds uint16");
        }
        out.write(v >>> 8);
        out.write(v);
    }

    private static boolean isZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    /** Result of {@link #decode}. */
    public sealed interface Decoded permits Decoded.Valid, Decoded.Invalid {
        record Valid(Proof proof) implements Decoded {}

        record Invalid(ProofError error, String reason) implements Decoded {}
    }
}
