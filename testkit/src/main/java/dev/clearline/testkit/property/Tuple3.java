package dev.clearline.testkit.property;

/** Three generated values. */
public record Tuple3<A, B, C>(A first, B second, C third) {
    @Override
    public String toString() {
        return "(" + Pretty.show(first) + ", " + Pretty.show(second) + ", " + Pretty.show(third) + ")";
    }
}
