package dev.clearline.devnet.node;

import java.math.BigInteger;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * What the node knows, without asking the EVM, of the accounts that sent transactions: the exact
 * nonce and a lower bound on the balance at the head. Each EVM read is a native round trip that
 * cost as much as a tenth of a transfer; this works because the devnet is the only writer of its
 * state and an account without code loses wei only through its own transactions (at most
 * {@code gasLimit * price + value} each) and changes its nonce only through them. Whatever else
 * happens in a block can only add to its balance. Only valid for the head's state: the node
 * forgets everything when it moves the state anywhere else (evm_revert).
 */
final class KnownSenders {
    /** {@code minBalance} null: not known yet. */
    private record Known(BigInteger nonce, BigInteger minBalance) {}

    private final Map<String, Known> accounts = new HashMap<>();

    /** The sender's nonce at the head, read from {@code state} the first time. */
    BigInteger nonce(String sender, Function<String, BigInteger> state) {
        Known k = accounts.get(sender);
        if (k != null) return k.nonce();
        BigInteger n = state.apply(sender);
        accounts.put(sender, new Known(n, null));
        return n;
    }

    /** True when the sender is known to hold at least {@code wei}; false means "read it and see". */
    boolean surelyHolds(String sender, BigInteger wei) {
        Known k = accounts.get(sender);
        return k != null && k.minBalance() != null && k.minBalance().compareTo(wei) >= 0;
    }

    /** Records an exact balance read at the head for a sender whose nonce is known. */
    void sawBalance(String sender, BigInteger balance) {
        Known k = accounts.get(sender);
        if (k != null) accounts.put(sender, new Known(k.nonce(), balance));
    }

    /** A transaction of {@code sender} with {@code nonce} was mined and could have cost it up to {@code maxDebit}. */
    void mined(String sender, BigInteger nonce, BigInteger maxDebit) {
        Known k = accounts.get(sender);
        BigInteger bound = k == null || k.minBalance() == null ? null : k.minBalance().subtract(maxDebit);
        accounts.put(sender, new Known(nonce.add(BigInteger.ONE), bound == null || bound.signum() < 0 ? null : bound));
    }

    void forget() {
        accounts.clear();
    }
}
