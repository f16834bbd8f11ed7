package dev.clearline.conformance.tree;

import dev.clearline.contracts.mutation.MutantArtifacts;
import dev.clearline.evm.Address;
import dev.clearline.evm.BlockContext;
import dev.clearline.evm.Evm;
import dev.clearline.evm.ExecutionOptions;
import dev.clearline.evm.Message;
import dev.clearline.evm.WorldState;
import dev.clearline.tree.Bytes32;
import java.math.BigInteger;
import java.util.List;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.Type;
import org.web3j.utils.Numeric;

/** Solidity's StateKeys library behind its test harness contract, in the embedded EVM: each key function called as Java's twin is. */
public final class StateKeysHarness implements AutoCloseable {
    private static final Address CALLER = Address.ofLong(0xC0FFEE);
    private static final BlockContext BLOCK = BlockContext.of(31337, 1, 1_700_000_000);

    private final WorldState state = WorldState.inMemory();
    private final Evm evm = new Evm(state);
    private final Address harness;

    public StateKeysHarness() {
        state.setBalance(CALLER, BigInteger.TEN.pow(24));
        harness = evm.transact(Message.create(CALLER, MutantArtifacts.current().load("StateKeysHarness").creationBytecode()), BLOCK)
                .contractAddress();
    }

    /** The key Solidity's {@code function(args)} gives. */
    @SuppressWarnings("rawtypes")
    public Bytes32 key(String function, Type... args) {
        byte[] input = Numeric.hexStringToByteArray(FunctionEncoder.encode(new Function(function, List.of(args), List.of())));
        return Bytes32.of(evm.call(Message.call(CALLER, harness, input), BLOCK, ExecutionOptions.RAW).orThrow().returnData());
    }

    @Override
    public void close() {
        state.close();
    }
}
