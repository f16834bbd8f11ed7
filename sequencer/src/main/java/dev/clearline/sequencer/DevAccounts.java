package dev.clearline.sequencer;

import dev.clearline.engine.order.Signer;

import java.math.BigInteger;

/**
 * Well-known development keys (never use them for value): the dev oracle and numbered traders.
 * The same keys as the sequencer's tests, so a test can trade against a node started with
 * {@code --dev-setup}.
 */
public final class DevAccounts {
    private DevAccounts() {}

    public static Signer trader(int i) {
        return new Signer(traderKey(i));
    }

    /** Dev trader {@code i}'s private key as the CLI's {@code --key} takes it (0x and 64 hex digits). */
    public static String traderKeyHex(int i) {
        return "0x" + String.format("%064x", traderKey(i));
    }

    private static BigInteger traderKey(int i) {
        return BigInteger.valueOf(1_000_003L * (i + 1));
    }

    public static Signer oracle() {
        return trader(999);
    }
}
