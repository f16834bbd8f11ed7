package dev.clearline.sequencer.api;

import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

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
                    // as the gateway keeps them: state-changing by number, queries in the order they were numbered
                    TreeMap<Long, Object> stateChanging = new TreeMap<>();
                    LinkedHashMap<Long, Object> queries = new LinkedHashMap<>();
                    unanswered.stream().filter(k -> k > 0 && k != answered).forEach(k -> stateChanging.put(k, "request"));
                    unanswered.stream().filter(k -> k < 0 && k != answered).distinct().sorted(Comparator.reverseOrder())
                            .forEach(k -> queries.put(k, "query"));
                    List<Long> expected = new ArrayList<>();
                    for (long k : answered > 0 ? stateChanging.keySet() : queries.keySet()) {
                        if (Math.abs(k) < Math.abs(answered)) expected.add(k);
                    }
                    assertThat(Gateway.lostBefore(answered, stateChanging, queries)).isEqualTo(expected);
                });
    }

    @Test
    void examples() {
        TreeMap<Long, Object> requests = new TreeMap<>(Map.of(2L, "", 4L, "", 6L, ""));
        LinkedHashMap<Long, Object> queries = new LinkedHashMap<>();
        for (long q : new long[] {-1, -2, -4}) queries.put(q, "");
        assertThat(Gateway.lostBefore(5, requests, queries)).containsExactly(2L, 4L);
        assertThat(Gateway.lostBefore(-3, requests, queries)).containsExactly(-1L, -2L);
        assertThat(Gateway.lostBefore(1, requests, queries)).isEmpty();
        assertThat(Gateway.lostBefore(-1, requests, queries)).isEmpty();
    }
}
