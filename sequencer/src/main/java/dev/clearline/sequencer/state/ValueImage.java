package dev.clearline.sequencer.state;

import dev.clearline.engine.image.ImageFormatException;
import dev.clearline.engine.image.ImageReader;
import dev.clearline.engine.image.ImageWriter;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON-ready values replies and the order book view are made of (a {@link Reply#body()}, a
 * fill or withdrawal record) in a state image: null, Boolean, Integer, Long, Double, String,
 * {@code long[]}, List and Map with String keys, nested.
 *
 * <p>Each value carries a one-byte tag of its exact Java type, so an Integer comes back an
 * Integer and a Long a Long: a kept reply restored must be {@code equals} to the original and
 * encode to the same JSON bytes, and a restored fill record must print like the original. A map
 * comes back as a {@link LinkedHashMap} in the order it was iterated when written (replies are
 * serialized in map order), a list as an {@link ArrayList} (list equality is by content; an
 * ArrayList also takes the nulls a {@code List.of} would refuse).
 */
final class ValueImage {
    private static final int NULL = 0;
    private static final int FALSE = 1;
    private static final int TRUE = 2;
    private static final int INT = 3;
    private static final int LONG = 4;
    private static final int DOUBLE = 5;
    private static final int STRING = 6;
    private static final int LONGS = 7;
    private static final int LIST = 8;
    private static final int MAP = 9;

    /**
     * Containers nested deeper than this are refused. Bodies nest a handful of levels (a reply,
     * its account, its fills); the limit keeps a cyclic value from overflowing the stack on write
     * and a damaged image from doing the same on read, which must fail as a format error instead.
     */
    static final int MAX_DEPTH = 64;

    /** Room made up front for a container at most: a damaged count must not allocate before the image runs out. */
    private static final int PREALLOCATE = 1 << 10;

    private ValueImage() {}

    /**
     * Writes {@code value} and everything in it.
     *
     * @throws IllegalArgumentException for a type outside the list above (or a map key that is not
     *     a String, or nesting past {@link #MAX_DEPTH}): a body holding one is a bug to fix where the
     *     body is built, since a value imaged as something else would not restore the same replies
     */
    static void write(ImageWriter out, Object value) {
        write(out, value, 0);
    }

    /**
     * Reads one value {@link #write} wrote.
     *
     * @throws ImageFormatException for a tag no writer produces, a duplicate or null map key,
     *     nesting past {@link #MAX_DEPTH}, or an image that ends early
     */
    static Object read(ImageReader in) {
        return read(in, 0);
    }

    private static void write(ImageWriter out, Object value, int depth) {
        switch (value) {
            case null -> out.writeByte(NULL);
            case Boolean b -> out.writeByte(b ? TRUE : FALSE);
            case Integer i -> out.writeByte(INT).writeInt(i);
            case Long l -> out.writeByte(LONG).writeLong(l);
            // the raw bits: -0.0 and any NaN come back bit for bit
            case Double d -> out.writeByte(DOUBLE).writeLong(Double.doubleToRawLongBits(d));
            case String s -> out.writeByte(STRING).writeString(s);
            case long[] a -> out.writeByte(LONGS).writeLongs(a);
            case List<?> list -> {
                nest(depth, value);
                out.writeByte(LIST).writeInt(list.size());
                for (Object o : list) write(out, o, depth + 1);
            }
            case Map<?, ?> map -> {
                nest(depth, value);
                out.writeByte(MAP).writeInt(map.size());
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    if (!(e.getKey() instanceof String k)) {
                        throw new IllegalArgumentException("a map key of type "
                                + (e.getKey() == null ? "null" : e.getKey().getClass().getName())
                                + " in a value to image: only String keys are imaged");
                    }
                    out.writeString(k);
                    write(out, e.getValue(), depth + 1);
                }
            }
            default -> throw new IllegalArgumentException("a value of type " + value.getClass().getName()
                    + " in a value to image: only null, Boolean, Integer, Long, Double, String, long[], List and Map are imaged");
        }
    }

    private static void nest(int depth, Object value) {
        if (depth >= MAX_DEPTH) {
            throw new IllegalArgumentException("a " + value.getClass().getName() + " nested more than " + MAX_DEPTH + " deep (a cycle?)");
        }
    }

    private static Object read(ImageReader in, int depth) {
        int at = in.position();
        int tag = in.readByte();
        return switch (tag) {
            case NULL -> null;
            case FALSE -> Boolean.FALSE;
            case TRUE -> Boolean.TRUE;
            case INT -> in.readInt();
            case LONG -> in.readLong();
            case DOUBLE -> Double.longBitsToDouble(in.readLong());
            case STRING -> {
                String s = in.readString();
                if (s == null) throw new ImageFormatException("a null string under a string tag at byte " + at);
                yield s;
            }
            case LONGS -> in.readLongs();
            case LIST -> {
                if (depth >= MAX_DEPTH) throw new ImageFormatException("values nested more than " + MAX_DEPTH + " deep at byte " + at);
                int n = in.readCount(1); // every element is at least its tag
                List<Object> list = new ArrayList<>(Math.min(n, PREALLOCATE));
                for (int i = 0; i < n; i++) list.add(read(in, depth + 1));
                yield list;
            }
            case MAP -> {
                if (depth >= MAX_DEPTH) throw new ImageFormatException("values nested more than " + MAX_DEPTH + " deep at byte " + at);
                int n = in.readCount(5); // a key's length and a value's tag at least
                Map<String, Object> map = LinkedHashMap.newLinkedHashMap(Math.min(n, PREALLOCATE));
                for (int i = 0; i < n; i++) {
                    int keyAt = in.position();
                    String k = in.readString();
                    if (k == null) throw new ImageFormatException("a null map key at byte " + keyAt);
                    // a repeated key would keep the first one's place and lose an entry: not what was written
                    if (map.containsKey(k)) throw new ImageFormatException("the map key \"" + k + "\" twice, at byte " + keyAt);
                    map.put(k, read(in, depth + 1));
                }
                yield map;
            }
            default -> throw new ImageFormatException("a value tag " + tag + " at byte " + at);
        };
    }
}
