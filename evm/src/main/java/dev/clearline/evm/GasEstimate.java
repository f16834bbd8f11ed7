package dev.clearline.evm;

/**
 * A gas limit found by binary search: the smallest limit at which the message succeeds.
 *
 * @param gasLimit the limit to send with the message; meaningful only if {@link #succeeded()}
 * @param execution the run at {@code gasLimit}, or the failing run at the highest limit tried
 */
public record GasEstimate(long gasLimit, ExecutionResult execution) {
    public boolean succeeded() {
        return execution.succeeded();
    }
}
