package dev.clearline.prover.replay;

import java.util.List;

/**
 * Batch calldata cut into encoded transitions (each type byte implies its length, docs/protocol.md
 * section 6), for callers that want the bytes only. The cut is {@link CalldataReplay#decode}'s, the
 * one every replay uses.
 */
public final class Calldata {
    private Calldata() {}

    /** The pieces, or where and why the bytes stop making sense. */
    public sealed interface Split {}

    public record Pieces(List<byte[]> transitions) implements Split {}

    public record Broken(int offset, String reason) implements Split {}

    public static Split split(byte[] calldata) {
        CalldataReplay.Decoded d = CalldataReplay.decode(calldata);
        return d.tail().<Split>map(t -> new Broken(t.offset(), t.reason())).orElseGet(() -> new Pieces(d.encoded()));
    }
}
