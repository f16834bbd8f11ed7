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
 * @param senderChecked when true, the caller has already checked the message's nonce against the
 *     sender's and the sender's funds against gas limit * price + value (an L1 node's transaction
 *     pool does, at admission), so the run takes the message's nonce as the sender's and reads
 *     neither back: two native round trips less per transaction. A message without a nonce is
 *     still checked. Wrongly set, a transaction runs with a wrong nonce or without funds.
 */
public record ExecutionOptions(Accounting accounting, boolean rejectCallsWithoutCode, boolean collectLogs, boolean senderChecked) {
    /** Transaction accounting, calls to code-less addresses rejected. */
    public static final ExecutionOptions DEFAULT = new ExecutionOptions(Accounting.TRANSACTION, true);
    /** Exactly what an Ethereum node does: transaction accounting, calls to code-less addresses succeed. */
    public static final ExecutionOptions ETHEREUM = new ExecutionOptions(Accounting.TRANSACTION, false);
    /** A bare EVM run: no nonce, intrinsic gas or fees; calls to code-less addresses rejected. */
    public static final ExecutionOptions RAW = new ExecutionOptions(Accounting.NONE, true);

    public ExecutionOptions {
        Objects.requireNonNull(accounting, "accounting");
    }

    /** Options that check the sender themselves (see {@link #senderChecked()}). */
    public ExecutionOptions(Accounting accounting, boolean rejectCallsWithoutCode, boolean collectLogs) {
        this(accounting, rejectCallsWithoutCode, collectLogs, false);
    }

    /** These options, for a message whose nonce and funds the caller has already checked. */
    public ExecutionOptions withSenderChecked() {
        return new ExecutionOptions(accounting, rejectCallsWithoutCode, collectLogs, true);
    }

    /** Options that collect logs. */
    public ExecutionOptions(Accounting accounting, boolean rejectCallsWithoutCode) {
        this(accounting, rejectCallsWithoutCode, true);
    }

    /** These options, but without reading logs back (see {@link #collectLogs()}). */
    public ExecutionOptions withoutLogs() {
        return new ExecutionOptions(accounting, rejectCallsWithoutCode, false, senderChecked);
    }
}
