package dev.clearline.conformance.tree;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.contracts.mutation.MutantArtifacts;
import dev.clearline.engine.state.StateKeys;
import dev.clearline.evm.BlockContext;
import dev.clearline.evm.Evm;
import dev.clearline.evm.ExecutionOptions;
import dev.clearline.evm.Message;
import dev.clearline.evm.WorldState;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import dev.clearline.tree.Bytes32;
import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.generated.Uint64;
import org.web3j.utils.Numeric;

/** The ORDER_STATE key (tag 7, by short order id) is the same in Java and Solidity. */
class OrderStateKeyTwinTest {
    private static final dev.clearline.evm.Address CALLER = dev.clearline.evm.Address.ofLong(0xC0FFEE);
    private static final BlockContext BLOCK = BlockContext.of(31337, 1, 1_700_000_000);
    private static WorldState state;
    private static Evm evm;
    private static dev.clearline.evm.Address harness;

    @BeforeAll
    static void deploy() {
        state = WorldState.inMemory();
        evm = new Evm(state);
        state.setBalance(CALLER, BigInteger.TEN.pow(24));
        harness = evm.transact(Message.create(CALLER,
                MutantArtifacts.current().load("StateKeysHarness").creationBytecode()), BLOCK).contractAddress();
    }

    @AfterAll
    static void close() {
        state.close();
    }

    private static Bytes32 solidity(long orderId) {
        byte[] input = Numeric.hexStringToByteArray(FunctionEncoder.encode(
                new Function("orderState", List.of(new Uint64(BigInteger.valueOf(orderId))), List.of())));
        return Bytes32.of(evm.call(Message.call(CALLER, harness, input), BLOCK, ExecutionOptions.RAW).orThrow().returnData());
    }

    @Test
    void orderStateKeyMatchesSolidityOverTheWholeIdRange() {
        Property.forAll(Gens.longs(0, (1L << 48) - 1)).tries(50).check(id ->
                assertThat(StateKeys.orderState(id)).isEqualTo(solidity(id)));
    }
}
