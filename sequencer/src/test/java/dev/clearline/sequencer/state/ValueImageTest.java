package dev.clearline.sequencer.state;

import dev.clearline.engine.image.ImageFormatException;
import dev.clearline.engine.image.ImageReader;
import dev.clearline.engine.image.ImageWriter;
import dev.clearline.sequencer.command.ReplyCodec;
import dev.clearline.testkit.property.Gen;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Reply bodies and view records through a state image: the same values, of the same types, in the same order, the same JSON bytes. */
class ValueImageTest {

    static byte[] image(Object value) {
        ImageWriter out = new ImageWriter(16);
        ValueImage.write(out, value);
        return out.toByteArray();
    }

    static Object restore(byte[] image) {
        ImageReader in = new ImageReader(image);
        Object v = ValueImage.read(in);
        in.expectEnd();
        return v;
    }

    @Test
    void aBodyComesBackEqualOfTheSameTypesInTheSameOrderAndEncodesToTheSameBytes() {
        Property.forAll(bodies(3), Gens.longs()).tries(400).check((body, header) -> {
            byte[] image = image(body);
            Object back = restore(image);

            assertSameShape(body, back, "body");
            assertThat(image(back)).as("the restored body images to the same bytes").isEqualTo(image);
            @SuppressWarnings("unchecked")
            Map<String, Object> restored = (Map<String, Object>) back;
            Reply before = new Reply(header, header ^ 1, header ^ 2, header ^ 3, (header & 1) == 0, body);
            Reply after = new Reply(header, header ^ 1, header ^ 2, header ^ 3, (header & 1) == 0, restored);
            assertThat(ReplyCodec.encode(after)).isEqualTo(ReplyCodec.encode(before));
            // a long[] is equal only to itself, so only bodies without one can be equal as objects (kept replies hold none)
            if (!holdsArray(body)) assertThat(after).isEqualTo(before);
        });
    }

    @Test
    void theTypesTheSequencersBodiesHoldComeBackAsThemselves() {
        // what SequencerState and the view put into bodies, spelled out: a failure here names the type
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("market", 1); // Integer
        body.put("seq", 1L); // Long
        body.put("accepted", true);
        body.put("unsettledFunding", null);
        body.put("marginRatio", 0.25);
        body.put("bids", List.of(new long[] {10_000, 3_000}));
        body.put("outcomes", List.of(Map.of("orderHash", "0xab")));
        body.put("batches", java.util.stream.Stream.of(1L, 2L).toList());
        body.put("markets", List.copyOf(List.of(1, 2)));
        body.put("empty", List.of());
        Object back = restore(image(body));
        assertSameShape(body, back, "body");
        assertThat(back).isInstanceOf(LinkedHashMap.class);
        assertThat(new ArrayList<Object>(((Map<?, ?>) back).keySet())).containsExactlyElementsOf(body.keySet());
    }

