package dev.clearline.sequencer.poster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * How many confirmations the priority-op feed waits: what the operator gave, anywhere; when it
 * gave none, 0 on a development node and a refusal naming the option on any other chain, since a
 * queued op taken and then reorganised away leaves batches L1 refuses.
 */
class ConfirmationsRuleProperties {
    @Test
    void aGivenValueIsKeptAndAnUnsetOneIsZeroOnlyOnADevelopmentNode() {
        Property.forAll(Gens.ints(0, 1_000), Gens.booleans()).check((given, devNode) -> {
            assertThat(L1Side.confirmations(given, devNode, 1)).isEqualTo(given);
            if (devNode) assertThat(L1Side.confirmations(L1Side.CONFIRMATIONS_UNSET, true, 11155111)).isZero();
            else assertThatThrownBy(() -> L1Side.confirmations(L1Side.CONFIRMATIONS_UNSET, false, 11155111)).isInstanceOf(IOException.class)
                    .hasMessageContaining("chain 11155111 is not a development node").hasMessageContaining("pass --confirmations N");
        });
    }
}
