package dev.clearline.prover.dispute;

import dev.clearline.contracts.Artifacts;
import dev.clearline.engine.abi.Keccak;
import dev.clearline.evm.Address;
import dev.clearline.evm.BlockContext;
import dev.clearline.evm.Evm;
import dev.clearline.evm.ExecutionOptions;
import dev.clearline.evm.ExecutionResult;
import dev.clearline.evm.Message;
import dev.clearline.evm.WorldState;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The Solidity one-step verifier (the three step families behind {@code StepVerifier}) deployed
 * in the embedded EVM, so a challenger sees the verdict of its one-step proof before it pays to
 * send it: the same bytecode the dispute game calls on L1.
 */
public final class OneStepReplay implements AutoCloseable {
    private static final byte[] SELECTOR = Arrays.copyOf(
            Keccak.hash("step(bytes32,bytes,bytes,(uint64,bytes32))".getBytes(StandardCharsets.US_ASCII)), 4);
    private static final Address CALLER = Address.ofLong(0x0e5e7);
    private static final BlockContext BLOCK = BlockContext.of(1, 1, 1_700_000_000);
    private static final long GAS = 30_000_000L;

    private final WorldState state = WorldState.inMemory();
    private final Evm evm = new Evm(state);
    private final Address verifier;
    private final java.util.List<dev.clearline.contracts.ContractArtifact> stepContracts = new java.util.ArrayList<>();

    public OneStepReplay() {
        Artifacts artifacts = Artifacts.onClasspath();
        state.setBalance(CALLER, BigInteger.TEN.pow(24));
        Address[] families = new Address[3];
        String[] names = {"PriorityStep", "AccountStep", "TradingStep"};
        for (int i = 0; i < 3; i++) {
            stepContracts.add(artifacts.load(names[i]));
            families[i] = deploy(stepContracts.getLast().creationBytecode());
        }
        byte[] code = artifacts.load("StepVerifier").creationBytecode();
        ByteBuffer init = ByteBuffer.allocate(code.length + 96).put(code);
        for (Address a : families) init.put(new byte[12]).put(a.bytes());
        verifier = deploy(init.array());
    }

    private Address deploy(byte[] init) {
        return evm.transact(Message.create(CALLER, init).withGasLimit(GAS), BLOCK).contractAddress();
    }

    /** What {@code IStepVerifier.step} returned, or why it reverted, and the gas it used. */
    public record StepResult(byte[] postRoot, int reject, boolean priorityConsumed, long priorityIndex, byte[] priorityHash,
                             String revert, long gas) {
        public boolean reverted() {
            return revert != null;
        }

        @Override
        public String toString() {
            return reverted() ? "revert " + revert : "reject=" + reject + " postRoot=0x" + HexFormat.of().formatHex(postRoot);
        }
    }

    public StepResult step(byte[] preRoot, byte[] transition, byte[] witness, long batchIndex, byte[] domainSeparator) {
        ExecutionResult r = evm.call(Message.call(CALLER, verifier, encode(preRoot, transition, witness, batchIndex, domainSeparator))
                .withGasLimit(GAS), BLOCK, ExecutionOptions.RAW);
        if (!r.succeeded()) {
            return new StepResult(null, -1, false, 0, null, r.failure().map(this::describe).orElse("failed"), r.gasUsed());
        }
        byte[] out = r.returnData();
        if (out.length != 5 * 32) return new StepResult(null, -1, false, 0, null, "returned " + out.length + " bytes, expected 160", r.gasUsed());
        return new StepResult(Arrays.copyOfRange(out, 0, 32), out[63] & 0xff, out[95] != 0, ByteBuffer.wrap(out, 120, 8).getLong(),
                Arrays.copyOfRange(out, 128, 160), null, r.gasUsed());
    }

    /** A revert as {@code Name(args)} when it is one of the step contracts' custom errors. */
    private String describe(dev.clearline.evm.Failure f) {
        if (f instanceof dev.clearline.evm.Failure.Reverted rev) {
            for (var a : stepContracts) {
                var decoded = a.decodeError(rev.data());
                if (decoded.isPresent()) return decoded.get().toString();
            }
            return "revert 0x" + HexFormat.of().formatHex(rev.data());
        }
        return f.toString();
    }

    static byte[] encode(byte[] preRoot, byte[] transition, byte[] witness, long batchIndex, byte[] domainSeparator) {
        int tLen = padded(transition.length);
        int wLen = padded(witness.length);
        ByteBuffer b = ByteBuffer.allocate(4 + 5 * 32 + 32 + tLen + 32 + wLen);
        b.put(SELECTOR).put(preRoot).put(word(5 * 32)).put(word(5 * 32 + 32 + tLen)).put(word(batchIndex)).put(domainSeparator);
        b.put(word(transition.length)).put(Arrays.copyOf(transition, tLen));
        b.put(word(witness.length)).put(Arrays.copyOf(witness, wLen));
        return b.array();
    }

    private static byte[] word(long v) {
        return ByteBuffer.allocate(32).putLong(24, v).array();
    }

    private static int padded(int n) {
        return (n + 31) / 32 * 32;
    }

    @Override
    public void close() {
        state.close();
    }
}
