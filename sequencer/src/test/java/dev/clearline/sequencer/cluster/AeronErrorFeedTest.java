package dev.clearline.sequencer.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import io.aeron.archive.client.ArchiveException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.agrona.ErrorHandler;
import org.junit.jupiter.api.Test;

/**
 * Aeron's errors reach the node's log, and a repeating one does not flood it: random runs of
 * errors from a few components, some the same again and again, at random gaps. Every distinct
 * error is logged once when it first happens (errors whose texts differ only in their numbers are
 * one); a repeat is logged only a minute or more after that error's last line, with the true count,
 * how many since and its latest text; nothing else is logged.
 */
class AeronErrorFeedTest {
    private static final List<String> COMPONENTS = List.of("consensus_module", "archive", "media_driver");
    /** Templates: %d is a number that differs from one occurrence to the next (a request id, a position). */
    private static final List<String> MESSAGES = List.of("response for correlationId=%d, error: requested replay start position=221472 is less"
            + " than recording start position=%d for recording 0", "failed to join catchup log", "unknown recording id: %d");

    @Test
    void eachErrorIsLoggedWhenFirstSeenAndRepeatsAtMostOnceAMinuteWithTheirCount() {
        // each event: component, message, milliseconds since the previous event, the number in its text
        var event = Gens.allOf(Gens.ints(0, COMPONENTS.size() - 1), Gens.ints(0, MESSAGES.size() - 1), Gens.ints(0, 45_000),
                Gens.ints(0, 1_000_000));
        Property.forAll(Gens.listOf(event, 0, 200)).tries(200).check(events -> {
            long[] now = {1_000_000};
            List<String> lines = new ArrayList<>();
            AeronErrorFeed feed = new AeronErrorFeed(() -> now[0], lines::add);
            Map<String, ErrorHandler> handlers = new HashMap<>();
            Map<String, long[]> model = new HashMap<>(); // key -> {count, count at last line, time of last line}
            for (List<Integer> e : events) {
                String component = COMPONENTS.get(e.get(0));
                String template = MESSAGES.get(e.get(1));
                String message = template.replace("%d", String.valueOf(e.get(3)));
                now[0] += e.get(2);
                int before = lines.size();
                handlers.computeIfAbsent(component, feed::handlerFor)
                        .onError(new ArchiveException("ERROR - " + message + "\n\tat a.stack.Frame(Frame.java:1)"));
                String key = component + "|" + template;
                long[] m = model.get(key);
                if (m == null) {
                    model.put(key, new long[] {1, 1, now[0]});
                    assertThat(lines).hasSize(before + 1);
                    assertThat(lines.getLast()).startsWith("event=aeron_error component=" + component)
                            .contains(message).doesNotContain("\tat ").doesNotContain("Frame.java");
                    continue;
                }
                m[0]++;
                if (now[0] - m[2] >= AeronErrorFeed.REPEAT_MS) {
                    assertThat(lines).hasSize(before + 1);
                    assertThat(lines.getLast()).startsWith("event=aeron_error_repeated component=" + component)
                            .contains("count=" + m[0] + " ").contains("since_last=" + (m[0] - m[1]) + " ").contains(message);
                    m[1] = m[0];
                    m[2] = now[0];
                } else {
                    assertThat(lines).as("a repeat within a minute of its last line").hasSize(before);
                }
            }
        });
    }

    @Test
    void theEndOfAClusterStoppedOnPurposeIsNoErrorButAnUnexpectedEndIs() {
        List<String> lines = new ArrayList<>();
        AeronErrorFeed feed = new AeronErrorFeed(() -> 0, lines::add);
        feed.handlerFor("service").onError(new io.aeron.cluster.service.ClusterTerminationException(true));
        feed.handlerFor("consensus_module").onError(new io.aeron.cluster.service.ClusterTerminationException(true));
        assertThat(lines).isEmpty();
        feed.handlerFor("service").onError(new io.aeron.cluster.service.ClusterTerminationException(false));
        assertThat(lines).singleElement().asString().startsWith("event=aeron_error component=service").contains("unexpected termination");
    }

    @Test
    void aLineKeepsOnlyTheFirstLineAndNoDoubleQuotes() {
        assertThat(AeronErrorFeed.firstLine("io.aeron.X: ERROR - \"bad\" thing\n\tat a.b(C.java:1)")).isEqualTo("io.aeron.X: ERROR - 'bad' thing");
    }
}
