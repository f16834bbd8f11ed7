package dev.clearline.contracts;

/** A byte range of contract code: {@code length} bytes from offset {@code start}. */
public record CodeRange(int start, int length) {
    public CodeRange {
        if (start < 0 || length < 0) {
            throw new IllegalArgumentException("a code range needs start >= 0 and length >= 0, got " + start + "+" + length);
        }
    }
}
