package dev.clearline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.prover.dispute.Watcher;
import dev.clearline.prover.escape.FreezeReporter;
import dev.clearline.prover.replay.ReplayListener;
import dev.clearline.prover.store.BatchRecord;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The watcher's status line: what the replay reported, once per change, and every report still reaches the logs. */
class WatchStatusTest {
    private static final Watcher.GameCounts NONE = new Watcher.GameCounts(0, 0, 0, 0, 0);

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
        assertThat(s.line(NONE, null)).isEqualTo("reading L1, 0 batch(es) judged this run, all honest");
        assertThat(s.line(NONE, null)).as("nothing changed").isNull();
        s.progress(40, 90, 0);
        s.judged(batch(3, true));
        s.judged(batch(4, true), null, null);
        assertThat(s.line(NONE, null)).isEqualTo("L1 block 40 of 90, 2 batch(es) judged this run, latest 4, all honest");
        s.judged(batch(5, false));
        assertThat(s.line(NONE, null)).contains("3 batch(es) judged this run, latest 5", "FRAUD in 1");
        assertThat(logged).containsExactly("progress 40", "judged 3", "judged 4", "judged 5");
        // a freeze the reporter saw joins the line, and a report sent changes it again
        assertThat(s.line(NONE, new FreezeReporter.Frozen(1_000, 11, 1_600, 0, 0, false)))
                .endsWith("FRAUD in 1 (challenged unless --no-challenge; the log says more); rollup FROZEN at L1 time 1000 on 11 final batch(es),"
                        + " claim window until L1 time 1600, 0 escape report(s) sent by this watcher");
        assertThat(s.line(NONE, new FreezeReporter.Frozen(1_000, 11, 1_600, 0, 0, false))).isNull();
        assertThat(s.line(NONE, new FreezeReporter.Frozen(1_000, 11, 1_600, 2, 0, true))).endsWith("2 escape report(s) sent by this watcher, reporting done");
    }

    @Test
    void aRefusalFromL1IsOnTheLineWhileItLastsAndGoesWithIt() {
        WatchStatus s = new WatchStatus(new ReplayListener() {});
        s.progress(40, 90, 0);
        s.judged(batch(5, false));
        assertThat(s.line(new Watcher.GameCounts(1, 0, 1, 0, 0), null)).endsWith("FRAUD in 1 (challenged unless --no-challenge; the log says more), 1 game(s) open");
        assertThat(s.line(new Watcher.GameCounts(1, 0, 1, 2, 0), null))
                .endsWith("1 game(s) open; L1 REFUSES the challenge of 2 wrong batch(es) still live, tried again every poll (the log names the contract's error)");
        assertThat(s.line(new Watcher.GameCounts(1, 0, 1, 2, 0), null)).as("the same refusal, the same line: not printed again").isNull();
        assertThat(s.line(new Watcher.GameCounts(1, 0, 1, 0, 1), null))
                .endsWith("1 game(s) open; L1 REFUSED the last move in 1 game(s), whose clock runs on (the log names the contract's error)");
        assertThat(s.line(new Watcher.GameCounts(0, 1, 3, 0, 0), null)).as("over: no game, no refusal")
                .endsWith("FRAUD in 1 (challenged unless --no-challenge; the log says more)");
    }
}
