package dev.clearline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The escape's replay is quiet when quick, and says where it is at most once a second when not. */
class ReplayProgressTest {
    @Test
    void aQuickReplayPrintsNothing() {
        StringWriter err = new StringWriter();
        AtomicLong now = new AtomicLong();
        EscapeCommands.ReplayProgress p = new EscapeCommands.ReplayProgress(new PrintWriter(err), now::get);
        for (int i = 1; i <= 100; i++) {
            now.addAndGet(5_000_000L); // 5 ms a batch: half a second in all
            p.replayed(i, 100, 10L * i);
        }
        p.done();
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void aLongReplayPrintsAtMostOneLineASecondThenWhenItIsDone() {
        StringWriter err = new StringWriter();
        AtomicLong now = new AtomicLong();
        EscapeCommands.ReplayProgress p = new EscapeCommands.ReplayProgress(new PrintWriter(err), now::get);
        for (int i = 1; i <= 40; i++) {
            now.addAndGet(250_000_000L); // a quarter of a second a batch: 10 s in all
            p.replayed(i, 40, 100L * i);
        }
        p.done();
        String[] lines = err.toString().split("\n");
        assertThat(lines).hasSizeBetween(9, 11);
        assertThat(lines[0]).isEqualTo("replay: batch 4 of 40 (10%), 400 transitions, 1 s");
        assertThat(lines[lines.length - 1]).isEqualTo("replay: done in 10 s");
    }
}
