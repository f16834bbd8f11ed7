package dev.clearline.conformance.tree;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.conformance.DeployedOnce;
import dev.clearline.engine.state.StateKeys;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import java.math.BigInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.web3j.abi.datatypes.generated.Uint64;

/** The ORDER_STATE key (tag 7, by short order id) is the same in Java and Solidity. */
@ExtendWith(DeployedOnce.class)
class OrderStateKeyTwinTest {
    private final StateKeysHarness solidity;

    OrderStateKeyTwinTest(StateKeysHarness solidity) {
        this.solidity = solidity;
    }

    @Test
    void orderStateKeyMatchesSolidityOverTheWholeIdRange() {
        Property.forAll(Gens.longs(0, (1L << 48) - 1)).tries(50).check(id ->
                assertThat(StateKeys.orderState(id)).isEqualTo(solidity.key("orderState", new Uint64(BigInteger.valueOf(id)))));
    }
}
