package dev.clearline.testkit.property;

import java.util.SplittableRandom;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;
import java.util.stream.Stream;

/**
 * A generator of test inputs from a seeded random source. Everything a property sees comes from
 * the source it is handed, so the same seed gives the same input on every machine and JDK.
 */
@FunctionalInterface
public interface Gen<T> {

    /** One value with its shrink tree. */
    Shrinkable<T> sample(RandomGenerator random);

    /** One value, without its shrink tree (for building inputs inside a seeded case). */
    default T next(RandomGenerator random) {
        return sample(random).value();
    }

    /** A generator built from a plain function; its values do not shrink. */
    static <T> Gen<T> of(Function<RandomGenerator, T> generate) {
        return random -> Shrinkable.leaf(generate.apply(random));
    }

    default <U> Gen<U> map(Function<? super T, ? extends U> f) {
        return random -> sample(random).map(f);
    }

    /**
     * A generator whose shape depends on a generated value. The dependent part is drawn from its
     * own seed, so when the outer value shrinks the inner one is drawn again the same way.
     */
    default <U> Gen<U> flatMap(Function<? super T, Gen<U>> f) {
        return random -> {
            Shrinkable<T> outer = sample(random);
            long innerSeed = random.nextLong();
            return bind(outer, f, innerSeed);
        };
    }

    private static <T, U> Shrinkable<U> bind(Shrinkable<T> outer, Function<? super T, Gen<U>> f, long innerSeed) {
        Shrinkable<U> inner = f.apply(outer.value()).sample(new SplittableRandom(innerSeed));
        return new Shrinkable<>(inner.value(), () -> Stream.concat(
                outer.shrinks().get().map(o -> bind(o, f, innerSeed)),
                inner.shrinks().get()));
    }

    /**
     * Only values that pass {@code keep}; gives up after 1,000 misses in a row, since a filter
     * that rejects that often means the generator should be written differently.
     */
    default Gen<T> filter(Predicate<? super T> keep) {
        return random -> {
            for (int miss = 0; miss < 1_000; miss++) {
                Shrinkable<T> s = sample(random);
                if (keep.test(s.value())) {
                    return filtered(s, keep);
                }
            }
            throw new IllegalStateException("Gen.filter rejected 1,000 values in a row: generate valid values directly");
        };
    }

    private static <T> Shrinkable<T> filtered(Shrinkable<T> s, Predicate<? super T> keep) {
        return new Shrinkable<>(s.value(), () -> s.shrinks().get()
                .filter(c -> keep.test(c.value()))
                .map(c -> filtered(c, keep)));
    }

    /** Pairs this generator's values with another's through {@code combine}; both sides shrink. */
    default <U, R> Gen<R> zip(Gen<U> other, BiFunction<? super T, ? super U, ? extends R> combine) {
        return random -> {
            Shrinkable<T> a = sample(random);
            Shrinkable<U> b = other.sample(random);
            return Shrinks.zip(a, b).map(p -> combine.apply(p.first(), p.second()));
        };
    }
}
