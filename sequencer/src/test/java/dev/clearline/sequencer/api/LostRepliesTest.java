package dev.clearline.sequencer.api;

import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The service answers one gateway's state-changing requests in their order and its queries in
 * log order, on one ordered stream, so when an answer arrives every older unanswered request of
 * the same kind had its answer dropped: the gateway sends exactly those again (the service answers
 * a repeat with its first outcome). Newer ones, and the other kind, are still on their way.
 */
class LostRepliesTest {

    @Test
    void olderUnansweredRequestsOfTheSameKindAreTheLostOnes() {
        Property.forAll(Gens.listOf(Gens.longs(-40, 40).filter(k -> k != 0), 0, 30), Gens.longs(-40, 40).filter(k -> k != 0))
                .check((unanswered, answered) -> {
                    List<Long> lost = Gateway.lostBefore(answered, new java.util.LinkedHashSet<>(unanswered));
                    List<Long> expected = new ArrayList<>();
                    for (long k : new java.util.LinkedHashSet<>(unanswered)) {
                        boolean sameKind = (k > 0) == (answered > 0);
                        boolean older = Math.abs(k) < Math.abs(answered);
                        if (sameKind && older) expected.add(k);
                    }
                    assertThat(lost).isEqualTo(expected);
                });
    }

    @Test
    void examples() {
        assertThat(Gateway.lostBefore(5, List.of(2L, 4L, 6L, -1L))).containsExactly(2L, 4L);
        assertThat(Gateway.lostBefore(-3, List.of(2L, -1L, -2L, -4L))).containsExactly(-1L, -2L);
        assertThat(Gateway.lostBefore(1, List.of(2L, 3L))).isEmpty();
    }
}
