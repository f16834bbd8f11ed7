package dev.clearline.conformance.stf;

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
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Solidity STF deployed in an embedded EVM: the three family step contracts and the
 * {@code StepVerifier} dispatcher in front of them.
 */
public final class StepHarness implements AutoCloseable {
    static final String[] CONTRACTS = {"PriorityStep", "AccountStep", "TradingStep", "StepVerifier"};
    private static final Address CALLER = Address.ofLong(0xC0FFEE);
    private static final BlockContext BLOCK = BlockContext.of(31337, 1, 1_700_000_000);
    static final long GAS = 30_000_000L;

    private final WorldState state = WorldState.inMemory();
    private final Evm evm = new Evm(state);
    private final Artifacts artifacts = Artifacts.onClasspath();
    private final Address verifier;
    private final Map<String, Address> deployed = new LinkedHashMap<>();

    public StepHarness() {
        state.setBalance(CALLER, BigInteger.TEN.pow(24));
        for (int i = 0; i < 3; i++) deployed.put(CONTRACTS[i], deploy(artifacts.load(CONTRACTS[i]).creationBytecode()));
        ByteBuffer init = ByteBuffer.allocate(artifacts.load("StepVerifier").creationBytecode().length + 96);
        init.put(artifacts.load("StepVerifier").creationBytecode());
        for (int i = 0; i < 3; i++) {
            byte[] w = new byte[32];
            System.arraycopy(deployed.get(CONTRACTS[i]).bytes(), 0, w, 12, 20);
            init.put(w);
        }
        verifier = deploy(init.array());
        deployed.put("StepVerifier", verifier);
    }

    private Address deploy(byte[] code) {
        return evm.transact(Message.create(CALLER, code).withGasLimit(GAS), BLOCK).contractAddress();
    }

    public Map<String, Address> deployed() {
        return deployed;
    }

    Address verifier() {
        return verifier;
    }

    public byte[] code(Address a) {
        return state.code(a);
    }

    /** What one step did in the EVM: a result, or a revert (with its decoded custom error), and the gas. */
    public record Outcome(StepCall.Result result, String revert, long gas) {
        public boolean reverted() {
            return result == null;
        }
    }

    public Outcome step(byte[] preRoot, byte[] transition, byte[] witness, long batchIndex, byte[] domainSeparator) {
        byte[] input = StepCall.encode(preRoot, transition, witness, batchIndex, domainSeparator);
        ExecutionResult r = evm.call(Message.call(CALLER, verifier, input).withGasLimit(GAS), BLOCK, ExecutionOptions.RAW);
        if (r.succeeded()) return new Outcome(StepCall.Result.decode(r.returnData()), null, r.gasUsed());
        return new Outcome(null, describe(r.failure().orElseThrow()), r.gasUsed());
    }

    /** A revert as {@code Name(args)} when it is one of the step contracts' custom errors. */
    String describe(Failure f) {
        if (f instanceof Failure.Reverted rev) return decodeRevert(rev.data());
        return "halted: " + f.message();
    }

    String decodeRevert(byte[] data) {
        for (String name : CONTRACTS) {
            ContractArtifact a = artifacts.load(name);
            var decoded = a.decodeError(data);
            if (decoded.isPresent()) return decoded.get().toString();
        }
        return "revert 0x" + java.util.HexFormat.of().formatHex(data);
    }

    @Override
    public void close() {
        state.close();
    }
}
