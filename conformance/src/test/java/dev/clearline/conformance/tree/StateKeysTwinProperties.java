package dev.clearline.conformance.tree;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.conformance.DeployedOnce;
import dev.clearline.engine.order.Address;
import dev.clearline.engine.state.StateKeys;
import dev.clearline.tree.Bytes32;
import java.math.BigInteger;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.web3j.abi.datatypes.generated.Uint32;
import org.web3j.abi.datatypes.generated.Uint64;

/** Java's StateKeys and Solidity's StateKeys give the same key for every leaf kind and field value. */
@ExtendWith(DeployedOnce.class)
class StateKeysTwinProperties {
    private final StateKeysHarness solidity;

    StateKeysTwinProperties(StateKeysHarness solidity) {
        this.solidity = solidity;
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
            assertThat(StateKeys.balance(o)).isEqualTo(solidity.key("balance", address(owner)));
            assertThat(StateKeys.position(o, marketId)).isEqualTo(solidity.key("position", address(owner), new Uint32(marketId)));
            assertThat(StateKeys.order(Bytes32.of(orderHash)))
                    .isEqualTo(solidity.key("order", new org.web3j.abi.datatypes.generated.Bytes32(orderHash)));
            assertThat(StateKeys.market(marketId)).isEqualTo(solidity.key("market", new Uint32(marketId)));
            assertThat(StateKeys.withdrawal(withdrawal)).isEqualTo(solidity.key("withdrawal",
                    new Uint64(new BigInteger(Long.toUnsignedString(withdrawal)))));
            assertThat(StateKeys.global()).isEqualTo(solidity.key("global"));
        });
    }
}
