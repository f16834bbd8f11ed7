package dev.clearline.testkit.property;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/** The shrink trees the generators build: numbers toward a target, lists by chunks then steps. */
final class Shrinks {
    private Shrinks() {}

    /**
     * {@code value} shrinks toward {@code target} by halving the distance: target first, then
     * values ever closer to where it started, so a failing boundary is found in ~64 steps.
     */
    static Shrinkable<Long> towards(long value, long target) {
        return new Shrinkable<>(value, () -> {
            if (value == target) return Stream.empty();
            List<Long> candidates = new ArrayList<>();
            // Work in BigInteger-free unsigned distance so extremes (Long.MIN_VALUE..MAX) do not overflow.
            boolean up = value > target;
            long distance = up ? value - target : target - value; // may wrap for huge spans: treated as unsigned
            for (long step = distance; Long.compareUnsigned(step, 0) > 0; step = step >>> 1) {
                long candidate = up ? value - step : value + step;
                if (candidates.isEmpty() || candidates.get(candidates.size() - 1) != candidate) candidates.add(candidate);
            }
            return candidates.stream().filter(c -> c != value).map(c -> towards(c, target));
        });
    }

    static <A, B> Shrinkable<Tuple2<A, B>> zip(Shrinkable<A> a, Shrinkable<B> b) {
        return new Shrinkable<>(new Tuple2<>(a.value(), b.value()), () -> Stream.concat(
                a.shrinks().get().map(sa -> zip(sa, b)),
                b.shrinks().get().map(sb -> zip(a, sb))));
    }

    /**
     * A list shrinks by removing chunks (half the list, a quarter, ... one element, at every
     * offset), never below {@code minSize}, then by shrinking one element at a time. A failing
     * operation list thus ends as a short scenario of simple steps.
     */
    static <T> Shrinkable<List<T>> list(List<Shrinkable<T>> elements, int minSize) {
        List<T> values = elements.stream().map(Shrinkable::value).toList();
        return new Shrinkable<>(values, () -> {
            int n = elements.size();
            Stream<Shrinkable<List<T>>> removals = Stream.iterate(n / 2, k -> k >= 1, k -> k / 2)
                    .filter(k -> n - k >= minSize)
                    .flatMap(k -> IntStream.iterate(0, from -> from + k <= n, from -> from + k)
                            .mapToObj(from -> {
                                List<Shrinkable<T>> rest = new ArrayList<>(elements.subList(0, from));
                                rest.addAll(elements.subList(from + k, n));
                                return list(rest, minSize);
                            }));
            Stream<Shrinkable<List<T>>> simpler = IntStream.range(0, n).boxed()
                    .flatMap(i -> elements.get(i).shrinks().get().map(s -> {
                        List<Shrinkable<T>> copy = new ArrayList<>(elements);
                        copy.set(i, s);
                        return list(copy, minSize);
                    }));
            return Stream.concat(removals, simpler);
        });
    }
}
