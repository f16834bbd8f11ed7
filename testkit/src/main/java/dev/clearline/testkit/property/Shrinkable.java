package dev.clearline.testkit.property;

import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * A generated value with the lazily computed, simpler values it may shrink to. Shrinking is
 * integrated with generation (the tree travels with the value), so {@link Gen#map} and
 * {@link Gen#flatMap} keep shrinking without an inverse function.
 */
public record Shrinkable<T>(T value, Supplier<Stream<Shrinkable<T>>> shrinks) {

    /** A value that cannot get simpler. */
    public static <T> Shrinkable<T> leaf(T value) {
        return new Shrinkable<>(value, Stream::empty);
    }

    public <U> Shrinkable<U> map(Function<? super T, ? extends U> f) {
        Shrinkable<T> self = this;
        return new Shrinkable<>(f.apply(value), () -> self.shrinks.get().map(s -> s.map(f)));
    }
}
