package dev.clearline.evm;

import java.math.BigInteger;
import java.util.Optional;

/** The checks a transaction must pass before it runs; each violation says how to fix the message. */
final class TransactionRules {
    private TransactionRules() {}

    static Optional<String> violation(Message m, BlockContext block, GethWorld world, long intrinsic, BigInteger gasCost) {
        long nonce = world.nonce(m.from());
        if (m.nonce().isPresent() && m.nonce().getAsLong() != nonce) {
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
        BigInteger balance = world.balance(m.from());
        if (balance.compareTo(needed) < 0) {
            return Optional.of("sender " + m.from() + " has " + balance + " wei but gas limit * gas price + value is "
                    + needed + " wei; fund the sender or lower the gas limit or value");
        }
        return Optional.empty();
    }
}
