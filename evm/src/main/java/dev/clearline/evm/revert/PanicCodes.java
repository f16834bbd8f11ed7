package dev.clearline.evm.revert;

import java.math.BigInteger;

/** The meanings Solidity gives its {@code Panic(uint256)} codes. */
final class PanicCodes {
    private PanicCodes() {}

    static String meaning(BigInteger code) {
        if (code.bitLength() > 16) {
            return "unknown panic code";
        }
        return switch (code.intValue()) {
            case 0x00 -> "generic compiler-inserted panic";
            case 0x01 -> "assertion failed";
            case 0x11 -> "arithmetic overflow or underflow";
            case 0x12 -> "division or modulo by zero";
            case 0x21 -> "conversion to an out-of-range enum value";
            case 0x22 -> "incorrectly encoded storage byte array";
            case 0x31 -> "pop() on an empty array";
            case 0x32 -> "array index out of bounds";
            case 0x41 -> "out of memory (allocation too large)";
            case 0x51 -> "call to a zero-initialized internal function";
            default -> "unknown panic code";
        };
    }
}
