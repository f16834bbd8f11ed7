package dev.clearline.conformance.tree;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.contracts.mutation.MutantArtifacts;
import dev.clearline.engine.order.Address;
import dev.clearline.engine.state.StateKeys;
import dev.clearline.evm.BlockContext;
import dev.clearline.evm.Evm;
import dev.clearline.evm.ExecutionOptions;
import dev.clearline.evm.Message;
import dev.clearline.evm.WorldState;
import dev.clearline.tree.Bytes32;
import java.math.BigInteger;
import java.util.List;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.Type;
import org.web3j.abi.datatypes.generated.Uint32;
import org.web3j.abi.datatypes.generated.Uint64;
import org.web3j.utils.Numeric;

/** Java's StateKeys and Solidity's StateKeys give the same key for every leaf kind and field value. */
class StateKeysTwinProperties {
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

    @SuppressWarnings("rawtypes")
    private static Bytes32 solidity(String function, Type... args) {
        byte[] input = Numeric.hexStringToByteArray(FunctionEncoder.encode(new Function(function, List.of(args), List.of())));
        return Bytes32.of(evm.call(Message.call(CALLER, harness, input), BLOCK, ExecutionOptions.RAW).orThrow().returnData());
    }

    private static org.web3j.abi.datatypes.Address address(byte[] a) {
        return new org.web3j.abi.datatypes.Address(160, new BigInteger(1, a));
    }

    @Test
    void everyKeyKindMatchesSolidity() {
        Property.forAll(Gens.bytes(20), Gens.<Object>allOf(Gens.ints(Integer.MIN_VALUE, Integer.MAX_VALUE), Gens.longs(),
                Gens.bytes(32))).tries(50).check((owner, fields) -> {
            int market = (Integer) fields.get(0);
            long withdrawal = (Long) fields.get(1);
            byte[] orderHash = (byte[]) fields.get(2);
            long marketId = Integer.toUnsignedLong(market);
            Address o = new Address(owner);
            assertThat(StateKeys.balance(o)).isEqualTo(solidity("balance", address(owner)));
            assertThat(StateKeys.position(o, marketId)).isEqualTo(solidity("position", address(owner), new Uint32(marketId)));
            assertThat(StateKeys.order(Bytes32.of(orderHash)))
                    .isEqualTo(solidity("order", new org.web3j.abi.datatypes.generated.Bytes32(orderHash)));
            assertThat(StateKeys.market(marketId)).isEqualTo(solidity("market", new Uint32(marketId)));
            assertThat(StateKeys.withdrawal(withdrawal)).isEqualTo(solidity("withdrawal",
                    new Uint64(new BigInteger(Long.toUnsignedString(withdrawal)))));
            assertThat(StateKeys.global()).isEqualTo(solidity("global"));
        });
    }
}
