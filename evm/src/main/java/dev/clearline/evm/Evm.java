package dev.clearline.evm;

import dev.clearline.evm.revert.Revert;
import dev.clearline.evm.revert.RevertDecoder;
import dev.clearline.evm.trace.CallFrame;
import dev.clearline.evm.trace.Trace;
import dev.clearline.evm.trace.TraceRequest;
import dev.clearline.evm.trace.Traced;
import java.math.BigInteger;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Runs messages against a {@link WorldState} with go-ethereum's EVM (Shanghai rules).
 *
 * <pre>{@code
 * try (WorldState state = WorldState.inMemory()) {
 *     Evm evm = new Evm(state);
 *     state.setBalance(alice, BigInteger.TEN.pow(18));
 *     BlockContext block = BlockContext.of(31337, 1, 1_700_000_000);
 *     Address token = evm.transact(Message.create(alice, initCode), block).contractAddress();
 *     ExecutionResult r = evm.call(Message.call(alice, token, calldata), block);
 *     if (r.failure().orElse(null) instanceof Failure.Reverted rev) System.out.println(rev.reason().describe());
 * }
 * }</pre>
 *
 * <ul>
 *   <li>{@link #call} runs and discards every state change (like {@code eth_call});
 *       {@link #transact} keeps them (like a mined transaction).
 *   <li>{@link ExecutionOptions} choose the {@link Accounting}: {@code TRANSACTION} (default) bumps
 *       the nonce, charges intrinsic gas and fees and applies refunds; {@code NONE} runs the bare
 *       message so that a caller such as an L1 node can do its own nonce and fee handling.
 *   <li>Failures are values ({@link Failure}): a revert comes decoded ({@code Error(string)},
 *       {@code Panic(uint256)}, custom errors registered with {@link #revertDecoder()}); a call with
 *       data to an address without code and an invalid transaction change nothing. A failed creation
 *       leaves no account behind.
 *   <li>{@link #estimateGas} binary-searches the smallest sufficient gas limit.
 *   <li>{@link #trace} records opcode steps or the call tree (geth's JSON shapes).
 * </ul>
 *
 * Not thread-safe. The backend's types never leave this package.
 */
public final class Evm {
    /** Gas a value-carrying CALL hands its callee on top of what it forwards; part of the estimate's headroom. */
    private static final long CALL_STIPEND = 2_300;

    private final WorldState state;
    private final RevertDecoder revertDecoder;

    public Evm(WorldState state) {
        this(state, new RevertDecoder());
    }

    public Evm(WorldState state, RevertDecoder revertDecoder) {
        this.state = Objects.requireNonNull(state, "state");
        this.revertDecoder = Objects.requireNonNull(revertDecoder, "revertDecoder");
    }

    public WorldState state() {
        return state;
    }

    /** The decoder used for revert reasons; register custom error signatures or ABIs on it. */
    public RevertDecoder revertDecoder() {
        return revertDecoder;
    }

    /** Runs {@code message} with {@link ExecutionOptions#DEFAULT} and discards its state changes. */
    public ExecutionResult call(Message message, BlockContext block) {
        return call(message, block, ExecutionOptions.DEFAULT);
    }

    public ExecutionResult call(Message message, BlockContext block, ExecutionOptions options) {
        return execute(message, block, options, Optional.empty(), false).result();
    }

    /** Runs {@code message} with {@link ExecutionOptions#DEFAULT} and keeps its state changes. */
    public ExecutionResult transact(Message message, BlockContext block) {
        return transact(message, block, ExecutionOptions.DEFAULT);
    }

    public ExecutionResult transact(Message message, BlockContext block, ExecutionOptions options) {
        return execute(message, block, options, Optional.empty(), true).result();
    }

    /**
     * Runs {@code message} under a tracer. {@code keepChanges} decides between
     * {@code debug_traceCall} (false) and replaying a transaction for real (true).
     */
    public <T extends Trace> Traced<T> trace(Message message, BlockContext block, ExecutionOptions options,
                                             TraceRequest<T> request, boolean keepChanges) {
        Execution execution = execute(message, block, options, Optional.of(request), keepChanges);
        if (execution.traceJson().isEmpty()) {
            // Rejected before the EVM ran (invalid transaction, no contract): there is nothing to trace.
            return new Traced<>(execution.result(), null);
        }
        T trace = request.parse(execution.traceJson().get());
        if (trace instanceof CallFrame frame) {
            @SuppressWarnings("unchecked")
            T withReasons = (T) frame.withRevertReasons(this::errorMessage);
            trace = withReasons;
        }
        return new Traced<>(execution.result(), trace);
    }

    /**
     * The smallest gas limit at which {@code message} succeeds, with state untouched. The search
     * goes up to the block gas limit, or, for a priced message, to what the sender can pay for. A
     * message that fails even at that cap comes back with that failure.
     */
    public GasEstimate estimateGas(Message message, BlockContext block, ExecutionOptions options) {
        long cap = gasCap(message, block, options);
        ExecutionResult atCap = call(message.withGasLimit(cap), block, options);
        if (!atCap.succeeded()) {
            return new GasEstimate(cap, atCap);
        }
        // gasUsed is net of refunds and 63/64 retention, so it can be too low; search between it and the cap.
        long low = Math.max(0, atCap.gasUsed() + atCap.gasRefunded() - 1);
        long high = cap;
        ExecutionResult best = atCap;
        // Each probe is a full execution, so before bisecting a range of millions, probe the gross gas
        // used (enough unless a call kept 1/64 back) and then geth's 64/63 headroom over it.
        for (long guess : new long[] {low + 1, Math.min(cap, (low + 1 + CALL_STIPEND) * 64 / 63)}) {
            if (guess <= low || guess >= high) {
                continue;
            }
            ExecutionResult attempt = call(message.withGasLimit(guess), block, options);
            if (attempt.succeeded()) {
                high = guess;
                best = attempt;
                break;
            }
            low = guess;
        }
        while (high - low > 1) {
            long mid = low + (high - low) / 2;
            ExecutionResult attempt = call(message.withGasLimit(mid), block, options);
            if (attempt.succeeded()) {
                high = mid;
                best = attempt;
            } else {
                low = mid;
            }
        }
        return new GasEstimate(high, best);
    }

    private long gasCap(Message message, BlockContext block, ExecutionOptions options) {
        long cap = block.gasLimit();
        if (options.accounting() == Accounting.TRANSACTION && message.gasPrice().signum() > 0) {
            BigInteger spendable = state.balance(message.from()).subtract(message.value()).max(BigInteger.ZERO);
            BigInteger affordable = spendable.divide(message.gasPrice());
            if (affordable.compareTo(BigInteger.valueOf(cap)) < 0) {
                cap = Math.max(1, affordable.longValue());
            }
        }
        return cap;
    }

    public GasEstimate estimateGas(Message message, BlockContext block) {
        return estimateGas(message, block, ExecutionOptions.DEFAULT);
    }

    private Optional<String> errorMessage(byte[] revertData) {
        return revertDecoder.decode(revertData) instanceof Revert.ErrorMessage m ? Optional.of(m.message()) : Optional.empty();
    }

    /** An execution's result and, if a tracer ran, its raw geth JSON. */
    private record Execution(ExecutionResult result, Optional<String> traceJson) {}

    /*
     * Every backend read or write is a native round trip of several microseconds (libevm passes JSON
     * over JNA), far more than a small contract's execution, so this method crosses only when the
     * outcome depends on it: it reads the nonce only to check or bump it, the balance only when the
     * message needs funds, takes a journal snapshot only when the changes will be discarded, and a call
     * (whose changes are discarded anyway) learns from the run itself whether its target has code.
     */
    private Execution execute(Message message, BlockContext block, ExecutionOptions options,
                              Optional<TraceRequest<?>> trace, boolean keepChanges) {
        GethWorld world = state.live();
        boolean charged = options.accounting() == Accounting.TRANSACTION;
        long intrinsic = charged ? IntrinsicGas.of(message) : 0;
        Address from = message.from();
        Optional<Address> codeRequiredAt = message.to().filter(to -> options.rejectCallsWithoutCode() && message.hasInput());
        // A precompile runs without code, so only an upfront look tells it apart from a code-less address.
        boolean checkCodeFirst = keepChanges || codeRequiredAt.map(Address::isPrecompile).orElse(false);
        if (checkCodeFirst && codeRequiredAt.isPresent() && !world.hasCode(codeRequiredAt.get())) {  // 1. check
            return new Execution(ExecutionResult.rejected(new Failure.NoContract(codeRequiredAt.get())), Optional.empty());
        }
        // libevm's CREATE takes the address from nonce - 1 and expects the bump done; a kept transaction
        // bumps it too. A discarded call's bump could not be observed, so it is skipped.
        boolean bumpsNonce = message.isCreate() || (charged && keepChanges);
        boolean trusted = charged && options.senderChecked() && message.nonce().isPresent();
        OptionalLong nonce = trusted ? message.nonce()
                : bumpsNonce || (charged && message.nonce().isPresent()) ? OptionalLong.of(world.nonce(from)) : OptionalLong.empty();
        Optional<String> violation = charged
                ? TransactionRules.violation(message, block, nonce,
                        trusted ? () -> gasCost(message).add(message.value()) : () -> world.balance(from), intrinsic, gasCost(message))
                : valueViolation(message, world);
        if (violation.isPresent()) {
            Failure failure = codeRequiredAt.isPresent() && !world.hasCode(codeRequiredAt.get())
                    ? new Failure.NoContract(codeRequiredAt.get()) : new Failure.Invalid(violation.get());
            return new Execution(ExecutionResult.rejected(failure), Optional.empty());
        }
        // Every execution ends in a journal revert or a finalise, so the refund counter starts at zero.
        int journal = keepChanges ? -1 : world.journalSnapshot();
        world.prepareAccess(from, message.to(), block.coinbase());                                // 2. prepare
        if (bumpsNonce) {
            world.setNonce(from, nonce.getAsLong() + 1);
        }
        boolean priced = charged && message.gasPrice().signum() > 0;
        if (priced) {
            world.subBalance(from, gasCost(message));                                             // 3. buy gas
        }
        GethWorld.Run run = world.run(from, message.to(), message.value(), message.input(),      // 4. run
                new GasBudget(message.gasLimit(), intrinsic, charged), message.gasPrice(), block, trace, options.collectLogs());
        if (!checkCodeFirst && codeRequiredAt.isPresent() && calledNoCode(run) && !world.hasCode(codeRequiredAt.get())) {
            world.journalRevert(journal);
            return new Execution(ExecutionResult.rejected(new Failure.NoContract(codeRequiredAt.get())), Optional.empty());
        }
        if (!charged && message.isCreate() && keepChanges) {
            world.setNonce(from, nonce.getAsLong());
        }
        if (priced) {
            settleFees(world, message, block, run.gas().gasUsed());                               // 5. settle
        }
        ExecutionResult result = new ExecutionResult(run.gas().gasUsed(), run.gas().refunded(), run.returnData(),
                run.created(), run.logs(), failureOf(run));
        if (keepChanges) {
            world.finishTransaction();
        } else {
            world.journalRevert(journal);
        }
        return new Execution(result, run.traceJson());
    }

    /** A successful run that spent no execution gas and returned nothing: what calling an address without code looks like. */
    private static boolean calledNoCode(GethWorld.Run run) {
        return run.error().isEmpty() && !run.executed() && run.returnData().length == 0;
    }

    private static Optional<String> valueViolation(Message message, GethWorld world) {
        if (message.value().signum() == 0) {
            return Optional.empty();
        }
        BigInteger balance = world.balance(message.from());
        if (message.value().compareTo(balance) > 0) {
            return Optional.of("sender " + message.from() + " has " + balance
                    + " wei, the message sends " + message.value() + "; fund the sender first");
        }
        return Optional.empty();
    }

    private static BigInteger gasCost(Message message) {
        return message.gasPrice().multiply(BigInteger.valueOf(message.gasLimit()));
    }

    /** Returns unused gas to the sender and pays the tip above the base fee to the coinbase; the base fee burns. */
    private static void settleFees(GethWorld world, Message message, BlockContext block, long gasUsed) {
        BigInteger unused = BigInteger.valueOf(message.gasLimit() - gasUsed);
        if (unused.signum() > 0) {
            world.addBalance(message.from(), unused.multiply(message.gasPrice()));
        }
        BigInteger tip = message.gasPrice().subtract(block.baseFee());
        if (tip.signum() > 0 && gasUsed > 0) {
            world.addBalance(block.coinbase(), tip.multiply(BigInteger.valueOf(gasUsed)));
        }
    }

    private Optional<Failure> failureOf(GethWorld.Run run) {
        if (run.error().isEmpty()) {
            return Optional.empty();
        }
        if (run.reverted()) {
            return Optional.of(new Failure.Reverted(revertDecoder.decode(run.returnData()), run.returnData()));
        }
        return Optional.of(new Failure.Halted(run.error()));
    }
}
