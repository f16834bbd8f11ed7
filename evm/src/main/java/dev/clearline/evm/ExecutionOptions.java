package dev.clearline.evm;

import java.util.Objects;

/**
 * How to run a message.
 *
 * @param rejectCallsWithoutCode when true, a call that carries input data to an address without
 *     code fails with {@link Failure.NoContract} and changes nothing (Ethereum itself lets such a
 *     call succeed silently, which hides wrong addresses)
 */
public record ExecutionOptions(Accounting accounting, boolean rejectCallsWithoutCode) {
    /** Transaction accounting, calls to code-less addresses rejected. */
    public static final ExecutionOptions DEFAULT = new ExecutionOptions(Accounting.TRANSACTION, true);
    /** Exactly what an Ethereum node does: transaction accounting, calls to code-less addresses succeed. */
    public static final ExecutionOptions ETHEREUM = new ExecutionOptions(Accounting.TRANSACTION, false);
    /** A bare EVM run: no nonce, intrinsic gas or fees; calls to code-less addresses rejected. */
    public static final ExecutionOptions RAW = new ExecutionOptions(Accounting.NONE, true);

    public ExecutionOptions {
        Objects.requireNonNull(accounting, "accounting");
    }
}
