package dev.clearline.evm;

/** Thrown by {@link ExecutionResult#orThrow()} for callers that treat a failed execution as a bug. */
public final class ExecutionFailedException extends RuntimeException {
    private final transient Failure failure;

    public ExecutionFailedException(Failure failure) {
        super(failure.message());
        this.failure = failure;
    }

    public Failure failure() {
        return failure;
    }
}
