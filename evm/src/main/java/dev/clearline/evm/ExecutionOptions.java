package dev.clearline.evm;

import java.util.Objects;

/**
 * How to run a message.
 *
 * @param rejectCallsWithoutCode when true, a call that carries input data to an address without
 *     code fails with {@link Failure.NoContract} and changes nothing (Ethereum itself lets such a
 *     call succeed silently, which hides wrong addresses)
 * @param collectLogs when false, the logs an execution emits are not read back from the backend and
 *     {@link ExecutionResult#logs()} is empty: one native round trip less per execution that ran code,
 *     for callers such as {@code eth_call} that only want the return data. The logs of a kept
 *     transaction are still part of its state changes.
 */
public record ExecutionOptions(Accounting accounting, boolean rejectCallsWithoutCode, boolean collectLogs) {
    /** Transaction accounting, calls to code-less addresses rejected. */
    public static final ExecutionOptions DEFAULT = new ExecutionOptions(Accounting.TRANSACTION, true);
    /** Exactly what an Ethereum node does: transaction accounting, calls to code-less addresses succeed. */
    public static final ExecutionOptions ETHEREUM = new ExecutionOptions(Accounting.TRANSACTION, false);
    /** A bare EVM run: no nonce, intrinsic gas or fees; calls to code-less addresses rejected. */
    public static final ExecutionOptions RAW = new ExecutionOptions(Accounting.NONE, true);

    public ExecutionOptions {
        Objects.requireNonNull(accounting, "accounting");
    }

    /** Options that collect logs. */
    public ExecutionOptions(Accounting accounting, boolean rejectCallsWithoutCode) {
        this(accounting, rejectCallsWithoutCode, true);
    }

    /** These options, but without reading logs back (see {@link #collectLogs()}). */
    public ExecutionOptions withoutLogs() {
        return new ExecutionOptions(accounting, rejectCallsWithoutCode, false);
    }
}
