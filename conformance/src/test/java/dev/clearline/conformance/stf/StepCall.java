package dev.clearline.conformance.stf;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The ABI of {@code IStepVerifier.step(bytes32,bytes,bytes,(uint64,bytes32))} and of its result,
 * written by hand (the arguments are a few words and two byte strings), shared by every EVM the
 * harness talks to.
 */
public final class StepCall {
    /** keccak("step(bytes32,bytes,bytes,(uint64,bytes32))")[0:4]. */
    static final byte[] SELECTOR = selector("step(bytes32,bytes,bytes,(uint64,bytes32))");

    private StepCall() {}

    static byte[] encode(byte[] preRoot, byte[] transition, byte[] witness, long batchIndex, byte[] domainSeparator) {
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

    /** The step's result, decoded from its five return words. */
    public record Result(byte[] postRoot, int reject, boolean priorityConsumed, long priorityIndex, byte[] priorityHash) {
        static Result decode(byte[] out) {
            if (out.length != 5 * 32) throw new IllegalStateException("step returned " + out.length + " bytes, expected 160");
            return new Result(Arrays.copyOfRange(out, 0, 32), out[63] & 0xff, out[95] != 0,
                    ByteBuffer.wrap(out, 120, 8).getLong(), Arrays.copyOfRange(out, 128, 160));
        }
    }

    static byte[] word(long v) {
        return ByteBuffer.allocate(32).putLong(24, v).array();
    }

    static int padded(int n) {
        return (n + 31) / 32 * 32;
    }

    static byte[] selector(String signature) {
        return Arrays.copyOf(dev.clearline.engine.abi.Keccak.hash(signature.getBytes(java.nio.charset.StandardCharsets.US_ASCII)), 4);
    }
}
