package dev.clearline.testkit.property;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The generators properties are built from. Numeric generators hit their edges often (the
 * bounds, zero, one and their neighbours), because that is where arithmetic bugs live.
 */
public final class Gens {
    private Gens() {}

    /** Share of numeric draws taken from the edge values instead of uniformly. */
    private static final int EDGE_PERCENT = 15;

    /** Longs in {@code [min, max]}, edges favoured, shrinking toward the value closest to zero. */
    public static Gen<Long> longs(long min, long max) {
        if (min > max) throw new IllegalArgumentException("empty range [" + min + ", " + max + "]");
        long target = min > 0 ? min : (max < 0 ? max : 0);
        long[] edges = Arrays.stream(new long[] {min, max, target, min + 1, max - 1, target + 1, target - 1})
                .filter(v -> v >= min && v <= max).distinct().toArray();
        return random -> {
            long v = random.nextInt(100) < EDGE_PERCENT
                    ? edges[random.nextInt(edges.length)]
                    : uniform(random, min, max);
            return Shrinks.towards(v, target);
        };
    }

    /** Any long, edges ({@code Long.MIN_VALUE}, {@code MAX_VALUE}, 0, ±1) favoured. */
    public static Gen<Long> longs() {
        return longs(Long.MIN_VALUE, Long.MAX_VALUE);
    }

    /** Ints in {@code [min, max]}, edges favoured, shrinking toward the value closest to zero. */
    public static Gen<Integer> ints(int min, int max) {
        return longs(min, max).map(Long::intValue);
    }

    /** A seed for a seeded case: any long, not shrunk (a nearby seed is an unrelated case). */
    public static Gen<Long> seeds() {
        return Gen.of(RandomGenerator::nextLong);
    }

    public static Gen<Boolean> booleans() {
        return random -> {
            boolean b = random.nextBoolean();
            return b ? new Shrinkable<>(true, () -> java.util.stream.Stream.of(Shrinkable.leaf(false))) : Shrinkable.leaf(false);
        };
    }

    /** Byte arrays of a length in {@code [minLength, maxLength]}; they shrink shorter, then to zeros. */
    public static Gen<byte[]> bytes(int minLength, int maxLength) {
        Gen<Integer> octet = ints(0, 255);
        return listOf(octet, minLength, maxLength).map(list -> {
            byte[] out = new byte[list.size()];
            for (int i = 0; i < out.length; i++) out[i] = (byte) (int) list.get(i);
            return out;
        });
    }

    /** Exactly {@code length} bytes. */
    public static Gen<byte[]> bytes(int length) {
        return bytes(length, length);
    }

    /**
     * Strings of {@code [minLength, maxLength]} Unicode code points (not UTF-16 units): mostly
     * printable ASCII, often control characters, other BMP characters and supplementary ones
     * (emoji, which take two chars and four UTF-8 bytes). Never a lone surrogate, so every string
     * survives a UTF-8 round trip. Shrinks shorter, then each character toward a space or NUL.
     */
    public static Gen<String> strings(int minLength, int maxLength) {
        Gen<Integer> codePoint = frequency(
                60, ints(0x20, 0x7e),
                10, ints(0, 0x1f),
                15, ints(0x80, 0xffff).filter(c -> c < Character.MIN_SURROGATE || c > Character.MAX_SURROGATE),
                15, ints(Character.MIN_SUPPLEMENTARY_CODE_POINT, Character.MAX_CODE_POINT));
        return listOf(codePoint, minLength, maxLength).map(cps -> {
            StringBuilder sb = new StringBuilder(cps.size());
            for (int cp : cps) sb.appendCodePoint(cp);
            return sb.toString();
        });
    }

    /** One of the given values, shrinking toward the first. */
    @SafeVarargs
    public static <T> Gen<T> elements(T... values) {
        return elements(List.of(values));
    }

    public static <T> Gen<T> elements(List<T> values) {
        if (values.isEmpty()) throw new IllegalArgumentException("no elements to choose from");
        List<T> copy = List.copyOf(values);
        return ints(0, copy.size() - 1).map(copy::get);
    }

    /** One of the given generators, chosen uniformly; shrinks toward the first generator. */
    @SafeVarargs
    public static <T> Gen<T> oneOf(Gen<? extends T>... gens) {
        List<Gen<? extends T>> list = List.of(gens);
        return ints(0, list.size() - 1).flatMap(i -> widen(list.get(i)));
    }

    /** A weighted choice: {@code frequency(3, a, 1, b)} draws from {@code a} three times as often. */
    @SuppressWarnings("unchecked")
    public static <T> Gen<T> frequency(Object... weightsAndGens) {
        if (weightsAndGens.length == 0 || weightsAndGens.length % 2 != 0) {
            throw new IllegalArgumentException("frequency takes pairs: weight, generator, ...");
        }
        int total = 0;
        List<Integer> weights = new ArrayList<>();
        List<Gen<T>> gens = new ArrayList<>();
        for (int i = 0; i < weightsAndGens.length; i += 2) {
            int w = (Integer) weightsAndGens[i];
            if (w < 0) throw new IllegalArgumentException("negative weight " + w);
            weights.add(w);
            gens.add((Gen<T>) weightsAndGens[i + 1]);
            total += w;
        }
        int sum = total;
        return ints(0, sum - 1).flatMap(pick -> {
            int acc = 0;
            for (int i = 0; i < gens.size(); i++) {
                acc += weights.get(i);
                if (pick < acc) return gens.get(i);
            }
            throw new AssertionError("unreachable");
        });
    }

    public static <T> Gen<T> constant(T value) {
        return random -> Shrinkable.leaf(value);
    }

    /** Lists of {@code [minSize, maxSize]} elements, shrinking by chunks, then steps, then elements. */
    public static <T> Gen<List<T>> listOf(Gen<T> element, int minSize, int maxSize) {
        if (minSize < 0 || minSize > maxSize) throw new IllegalArgumentException("bad size range [" + minSize + ", " + maxSize + "]");
        return random -> {
            int n = minSize + random.nextInt(maxSize - minSize + 1);
            List<Shrinkable<T>> elements = new ArrayList<>(n);
            for (int i = 0; i < n; i++) elements.add(element.sample(random));
            return Shrinks.list(elements, minSize);
        };
    }

    /**
     * One value from each generator, in order, as a list of fixed size; each value shrinks on its
     * own. The building block for a record with many generated fields (an operation's arguments):
     * {@code allOf(kind, price, size).map(v -> new Op(v.get(0), v.get(1), v.get(2)))}.
     */
    @SafeVarargs
    public static <T> Gen<List<T>> allOf(Gen<? extends T>... gens) {
        List<Gen<? extends T>> list = List.of(gens);
        return random -> {
            List<Shrinkable<T>> parts = new ArrayList<>(list.size());
            for (Gen<? extends T> g : list) parts.add(Gens.<T>widen(g).sample(random));
            return Shrinks.list(parts, parts.size());
        };
    }

    private static long uniform(RandomGenerator random, long min, long max) {
        if (min == max) return min;
        if (min == Long.MIN_VALUE && max == Long.MAX_VALUE) return random.nextLong();
        // nextLong's bound is exclusive; MAX_VALUE itself is still drawn as an edge value.
        return random.nextLong(min, max == Long.MAX_VALUE ? max : max + 1);
    }

    @SuppressWarnings("unchecked")
    private static <T> Gen<T> widen(Gen<? extends T> gen) {
        return (Gen<T>) gen;
    }
}
