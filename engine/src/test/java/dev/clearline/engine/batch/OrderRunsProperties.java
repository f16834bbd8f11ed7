package dev.clearline.engine.batch;

import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.Signature;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.engine.transition.Transition;
import dev.clearline.testkit.property.Gen;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link OrderRuns} on random groups of PostOrders of every time in force, Trades naming new and older orders, and other transitions. */
class OrderRunsProperties {
    private static final long FIRST_ID = 100;
    private static final Signature SIG = new Signature(new byte[Signature.LENGTH]);

    /** Each element: 0..2 a PostOrder (GTC, IOC, FOK), 3..4 a Trade or TradeAtPrice between two ids drawn near the group's, 5 a Liquidate. */
    private static final Gen<List<Transition>> GROUPS = Gens.listOf(Gens.ints(0, 5).zip(Gens.ints(0, 1 << 20), (kind, pick) -> new int[] {kind, pick}), 0, 60)
            .map(OrderRunsProperties::group);

    private static List<Transition> group(List<int[]> picks) {
        List<Transition> out = new ArrayList<>();
        long next = FIRST_ID;
        for (int[] p : picks) {
            long a = FIRST_ID - 3 + (p[1] & 0xff) % (next - FIRST_ID + 4); // an older order or one of this group's so far
            long b = FIRST_ID - 3 + ((p[1] >> 8) & 0xff) % (next - FIRST_ID + 4);
            out.add(switch (p[0]) {
                case 0, 1, 2 -> {
                    next++;
                    yield new Transition.PostOrder(new Order(Address.INSURANCE_FUND, 1, Side.BUY, 1, 1, 0, TimeInForce.values()[p[0]], 0, 0, next, 1), SIG);
                }
                case 3 -> new Transition.Trade(a, b, 1);
                case 4 -> new Transition.TradeAtPrice(a, b, 1, 1);
                default -> new Transition.Liquidate(Address.INSURANCE_FUND, 1);
            });
        }
        return out;
    }

    @Test
    void runsCoverTheGroupKeepEveryIocOrFokOrderWithItsTradesAndAreOtherwiseSingle() {
        Property.forAll(GROUPS).tries(500).check(group -> {
            int[] runs = OrderRuns.lengths(group, FIRST_ID);
            int[] runOf = new int[group.size()];
            int at = 0;
            for (int r = 0; r < runs.length; r++) {
                assertThat(runs[r]).isPositive();
                for (int k = 0; k < runs[r]; k++) runOf[at + k] = r;
                if (runs[r] > 1) {
                    assertThat(group.get(at)).as("a run of %d starts with an IOC/FOK PostOrder", runs[r])
                            .isInstanceOfSatisfying(Transition.PostOrder.class, p -> assertThat(p.order().timeInForce()).isNotEqualTo(TimeInForce.GTC));
                }
                at += runs[r];
            }
            assertThat(at).isEqualTo(group.size());
            long id = FIRST_ID;
            for (int i = 0; i < group.size(); i++) {
                if (!(group.get(i) instanceof Transition.PostOrder p)) continue;
                long posted = id++;
                if (p.order().timeInForce() == TimeInForce.GTC) continue;
                for (int j = i + 1; j < group.size(); j++) {
                    boolean names = switch (group.get(j)) {
                        case Transition.Trade t -> t.makerId() == posted || t.takerId() == posted;
                        case Transition.TradeAtPrice t -> t.makerId() == posted || t.takerId() == posted;
                        default -> false;
                    };
                    if (names) assertThat(runOf[j]).as("trade %d naming order %d posted at %d", j, posted, i).isEqualTo(runOf[i]);
                }
            }
        });
    }

    @Test
    void aGroupThatFitsABatchIsOneRun() {
        Property.forAll(GROUPS, Gens.ints(1, 80)).tries(300).check((group, max) -> {
            int[] runs = OrderRuns.forBatches(group, max, () -> FIRST_ID);
            if (group.size() <= max) assertThat(runs).containsExactly(group.size());
            else assertThat(runs).isEqualTo(OrderRuns.lengths(group, FIRST_ID));
        });
    }
}
