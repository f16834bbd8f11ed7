package dev.clearline.prover.replay;

import dev.clearline.engine.transition.TransitionCodec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Cuts batch calldata into encoded transitions: each type byte implies its length (docs/protocol.md section 6). */
public final class Calldata {
    private Calldata() {}

    /** The pieces, or where and why the bytes stop making sense. */
    public sealed interface Split {}

    public record Pieces(List<byte[]> transitions) implements Split {}

    public record Broken(int offset, String reason) implements Split {}

    public static Split split(byte[] calldata) {
        List<byte[]> out = new ArrayList<>();
        int at = 0;
        while (at < calldata.length) {
            int type = calldata[at] & 0xff;
            int length = TransitionCodec.lengthOf(type);
            if (length < 0) return new Broken(at, "unknown transition type " + type);
            if (at + length > calldata.length) {
                return new Broken(at, "transition type " + type + " needs " + length + " bytes, " + (calldata.length - at) + " left");
            }
            out.add(Arrays.copyOfRange(calldata, at, at + length));
            at += length;
        }
        return new Pieces(out);
    }
}
