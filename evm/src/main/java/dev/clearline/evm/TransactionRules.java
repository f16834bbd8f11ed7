package dev.clearline.evm;

import java.math.BigInteger;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Supplier;

/** The checks a transaction must pass before it runs; each violation says how to fix the message. */
final class TransactionRules {
    private TransactionRules() {}

    /**
     * @param senderNonce the sender's nonce; present whenever the message carries one
     * @param senderBalance read only when the message needs funds (every read is a native round trip)
     */
    static Optional<String> violation(Message m, BlockContext block, OptionalLong senderNonce, Supplier<BigInteger> senderBalance,
                                      long intrinsic, BigInteger gasCost) {
        if (m.nonce().isPresent() && m.nonce().getAsLong() != senderNonce.orElseThrow()) {
            long nonce = senderNonce.getAsLong();
            return Optional.of("nonce " + m.nonce().getAsLong() + " does not match the sender's nonce " + nonce
                    + "; send with nonce " + nonce);
        }
        if (m.gasLimit() < intrinsic) {
            return Optional.of("gas limit " + m.gasLimit() + " is below the intrinsic gas " + intrinsic
                    + " of this message; raise the gas limit");
        }
        if (m.gasLimit() > block.gasLimit()) {
            return Optional.of("gas limit " + m.gasLimit() + " exceeds the block gas limit " + block.gasLimit()
                    + "; lower it");
        }
        if (m.isCreate() && m.input().length > IntrinsicGas.MAX_INITCODE_SIZE) {
            return Optional.of("init code is " + m.input().length + " bytes, the limit is " + IntrinsicGas.MAX_INITCODE_SIZE
                    + " (EIP-3860); split the contract");
        }
        if (m.gasPrice().signum() > 0 && m.gasPrice().compareTo(block.baseFee()) < 0) {
            return Optional.of("gas price " + m.gasPrice() + " is below the block base fee " + block.baseFee()
                    + "; pay at least the base fee (or 0 for a free call)");
        }
        BigInteger needed = gasCost.add(m.value());
        if (needed.signum() == 0) {
            return Optional.empty();
        }
        BigInteger balance = senderBalance.get();
        if (balance.compareTo(needed) < 0) {
            return Optional.of("sender " + m.from() + " has " + balance + " wei but gas limit * gas price + value is "
                    + needed + " wei; fund the sender or lower the gas limit or value");
        }
        return Optional.empty();
    }
}
