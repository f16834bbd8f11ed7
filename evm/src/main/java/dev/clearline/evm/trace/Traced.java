package dev.clearline.evm.trace;

import dev.clearline.evm.ExecutionResult;

/**
 * An execution's result together with its trace.
 *
 * @param trace null when the message was rejected before the EVM ran ({@code result().failure()}
 *     is then {@code Failure.Invalid} or {@code Failure.NoContract}): there was nothing to trace
 */
public record Traced<T extends Trace>(ExecutionResult result, T trace) {}
