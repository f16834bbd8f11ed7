package dev.clearline.prover.trace;

import dev.clearline.engine.abi.Keccak;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The ABI of {@code IStepVerifier.step(bytes32,bytes,bytes,(uint64,bytes32))} and of its five-word
 * result, by hand: a few words and two byte strings.
 */
public final class StepCallAbi {
    public static final String SIGNATURE = "step(bytes32,bytes,bytes,(uint64,bytes32))";
    static final byte[] SELECTOR = Arrays.copyOf(Keccak.hash(SIGNATURE.getBytes(StandardCharsets.US_ASCII)), 4);

    private StepCallAbi() {}

    public static byte[] encode(byte[] preRoot, byte[] transition, byte[] witness, long batchIndex, byte[] domainSeparator) {
        int tLen = padded(transition.length);
        int wLen = padded(witness.length);
        ByteBuffer b = ByteBuffer.allocate(4 + 5 * 32 + 32 + tLen + 32 + wLen);
        b.put(SELECTOR);
        b.put(preRoot);
        b.put(word(5 * 32));
        b.put(word(5 * 32 + 32 + tLen));
        b.put(word(batchIndex));
        b.put(domainSeparator);
        b.put(word(transition.length)).put(Arrays.copyOf(transition, tLen));
        b.put(word(witness.length)).put(Arrays.copyOf(witness, wLen));
        return b.array();
    }

    /** What the Solidity step returned. */
    public record Result(byte[] postRoot, int reject, boolean priorityConsumed, long priorityIndex, byte[] priorityHash) {
        public static Result decode(byte[] out) {
            if (out.length != 5 * 32) throw new IllegalArgumentException("step returned " + out.length + " bytes, expected 160");
            return new Result(Arrays.copyOfRange(out, 0, 32), out[63] & 0xff, out[95] != 0,
                    ByteBuffer.wrap(out, 120, 8).getLong(), Arrays.copyOfRange(out, 128, 160));
        }
    }

    private static byte[] word(long v) {
        return ByteBuffer.allocate(32).putLong(24, v).array();
    }

    private static int padded(int n) {
        return (n + 31) / 32 * 32;
    }
}
