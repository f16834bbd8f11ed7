package dev.clearline.evm;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of running a message.
 *
 * @param gasUsed gas charged: with {@link Accounting#TRANSACTION} it includes intrinsic gas and is net
 *     of the refund, as a receipt shows it; with {@link Accounting#NONE} it is execution gas only
 * @param gasRefunded the refund granted (already subtracted from {@code gasUsed})
 * @param returnData what the call returned, or the revert data; empty for a creation
 * @param createdAddress the new contract of a successful creation
 * @param logs events emitted, in order; empty unless the execution succeeded
 * @param failure why it failed; empty on success
 */
public record ExecutionResult(
        long gasUsed,
        long gasRefunded,
        byte[] returnData,
        Optional<Address> createdAddress,
        List<Log> logs,
        Optional<Failure> failure) {

    public ExecutionResult {
        Objects.requireNonNull(createdAddress, "createdAddress");
        Objects.requireNonNull(failure, "failure");
        returnData = returnData.clone();
        logs = List.copyOf(logs);
    }

    static ExecutionResult rejected(Failure failure) {
        return new ExecutionResult(0, 0, new byte[0], Optional.empty(), List.of(), Optional.of(failure));
    }

    public boolean succeeded() {
        return failure.isEmpty();
    }

    @Override
    public byte[] returnData() {
        return returnData.clone();
    }

    /** This result if it succeeded. */
    public ExecutionResult orThrow() {
        failure.ifPresent(f -> {
            throw new ExecutionFailedException(f);
        });
        return this;
    }

    /** The created contract's address, or an exception that carries the failure's message. */
    public Address contractAddress() {
        orThrow();
        return createdAddress.orElseThrow(() -> new IllegalStateException(
                "this execution was a call, not a contract creation; use Message.create to deploy"));
    }

    @Override
    public String toString() {
        return "ExecutionResult[" + failure.map(Failure::message).orElse("success") + ", gasUsed=" + gasUsed
                + ", returnData=" + Hex.abbreviate(Hex.encode(returnData))
                + createdAddress.map(a -> ", created=" + a).orElse("") + ", logs=" + logs.size() + "]";
    }
}
