package dev.clearline.evm;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.List;
import dev.clearline.testkit.property.Gen;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.junit.jupiter.api.Test;

class SnapshotProperties {
    record Change(int account, long balance) {}

    static final List<Address> ACCOUNTS = List.of(Address.ofLong(1), Address.ofLong(2), Address.ofLong(3));

    @Test
    void revertingToASnapshotRestoresEveryBalanceAndTheRoot() {
        Property.forAll(CHANGES, CHANGES).tries(60).check((before, after) -> {
            try (WorldState state = WorldState.inMemory()) {
                apply(state, before);
                List<BigInteger> expected = ACCOUNTS.stream().map(state::balance).toList();
                Bytes32 root = state.root();

                int id = state.snapshot();
                apply(state, after);
                state.revertTo(id);

                assertThat(ACCOUNTS.stream().map(state::balance).toList()).isEqualTo(expected);
                assertThat(state.root()).isEqualTo(root);
            }
        });
    }

    private static void apply(WorldState state, List<Change> changes) {
        for (Change c : changes) {
            state.setBalance(ACCOUNTS.get(c.account()), BigInteger.valueOf(c.balance()));
        }
    }

    /** Up to eight balance changes; a failing pair shrinks to the fewest, smallest changes. */
    static final Gen<List<Change>> CHANGES = Gens.listOf(
            Gens.ints(0, ACCOUNTS.size() - 1).zip(Gens.longs(0, Long.MAX_VALUE), Change::new), 0, 8);
}
