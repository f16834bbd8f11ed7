package dev.clearline.testkit.property;

/** Two generated values. */
public record Tuple2<A, B>(A first, B second) {
    @Override
    public String toString() {
        return "(" + Pretty.show(first) + ", " + Pretty.show(second) + ")";
    }
}
