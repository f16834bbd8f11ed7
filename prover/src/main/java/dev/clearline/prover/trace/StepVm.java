package dev.clearline.prover.trace;

import dev.clearline.contracts.Artifacts;
import dev.clearline.contracts.ContractArtifact;
import dev.clearline.evm.Address;
import dev.clearline.evm.BlockContext;
import dev.clearline.evm.Evm;
import dev.clearline.evm.ExecutionOptions;
import dev.clearline.evm.ExecutionResult;
import dev.clearline.evm.Failure;
import dev.clearline.evm.Message;
import dev.clearline.evm.WorldState;
import dev.clearline.evm.trace.CallFrame;
import dev.clearline.evm.trace.StructTrace;
import dev.clearline.evm.trace.TraceRequest;
import dev.clearline.evm.trace.Traced;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The one-step verifier as L1 runs it, in the embedded EVM (go-ethereum via libevm): the three
 * step families and the {@code StepVerifier} dispatcher in front of them, deployed from the
 * project's compiled artifacts. {@link #step} runs one {@code step} call as the dispute game would
 * (the challenger sees its verdict before paying to send it); {@link #trace} replays one under
 * geth's struct logger and its call tracer, so the trace is the EVM's own record, not a model of it.
 * The one replay of the one-step verifier in the prover: watching, tracing and reporting share it.
 */
public final class StepVm implements AutoCloseable {
    static final String[] FAMILIES = {"PriorityStep", "AccountStep", "TradingStep"};
    static final Address CALLER = Address.ofLong(0xC1EA711E);
    static final long GAS = 30_000_000L;

    private final WorldState state = WorldState.inMemory();
    private final Evm evm = new Evm(state);
    private final Artifacts artifacts;
    private final BlockContext block;
    private final Map<Address, String> names = new LinkedHashMap<>();
    private final Address verifier;

    /** Deploys the built step contracts on a chain with {@code chainId}. */
    public StepVm(long chainId) {
        this(chainId, Artifacts.onClasspath());
    }

    /** Deploys the step contracts of {@code artifacts} (the built ones, or a test's variant of them) on a chain with {@code chainId}. */
    public StepVm(long chainId, Artifacts artifacts) {
        this.artifacts = artifacts;
        block = BlockContext.of(chainId, 1, 1_700_000_000);
        state.setBalance(CALLER, BigInteger.TEN.pow(24));
        ByteBuffer args = ByteBuffer.allocate(96);
        for (String family : FAMILIES) {
            Address a = deploy(artifacts.load(family).creationBytecode());
            names.put(a, family);
            args.put(new byte[12]).put(a.bytes());
        }
        byte[] code = artifacts.load("StepVerifier").creationBytecode();
        verifier = deploy(ByteBuffer.allocate(code.length + 96).put(code).put(args.array()).array());
        names.put(verifier, "StepVerifier");
    }

    private Address deploy(byte[] init) {
        return evm.transact(Message.create(CALLER, init).withGasLimit(GAS), block).contractAddress();
    }

    /** Contract names by address: the verifier and its families. */
    public Map<Address, String> contracts() {
        return Map.copyOf(names);
    }

    public Address verifier() {
        return verifier;
    }

    /** One traced step call: its outcome (result or revert), gas, call tree and opcode steps. */
    public record Run(Optional<StepCallAbi.Result> result, Optional<String> revert, long gasUsed, byte[] input, CallFrame calls,
                      StructTrace steps) {}

    /** What one untraced step call returned, or why it reverted, and the gas it used. */
    public record Outcome(Optional<StepCallAbi.Result> result, Optional<String> revert, long gasUsed) {
        public boolean reverted() {
            return revert.isPresent();
        }

        @Override
        public String toString() {
            return revert.map(r -> "revert " + r)
                    .orElseGet(() -> "reject=" + result.orElseThrow().reject() + " postRoot=0x" + HexFormat.of().formatHex(result.orElseThrow().postRoot()));
        }
    }

    /** One step call, untraced: what {@code IStepVerifier.step} returns on L1 for these inputs. */
    public Outcome step(byte[] preRoot, byte[] transition, byte[] witness, long batchIndex, byte[] domainSeparator) {
        byte[] input = StepCallAbi.encode(preRoot, transition, witness, batchIndex, domainSeparator);
        ExecutionResult r = evm.call(Message.call(CALLER, verifier, input).withGasLimit(GAS), block, ExecutionOptions.RAW);
        if (!r.succeeded()) return new Outcome(Optional.empty(), Optional.of(describe(r.failure().orElseThrow())), r.gasUsed());
        try {
            return new Outcome(Optional.of(StepCallAbi.Result.decode(r.returnData())), Optional.empty(), r.gasUsed());
        } catch (IllegalArgumentException e) {
            return new Outcome(Optional.empty(), Optional.of(e.getMessage()), r.gasUsed());
        }
    }

    public Run trace(byte[] preRoot, byte[] transition, byte[] witness, long batchIndex, byte[] domainSeparator) {
        byte[] input = StepCallAbi.encode(preRoot, transition, witness, batchIndex, domainSeparator);
        Message m = Message.call(CALLER, verifier, input).withGasLimit(GAS);
        Traced<CallFrame> tree = evm.trace(m, block, ExecutionOptions.RAW, TraceRequest.callTree(), false);
        Traced<StructTrace> steps = evm.trace(m, block, ExecutionOptions.RAW, TraceRequest.steps(), false);
        ExecutionResult r = steps.result();
        if (r.succeeded()) {
            return new Run(Optional.of(StepCallAbi.Result.decode(r.returnData())), Optional.empty(), r.gasUsed(), input,
                    tree.trace(), steps.trace());
        }
        return new Run(Optional.empty(), Optional.of(describe(r.failure().orElseThrow())), r.gasUsed(), input, tree.trace(), steps.trace());
    }

    /** A revert as {@code Name(args)} when it is one of the step contracts' custom errors. */
    private String describe(Failure f) {
        if (!(f instanceof Failure.Reverted rev)) return "halted: " + f.message();
        return describeRevert(rev.data()).orElse(f.message());
    }

    /**
     * Revert data as {@code Name(args)} when it is one of the step contracts' custom errors, from
     * whichever EVM ran the step (the conformance tests decode Hardhat's reverts with it too).
     */
    public Optional<String> describeRevert(byte[] data) {
        for (String name : new String[] {"StepVerifier", "PriorityStep", "AccountStep", "TradingStep"}) {
            ContractArtifact a = artifacts.load(name);
            var decoded = a.decodeError(data);
            if (decoded.isPresent()) return Optional.of(decoded.get().toString());
        }
        return Optional.empty();
    }

    /** The deployed code at {@code a} (empty when none). */
    public byte[] code(Address a) {
        return state.code(a);
    }

    @Override
    public void close() {
        state.close();
    }
}
