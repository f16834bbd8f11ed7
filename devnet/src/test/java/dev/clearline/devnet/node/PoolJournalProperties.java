package dev.clearline.devnet.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A pending-transaction feed reader that polls now and then gets every accepted hash once, in
 * order, as long as it is at most the journal's capacity behind; further behind it gets exactly
 * the latest {@code capacity}, never a stale slot of the ring.
 */
class PoolJournalProperties {
    @Test
    void aReaderGetsEachHashOnceInOrderOrTheLatestCapacityWhenFarBehind() {
        // each element: how many hashes arrive before the reader's next poll
        Property.forAll(Gens.ints(1, 9), Gens.listOf(Gens.ints(0, 14), 1, 30)).tries(300).check((capacity, bursts) -> {
            PoolJournal journal = new PoolJournal(capacity);
            long seen = journal.last();
            int next = 0;
            for (int burst : bursts) {
                List<String> added = new ArrayList<>();
                for (int i = 0; i < burst; i++) {
                    String hash = "0x" + Integer.toHexString(next++);
                    journal.add(hash);
                    added.add(hash);
                }
                PoolJournal.Since since = journal.since(seen);
                assertThat(since.hashes()).as("capacity %d, burst %d", capacity, burst)
                        .isEqualTo(added.subList(Math.max(0, added.size() - capacity), added.size()));
                assertThat(since.upTo()).isEqualTo(next);
                seen = since.upTo();
            }
            assertThat(journal.since(seen).hashes()).as("nothing twice").isEmpty();
        });
    }
}
