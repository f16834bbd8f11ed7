package dev.clearline.evm;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class SnapshotProperties {
    record Change(int account, long balance) {}

    static final List<Address> ACCOUNTS = List.of(Address.ofLong(1), Address.ofLong(2), Address.ofLong(3));

    @Property(tries = 60)
    void revertingToASnapshotRestoresEveryBalanceAndTheRoot(@ForAll("changes") List<Change> before,
                                                           @ForAll("changes") List<Change> after) {
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
    }

    private static void apply(WorldState state, List<Change> changes) {
        for (Change c : changes) {
            state.setBalance(ACCOUNTS.get(c.account()), BigInteger.valueOf(c.balance()));
        }
    }

    @Provide
    Arbitrary<List<Change>> changes() {
        Arbitrary<Change> change = Combinators.combine(Arbitraries.integers().between(0, ACCOUNTS.size() - 1),
                Arbitraries.longs().between(0, Long.MAX_VALUE)).as(Change::new);
        return change.list().ofMaxSize(8);
    }
}