    @Test
    void aTypeOutsideTheListIsRefusedOnWriteByItsName() {
        record Stray(int x) {}
        List<Object> strays = List.of(new Stray(1), Set.of(1), new int[] {1}, 1.5f, (short) 3, new java.math.BigInteger("7"), 'c');
        for (Object stray : strays) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("outcomes", List.of(Map.of("x", stray)));
            assertThatThrownBy(() -> ValueImage.write(new ImageWriter(), body))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(stray.getClass().getName());
        }
        assertThatThrownBy(() -> ValueImage.write(new ImageWriter(), Map.of(1, "a")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("java.lang.Integer");
        Map<Object, Object> nullKey = new LinkedHashMap<>();
        nullKey.put(null, 1);
        assertThatThrownBy(() -> ValueImage.write(new ImageWriter(), nullKey)).isInstanceOf(IllegalArgumentException.class);
        List<Object> cycle = new ArrayList<>();
        cycle.add(cycle);
        assertThatThrownBy(() -> ValueImage.write(new ImageWriter(), cycle))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("deep");
    }

    @Test
    void anUnknownTagIsAFormatError() {
        for (int tag : new int[] {10, 11, 99, -1, 127}) {
            assertThatThrownBy(() -> ValueImage.read(new ImageReader(new byte[] {(byte) tag, 0, 0, 0, 0})))
                    .isInstanceOf(ImageFormatException.class).hasMessageContaining("tag " + tag);
        }
        // a bad tag inside a list, after good elements: the list says three, the third is the appended 42
        byte[] good = image(List.of(1, "a"));
        byte[] bad = Arrays.copyOf(good, good.length + 1);
        bad[4] = 3; // the count's low byte
        bad[bad.length - 1] = 42;
        assertThatThrownBy(() -> ValueImage.read(new ImageReader(bad))).isInstanceOf(ImageFormatException.class).hasMessageContaining("tag 42");
    }

    @Test
    void aTruncatedImageIsAFormatError() {
        Property.forAll(bodies(2), Gens.ints(0, Integer.MAX_VALUE)).tries(200).check((body, at) -> {
            byte[] image = image(body);
            int cut = at % image.length; // a strict prefix
            assertThatThrownBy(() -> ValueImage.read(new ImageReader(image, 0, cut))).isInstanceOf(ImageFormatException.class);
        });
    }

    @Test
    void aDamagedImageIsReadAsSomeValueOrRefusedAsAFormatErrorAndNothingElse() {
        // a snapshot's checksum catches damage first; this is the reader's own guard (no ClassCast, no overflow, no giant allocation)
        Property.forAll(bodies(3), Gens.listOf(Gens.ints(0, Integer.MAX_VALUE), 1, 4)).tries(400).check((body, flips) -> {
            byte[] image = image(body);
            for (int f : flips) image[f % image.length] ^= (byte) (1 << (f >>> 28) % 8);
            try {
                ValueImage.read(new ImageReader(image));
            } catch (ImageFormatException expected) {
                // refused with a reason
            }
        });
    }

    @Test
    void valuesNestedPastTheLimitAreRefusedOnReadWithoutOverflowingTheStack() {
        int depth = 100_000;
        ImageWriter out = new ImageWriter();
        for (int i = 0; i < depth; i++) out.writeByte(8).writeInt(1); // a list of one list of one list ...
        out.writeByte(0);
        assertThatThrownBy(() -> ValueImage.read(new ImageReader(out.toByteArray())))
                .isInstanceOf(ImageFormatException.class).hasMessageContaining("nested");
        // and up to the limit they come back
        Object deep = null;
        for (int i = 0; i < ValueImage.MAX_DEPTH; i++) deep = i % 2 == 0 ? List.of(Objects.requireNonNullElse(deep, 0)) : Map.of("k", deep);
        assertSameShape(deep, restore(image(deep)), "deep");
    }

    @Test
    void aMapKeyTwiceIsAFormatError() {
        ImageWriter out = new ImageWriter();
        out.writeByte(9).writeInt(2).writeString("a").writeByte(0).writeString("a").writeByte(0);
        assertThatThrownBy(() -> ValueImage.read(new ImageReader(out.toByteArray())))
                .isInstanceOf(ImageFormatException.class).hasMessageContaining("twice");
    }

    // ---- generators: nested values in every container form the sequencer builds ----

    static Gen<Object> value(int depth) {
        Gen<Double> doubles = Gens.oneOf(Gens.longs().map(Double::longBitsToDouble),
                Gens.elements(0.0, -0.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.1, 1e300, Double.MIN_VALUE));
        Gen<long[]> arrays = Gens.listOf(Gens.longs(), 0, 3).map(l -> l.stream().mapToLong(Long::longValue).toArray());
        Gen<Object> leaf = Gens.frequency(
                1, Gens.constant(null),
                2, Gens.booleans(),
                3, Gens.ints(Integer.MIN_VALUE, Integer.MAX_VALUE),
                3, Gens.longs(),
                1, doubles,
                3, Gens.strings(0, 12),
                1, arrays);
        if (depth == 0) return leaf;
        return Gens.frequency(5, leaf, 1, lists(depth - 1), 2, bodies(depth - 1).map(m -> (Object) m));
    }

    static Gen<Object> lists(int depth) {
        return Gens.listOf(value(depth), 0, 4).zip(Gens.ints(0, 2), (elements, form) -> {
            List<Object> copy = new ArrayList<>(elements);
            boolean nulls = copy.contains(null);
            return switch (form) {
                case 0 -> copy;
                case 1 -> nulls ? Collections.unmodifiableList(copy) : List.copyOf(copy);
                default -> copy.stream().toList(); // the form Stream.toList gives (a reply's "batches")
            };
        });
    }

    /** Maps with String keys, often named like reply headers, in insertion order, sometimes sorted or read-only. */
    static Gen<Map<String, Object>> bodies(int depth) {
        Gen<String> keys = Gens.frequency(
                2, Gens.elements("seq", "time", "duplicate", "clientId", "clientSeq", "batch", "market", "", "size"),
                3, Gens.strings(0, 8));
        Gen<List<Object>> entry = Gens.allOf(keys, value(depth));
        return Gens.listOf(entry, 0, 6).zip(Gens.ints(0, 2), (entries, form) -> {
            Map<String, Object> m = new LinkedHashMap<>();
            for (List<Object> e : entries) m.put((String) e.get(0), e.get(1));
            return switch (form) {
                case 0 -> m;
                case 1 -> new TreeMap<>(m);
                default -> Collections.unmodifiableMap(m);
            };
        });
    }

    // ---- checks ----

    /** Equal values of exactly the same scalar types, maps restored as LinkedHashMaps in the original's order, lists as lists. */
    static void assertSameShape(Object original, Object restored, String path) {
        switch (original) {
            case null -> assertThat(restored).as(path).isNull();
            case long[] a -> {
                assertThat(restored).as(path).isInstanceOf(long[].class);
                assertThat((long[]) restored).as(path).isEqualTo(a);
            }
            case Double d -> {
                assertThat(restored).as(path).isInstanceOf(Double.class);
                assertThat(Double.doubleToRawLongBits((Double) restored)).as(path).isEqualTo(Double.doubleToRawLongBits(d));
            }
            case List<?> l -> {
                assertThat(restored).as(path).isInstanceOf(List.class);
                List<?> r = (List<?>) restored;
                assertThat(r).as(path).hasSameSizeAs(l);
                for (int i = 0; i < l.size(); i++) assertSameShape(l.get(i), r.get(i), path + "[" + i + "]");
            }
            case Map<?, ?> m -> {
                assertThat(restored).as(path).isInstanceOf(LinkedHashMap.class);
                Map<?, ?> r = (Map<?, ?>) restored;
                assertThat(new ArrayList<>(r.keySet())).as(path + " keys in order").isEqualTo(new ArrayList<>(m.keySet()));
                for (var e : m.entrySet()) assertSameShape(e.getValue(), r.get(e.getKey()), path + "." + e.getKey());
            }
            default -> {
                assertThat(restored).as(path).isNotNull();
                assertThat(restored.getClass()).as(path + " type").isEqualTo(original.getClass());
                assertThat(restored).as(path).isEqualTo(original);
            }
        }
    }

    static boolean holdsArray(Object v) {
        return switch (v) {
            case long[] a -> true;
            case List<?> l -> l.stream().anyMatch(x -> x != null && holdsArray(x));
            case Map<?, ?> m -> m.values().stream().anyMatch(x -> x != null && holdsArray(x));
            case null -> false;
            default -> false;
        };
    }
}
