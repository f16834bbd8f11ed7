package dev.clearline.evm;

/** Gas a transaction pays before any code runs (Shanghai rules, no access list). */
final class IntrinsicGas {
    static final long TX = 21_000;
    static final long CREATE = 32_000;
    static final long ZERO_BYTE = 4;
    static final long NONZERO_BYTE = 16;
    static final long INITCODE_WORD = 2; // EIP-3860
    static final int MAX_INITCODE_SIZE = 49_152; // EIP-3860

    private IntrinsicGas() {}

    static long of(Message message) {
        byte[] input = message.input();
        long gas = TX;
        for (byte b : input) {
            gas += b == 0 ? ZERO_BYTE : NONZERO_BYTE;
        }
        if (message.isCreate()) {
            gas += CREATE + INITCODE_WORD * ((input.length + 31L) / 32);
        }
        return gas;
    }
}
