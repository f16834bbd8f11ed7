package dev.clearline.contracts.mutation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code --lines} as people type it: {@code file:line} items, where a bare line number continues
 * the file before it. Before, a bare number ended the run with a StringIndexOutOfBoundsException.
 */
class LineItemsProperties {
    private static final List<String> FILES = List.of("rollup/Rollup.sol", "escape/EscapeHatch.sol", "stf/Fixed.sol");

    @Test
    void theShortFormNamesTheSameLinesAsTheLongOne() {
        Property.forAll(Gens.listOf(Gens.allOf(Gens.elements(FILES), Gens.ints(1, 2_000), Gens.booleans()), 1, 8)).check(items -> {
            List<String> full = new ArrayList<>();
            StringBuilder typed = new StringBuilder();
            String previous = null;
            for (List<?> item : items) {
                String file = (String) item.get(0);
                int line = (Integer) item.get(1);
                boolean shorten = (Boolean) item.get(2) && file.equals(previous);
                full.add(file + ":" + line);
                if (!typed.isEmpty()) typed.append(',');
                typed.append(shorten ? Integer.toString(line) : file + ":" + line);
                previous = file;
            }
            assertThat(SolidityMutation.lineItems(typed.toString(), "usage")).isEqualTo(full);
        });
    }

    @Test
    void anItemThatNamesNoLineIsRefusedByName() {
        for (String bad : List.of("297", "rollup/Rollup.sol", "rollup/Rollup.sol:0", "rollup/Rollup.sol:x", ":12", "rollup/Rollup.sol:12,", "a.sol:1,,2")) {
            assertThatThrownBy(() -> SolidityMutation.lineItems(bad, "usage")).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("--lines takes file:line items");
        }
    }
}
