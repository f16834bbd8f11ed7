package dev.clearline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.prover.replay.ReplayListener;
import dev.clearline.prover.store.BatchRecord;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The watcher's status line: what the replay reported, once per change, and every report still reaches the logs. */
class WatchStatusTest {
    static BatchRecord batch(long index, boolean honest) {
        return new BatchRecord(index, index, 100 + index, "0x" + index, index, index + 1, honest, honest ? "honest" : "wrong root");
    }

    @Test
    void aLineWhenSomethingChangedAndFraudSaysSo() {
        List<String> logged = new ArrayList<>();
        WatchStatus s = new WatchStatus(new ReplayListener() {
            @Override
            public void judged(BatchRecord b) {
                logged.add("judged " + b.batchIndex());
            }

            @Override
            public void progress(long block, long head, long batches) {
                logged.add("progress " + block);
            }
        });
        assertThat(s.line()).isEqualTo("reading L1, 0 batch(es) judged this run, all honest");
        assertThat(s.line()).as("nothing changed").isNull();
        s.progress(40, 90, 0);
        s.judged(batch(3, true));
        s.judged(batch(4, true), null, null);
        assertThat(s.line()).isEqualTo("L1 block 40 of 90, 2 batch(es) judged this run, latest 4, all honest");
        s.judged(batch(5, false));
        assertThat(s.line()).contains("3 batch(es) judged this run, latest 5", "FRAUD in 1");
        assertThat(logged).containsExactly("progress 40", "judged 3", "judged 4", "judged 5");
    }
}
