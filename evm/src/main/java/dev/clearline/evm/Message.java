package dev.clearline.evm;

import java.math.BigInteger;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What to execute: a call of {@code to}, or a contract creation when {@code to} is empty (then
 * {@code input} is the init code).
 *
 * @param gasPrice the effective price per gas (for EIP-1559 transactions the caller computes
 *     {@code min(maxFee, baseFee + tip)}); zero executes for free, as {@code eth_call} does
 * @param nonce when present, {@link Accounting#TRANSACTION} rejects the message unless it equals
 *     the sender's nonce
 */
public record Message(
        Address from,
        Optional<Address> to,
        BigInteger value,
        byte[] input,
        long gasLimit,
        BigInteger gasPrice,
        OptionalLong nonce) {

    public static final long DEFAULT_GAS = 10_000_000L;

    public Message {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to (Optional.empty() for a contract creation)");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(input, "input (an empty array for none)");
        Objects.requireNonNull(gasPrice, "gasPrice");
        Objects.requireNonNull(nonce, "nonce");
        if (value.signum() < 0 || value.bitLength() > 256) {
            throw new IllegalArgumentException("value must be an unsigned 256-bit amount of wei, got " + value);
        }
        if (gasPrice.signum() < 0) {
            throw new IllegalArgumentException("gas price must be >= 0, got " + gasPrice);
        }
        if (gasLimit <= 0) {
            throw new IllegalArgumentException("gas limit must be positive, got " + gasLimit);
        }
        input = input.clone();
    }

    /** A call of {@code to} with {@code input}, no value, {@value #DEFAULT_GAS} gas, free. */
    public static Message call(Address from, Address to, byte[] input) {
        return new Message(from, Optional.of(to), BigInteger.ZERO, input, DEFAULT_GAS, BigInteger.ZERO, OptionalLong.empty());
    }

    /** A contract creation running {@code initCode}, no value, {@value #DEFAULT_GAS} gas, free. */
    public static Message create(Address from, byte[] initCode) {
        return new Message(from, Optional.empty(), BigInteger.ZERO, initCode, DEFAULT_GAS, BigInteger.ZERO, OptionalLong.empty());
    }

    /** A plain value transfer. */
    public static Message transfer(Address from, Address to, BigInteger wei) {
        return call(from, to, new byte[0]).withValue(wei);
    }

    public boolean isCreate() {
        return to.isEmpty();
    }

    /** Whether the message carries input data (without copying it, as {@link #input()} does). */
    public boolean hasInput() {
        return input.length > 0;
    }

    @Override
    public byte[] input() {
        return input.clone();
    }

    public Message withValue(BigInteger v) {
        return new Message(from, to, v, input, gasLimit, gasPrice, nonce);
    }

    public Message withGasLimit(long g) {
        return new Message(from, to, value, input, g, gasPrice, nonce);
    }

    public Message withGasPrice(BigInteger p) {
        return new Message(from, to, value, input, gasLimit, p, nonce);
    }

    public Message withNonce(long n) {
        return new Message(from, to, value, input, gasLimit, gasPrice, OptionalLong.of(n));
    }

    @Override
    public String toString() {
        return "Message[from=" + from + ", to=" + to.map(Address::toHex).orElse("(create)") + ", value=" + value
                + ", input=" + Hex.abbreviate(Hex.encode(input)) + ", gasLimit=" + gasLimit + ", gasPrice=" + gasPrice
                + ", nonce=" + nonce + "]";
    }
}
