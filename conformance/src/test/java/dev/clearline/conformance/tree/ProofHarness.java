package dev.clearline.conformance.tree;

import dev.clearline.contracts.mutation.MutantArtifacts;
import dev.clearline.evm.Address;
import dev.clearline.evm.BlockContext;
import dev.clearline.evm.Evm;
import dev.clearline.evm.ExecutionOptions;
import dev.clearline.evm.ExecutionResult;
import dev.clearline.evm.Message;
import dev.clearline.evm.WorldState;
import dev.clearline.tree.Bytes32;
import dev.clearline.tree.proof.ProofError;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.DynamicArray;
import org.web3j.abi.datatypes.DynamicBytes;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.Type;
import org.web3j.utils.Numeric;

/** The Solidity proof library, deployed behind its harness in an embedded EVM. */
public final class ProofHarness implements AutoCloseable {
    private static final Address CALLER = Address.ofLong(0xC0FFEE);
    private static final BlockContext BLOCK = BlockContext.of(31337, 1, 1_700_000_000);

    private final WorldState state = WorldState.inMemory();
    private final Evm evm = new Evm(state);
    private final Address harness;

    public ProofHarness() {
        state.setBalance(CALLER, BigInteger.TEN.pow(24));
        byte[] code = MutantArtifacts.current().load("SparseMerkleProofHarness").creationBytecode();
        harness = evm.transact(Message.create(CALLER, code), BLOCK).contractAddress();
    }

    /** Solidity's verdict and the execution gas it took (without the transaction's intrinsic and calldata gas). */
    public record Verdict(ProofError error, Bytes32 newRoot, long executionGas, long calldataGas) {}

    public Verdict verify(Bytes32 root, List<Bytes32> keys, List<Bytes32> valueHashes, byte[] proof) {
        return run(new Function("verify", List.of(b32(root), array(keys), array(valueHashes), new DynamicBytes(proof)),
                List.of()));
    }

    public Verdict update(Bytes32 root, List<Bytes32> keys, List<Bytes32> oldHashes, List<Bytes32> newHashes, byte[] proof) {
        return run(new Function("update", List.of(b32(root), array(keys), array(oldHashes), array(newHashes),
                new DynamicBytes(proof)), List.of()));
    }

    /**
     * The reverting variant: empty when {@code requireValid} returns, else the {@link ProofError} its
     * {@code InvalidProof} revert carries (any other revert fails the test).
     */
    public java.util.Optional<ProofError> requireValid(Bytes32 root, List<Bytes32> keys, List<Bytes32> valueHashes, byte[] proof) {
        Function f = new Function("requireValid", List.of(b32(root), array(keys), array(valueHashes), new DynamicBytes(proof)), List.of());
        ExecutionResult r = evm.call(Message.call(CALLER, harness, Numeric.hexStringToByteArray(FunctionEncoder.encode(f))), BLOCK,
                ExecutionOptions.RAW);
        if (r.succeeded()) return java.util.Optional.empty();
        byte[] data = r.returnData();
        byte[] selector = Arrays.copyOf(org.web3j.crypto.Hash.sha3("InvalidProof(uint8)".getBytes(java.nio.charset.StandardCharsets.US_ASCII)), 4);
        if (data.length != 36 || !Arrays.equals(Arrays.copyOf(data, 4), selector)) {
            throw new AssertionError("requireValid reverted without InvalidProof(uint8): 0x" + java.util.HexFormat.of().formatHex(data));
        }
        return java.util.Optional.of(ProofError.ofCode(data[35] & 0xff));
    }

    private Verdict run(Function f) {
        byte[] input = Numeric.hexStringToByteArray(FunctionEncoder.encode(f));
        ExecutionResult r = evm.call(Message.call(CALLER, harness, input), BLOCK, ExecutionOptions.RAW).orThrow();
        byte[] out = r.returnData();
        ProofError e = ProofError.ofCode(new BigInteger(1, Arrays.copyOfRange(out, 0, 32)).intValueExact());
        Bytes32 newRoot = out.length >= 64 ? Bytes32.of(Arrays.copyOfRange(out, 32, 64)) : null;
        long calldataGas = 0;
        for (byte b : input) {
            calldataGas += b == 0 ? 4 : 16;
        }
        return new Verdict(e, newRoot, r.gasUsed(), calldataGas);
    }

    private static org.web3j.abi.datatypes.generated.Bytes32 b32(Bytes32 b) {
        return new org.web3j.abi.datatypes.generated.Bytes32(b.toArray());
    }

    @SuppressWarnings({"rawtypes", "unchecked"})
    private static Type array(List<Bytes32> values) {
        return new DynamicArray(org.web3j.abi.datatypes.generated.Bytes32.class,
                values.stream().map(ProofHarness::b32).toList());
    }

    @Override
    public void close() {
        state.close();
    }
}
