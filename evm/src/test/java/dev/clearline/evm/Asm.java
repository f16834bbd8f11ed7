package dev.clearline.evm;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.util.Map;

/** A tiny EVM assembler for tests: opcodes by name, PUSHes sized to their operand. */
public final class Asm {
    private static final Map<String, Integer> OPS = Map.ofEntries(
            Map.entry("STOP", 0x00), Map.entry("ADD", 0x01), Map.entry("MUL", 0x02), Map.entry("SUB", 0x03),
            Map.entry("DIV", 0x04), Map.entry("LT", 0x10), Map.entry("EQ", 0x14), Map.entry("ISZERO", 0x15),
            Map.entry("ADDRESS", 0x30), Map.entry("BALANCE", 0x31), Map.entry("CALLER", 0x33), Map.entry("CALLVALUE", 0x34),
            Map.entry("CALLDATALOAD", 0x35), Map.entry("CALLDATASIZE", 0x36), Map.entry("CODECOPY", 0x39),
            Map.entry("RETURNDATASIZE", 0x3d), Map.entry("RETURNDATACOPY", 0x3e),
            Map.entry("BLOCKHASH", 0x40), Map.entry("COINBASE", 0x41), Map.entry("TIMESTAMP", 0x42),
            Map.entry("NUMBER", 0x43), Map.entry("PREVRANDAO", 0x44), Map.entry("GASLIMIT", 0x45),
            Map.entry("CHAINID", 0x46), Map.entry("SELFBALANCE", 0x47), Map.entry("BASEFEE", 0x48),
            Map.entry("POP", 0x50), Map.entry("MLOAD", 0x51), Map.entry("MSTORE", 0x52), Map.entry("SLOAD", 0x54),
            Map.entry("SSTORE", 0x55), Map.entry("JUMP", 0x56), Map.entry("JUMPI", 0x57), Map.entry("GAS", 0x5a),
            Map.entry("JUMPDEST", 0x5b), Map.entry("PUSH0", 0x5f), Map.entry("DUP1", 0x80), Map.entry("SWAP1", 0x90),
            Map.entry("LOG0", 0xa0), Map.entry("LOG1", 0xa1), Map.entry("LOG2", 0xa2),
            Map.entry("CREATE", 0xf0), Map.entry("CALL", 0xf1), Map.entry("RETURN", 0xf3),
            Map.entry("STATICCALL", 0xfa), Map.entry("REVERT", 0xfd), Map.entry("INVALID", 0xfe));

    private final ByteArrayOutputStream code = new ByteArrayOutputStream();

    public static Asm code() {
        return new Asm();
    }

    /** Opcodes by name, e.g. {@code op("MSTORE", "STOP")}. */
    public Asm op(String... names) {
        for (String name : names) {
            Integer opcode = OPS.get(name);
            if (opcode == null) {
                throw new IllegalArgumentException("the test assembler does not know " + name);
            }
            code.write(opcode);
        }
        return this;
    }

    /** The smallest PUSHn of {@code value}. */
    public Asm push(BigInteger value) {
        byte[] raw = value.toByteArray();
        int start = raw.length > 1 && raw[0] == 0 ? 1 : 0;
        int length = raw.length - start;
        code.write(0x5f + length);
        code.write(raw, start, length);
        return this;
    }

    public Asm push(long value) {
        return push(BigInteger.valueOf(value));
    }

    public Asm push(Address address) {
        code.write(0x5f + 20);
        code.writeBytes(address.bytes());
        return this;
    }

    public Asm push32(byte[] word) {
        code.write(0x7f);
        code.writeBytes(word);
        return this;
    }

    /** Returns the 32-byte word on top of the stack. */
    public Asm returnTop() {
        return push(0).op("MSTORE").push(32).push(0).op("RETURN");
    }

    public Asm raw(byte[] bytes) {
        code.writeBytes(bytes);
        return this;
    }

    public int size() {
        return code.size();
    }

    public byte[] bytes() {
        return code.toByteArray();
    }

    /** Init code that deploys {@code runtime} unchanged. */
    public static byte[] deployer(byte[] runtime) {
        return withTrailingData(runtime, true);
    }

    /** Code that reverts with {@code data} (copied from its own tail). */
    public static byte[] reverting(byte[] data) {
        return withTrailingData(data, false);
    }

    private static byte[] withTrailingData(byte[] data, boolean returnIt) {
        // PUSH2 len, PUSH2 offset, PUSH1 0, CODECOPY, PUSH2 len, PUSH1 0, RETURN|REVERT: 15 bytes.
        int prefix = 15;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x61); out.write(data.length >> 8); out.write(data.length);
        out.write(0x61); out.write(prefix >> 8); out.write(prefix);
        out.write(0x60); out.write(0);
        out.write(0x39);
        out.write(0x61); out.write(data.length >> 8); out.write(data.length);
        out.write(0x60); out.write(0);
        out.write(returnIt ? 0xf3 : 0xfd);
        if (out.size() != prefix) {
            throw new IllegalStateException("prefix size drifted");
        }
        out.writeBytes(data);
        return out.toByteArray();
    }
}
