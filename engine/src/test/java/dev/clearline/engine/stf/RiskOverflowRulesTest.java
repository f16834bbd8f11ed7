package dev.clearline.engine.stf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.engine.testkit.World;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Java STF at the int64 exits of Liquidate and Deleverage ({@link RiskOverflowCases}); conformance runs the same against Solidity. */
class RiskOverflowRulesTest {
    private final Stf stf = new World().stf;

    @Test
    void eachExitRefusesWithOverflowAndChangesNothingAndRoomToSpareApplies() {
        for (RiskOverflowCases.Case c : RiskOverflowCases.all()) {
            MemoryLeafStore store = new MemoryLeafStore();
            List<LeafStore.Write> writes = new ArrayList<>();
            c.leaves().forEach((k, v) -> writes.add(new LeafStore.Write(k.toArray(), v)));
            store.putAll(writes);
            List<String> before = contents(store);
            Outcome o = stf.apply(store, c.transition(), 1);
            if (c.expected() == null) {
                assertThat(o.applied()).as(c.name()).isTrue();
                assertThat(contents(store)).as(c.name()).isNotEqualTo(before);
            } else {
                assertThat(o).as(c.name()).isEqualTo(new Outcome.Rejected(c.expected()));
                assertThat(contents(store)).as("%s leaves the state", c.name()).isEqualTo(before);
            }
        }
    }

    private static List<String> contents(MemoryLeafStore store) {
        List<String> out = new ArrayList<>();
        store.forEach((k, v) -> out.add(HexFormat.of().formatHex(k) + "=" + HexFormat.of().formatHex(v)));
        out.sort(null);
        return out;
    }
}
