package dev.clearline.contracts;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.web3j.crypto.Hash;

/**
 * A second, deliberately naive EVM for the handful of opcodes a view call of solc's output uses.
 * Tests run the real bytecode through it and through the embedded EVM and compare opcode counts
 * and stacks, so the expectation comes from an independent implementation rather than from the
 * code under test. Anything it does not model fails loudly.
 */
final class ReferenceInterpreter {
    private static final BigInteger MOD = BigInteger.ONE.shiftLeft(256);

    /** What the run did: how many opcodes executed (the halting one included) and the stack before the last. */
    record Run(int steps, String haltingOp, List<BigInteger> finalStack, byte[] output) {}

    private final byte[] code;
    private final Function<BigInteger, BigInteger> storage;

    ReferenceInterpreter(byte[] code, Function<BigInteger, BigInteger> storage) {
        this.code = code.clone();
        this.storage = storage;
    }

    Run run(byte[] calldata) {
        List<BigInteger> stack = new ArrayList<>();
        byte[] memory = new byte[0];
        int pc = 0;
        int steps = 0;
        while (true) {
            int op = pc < code.length ? code[pc] & 0xff : 0x00;
            steps++;
            if (steps > 100_000) {
                throw new IllegalStateException("no halt after 100000 steps");
            }
            switch (op) {
                case 0x00 -> { return new Run(steps, "STOP", List.copyOf(stack), new byte[0]); }
                case 0x01 -> push(stack, pop(stack).add(pop(stack)));
                case 0x02 -> push(stack, pop(stack).multiply(pop(stack)));
                case 0x03 -> push(stack, pop(stack).subtract(pop(stack)));
                case 0x04 -> { BigInteger a = pop(stack), b = pop(stack); push(stack, b.signum() == 0 ? BigInteger.ZERO : a.divide(b)); }
                case 0x10 -> push(stack, bool(pop(stack).compareTo(pop(stack)) < 0));
                case 0x11 -> push(stack, bool(pop(stack).compareTo(pop(stack)) > 0));
                case 0x12 -> push(stack, bool(signed(pop(stack)).compareTo(signed(pop(stack))) < 0));
                case 0x13 -> push(stack, bool(signed(pop(stack)).compareTo(signed(pop(stack))) > 0));
                case 0x14 -> push(stack, bool(pop(stack).equals(pop(stack))));
                case 0x15 -> push(stack, bool(pop(stack).signum() == 0));
                case 0x16 -> push(stack, pop(stack).and(pop(stack)));
                case 0x17 -> push(stack, pop(stack).or(pop(stack)));
                case 0x18 -> push(stack, pop(stack).xor(pop(stack)));
                case 0x19 -> push(stack, MOD.subtract(BigInteger.ONE).subtract(pop(stack)));
                case 0x1b -> { BigInteger shift = pop(stack), value = pop(stack); push(stack, shift.bitLength() > 9 ? BigInteger.ZERO : value.shiftLeft(shift.intValue())); }
                case 0x1c -> { BigInteger shift = pop(stack), value = pop(stack); push(stack, shift.bitLength() > 9 ? BigInteger.ZERO : value.shiftRight(shift.intValue())); }
                case 0x20 -> {
                    int offset = pop(stack).intValueExact(), size = pop(stack).intValueExact();
                    memory = grow(memory, offset + size);
                    push(stack, new BigInteger(1, Hash.sha3(Arrays.copyOfRange(memory, offset, offset + size))));
                }
                case 0x34 -> push(stack, BigInteger.ZERO); // CALLVALUE: views are called without value
                case 0x35 -> {
                    int offset = pop(stack).intValueExact();
                    byte[] word = new byte[32];
                    for (int i = 0; i < 32 && offset + i < calldata.length; i++) {
                        word[i] = calldata[offset + i];
                    }
                    push(stack, new BigInteger(1, word));
                }
                case 0x36 -> push(stack, BigInteger.valueOf(calldata.length));
                case 0x50 -> pop(stack);
                case 0x51 -> {
                    int offset = pop(stack).intValueExact();
                    memory = grow(memory, offset + 32);
                    push(stack, new BigInteger(1, Arrays.copyOfRange(memory, offset, offset + 32)));
                }
                case 0x52 -> {
                    int offset = pop(stack).intValueExact();
                    BigInteger value = pop(stack);
                    memory = grow(memory, offset + 32);
                    System.arraycopy(word(value), 0, memory, offset, 32);
                }
                case 0x54 -> push(stack, storage.apply(pop(stack)));
                case 0x56 -> { pc = jumpTarget(pop(stack)); continue; }
                case 0x57 -> {
                    BigInteger target = pop(stack);
                    if (pop(stack).signum() != 0) {
                        pc = jumpTarget(target);
                        continue;
                    }
                }
                case 0x5b -> { }
                case 0xf3, 0xfd -> {
                    List<BigInteger> before = List.copyOf(stack);
                    int offset = pop(stack).intValueExact(), size = pop(stack).intValueExact();
                    memory = grow(memory, offset + size);
                    return new Run(steps, op == 0xf3 ? "RETURN" : "REVERT", before, Arrays.copyOfRange(memory, offset, offset + size));
                }
                default -> {
                    if (op >= 0x5f && op <= 0x7f) {
                        int n = op - 0x5f;
                        push(stack, n == 0 ? BigInteger.ZERO : new BigInteger(1, Arrays.copyOfRange(code, pc + 1, pc + 1 + n)));
                        pc += n;
                    } else if (op >= 0x80 && op <= 0x8f) {
                        push(stack, stack.get(stack.size() - 1 - (op - 0x80)));
                    } else if (op >= 0x90 && op <= 0x9f) {
                        int top = stack.size() - 1, other = top - (op - 0x8f);
                        BigInteger t = stack.get(top);
                        stack.set(top, stack.get(other));
                        stack.set(other, t);
                    } else {
                        throw new UnsupportedOperationException(String.format(
                                "the reference interpreter does not model opcode 0x%02x (at pc %d)", op, pc));
                    }
                }
            }
            pc++;
        }
    }

    private int jumpTarget(BigInteger target) {
        int pc = target.intValueExact();
        if ((code[pc] & 0xff) != 0x5b) {
            throw new IllegalStateException("jump to " + pc + ", which is not a JUMPDEST");
        }
        return pc;
    }

    private static BigInteger pop(List<BigInteger> stack) {
        return stack.removeLast();
    }

    private static void push(List<BigInteger> stack, BigInteger value) {
        stack.add(value.mod(MOD));
    }

    private static BigInteger bool(boolean b) {
        return b ? BigInteger.ONE : BigInteger.ZERO;
    }

    private static BigInteger signed(BigInteger v) {
        return v.testBit(255) ? v.subtract(MOD) : v;
    }

    private static byte[] word(BigInteger value) {
        byte[] raw = value.toByteArray();
        byte[] word = new byte[32];
        int n = Math.min(raw.length, 32);
        System.arraycopy(raw, raw.length - n, word, 32 - n, n);
        return word;
    }

    private static byte[] grow(byte[] memory, int size) {
        int words = (size + 31) / 32;
        return memory.length >= words * 32 ? memory : Arrays.copyOf(memory, words * 32);
    }
}
