package dev.clearline.sequencer.cluster;

import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.sequencer.Market;
import dev.clearline.sequencer.state.CommandHistory;
import dev.clearline.sequencer.state.Genesis;
import dev.clearline.sequencer.state.SequencerState;
import dev.clearline.sequencer.state.Snapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code --take-up FILE} before a member starts ({@link TakeUpStart}): the file is checked and placed in the member's
 * directory, or refused with what to do: unreadable, not a state, taken up for another venue, or a directory that holds a
 * log of its own or another take-up. The same file again (a restart with the same flag) is taken.
 */
class TakeUpStartTest {
    @TempDir
    Path tmp;

    /** A state as ./clearline take-up writes it: here of an L1 without batches, with the challenge period {@code period}. */
    static byte[] takeUp(Genesis genesis, long period) {
        return takeUp(genesis, period, 0);
    }

    /** The same after {@code batches} empty batches, none final. */
    static byte[] takeUp(Genesis genesis, long period, int batches) {
        SequencerState fresh = new SequencerState(genesis, new NativeSecp256k1Verifier());
        long[] postedAt = new long[batches];
        java.util.Arrays.fill(postedAt, 1_000);
        SequencerState.L1Start l1 = new SequencerState.L1Start(List.of(), List.of(), List.of(), batches, 0, fresh.stateRoot(), null, postedAt,
                new long[batches + 1], period);
        fresh.close();
        SequencerState taken = SequencerState.takeUp(genesis, new NativeSecp256k1Verifier(), CommandHistory.inMemory(), l1);
        byte[] image = Snapshot.write(taken);
        taken.close();
        return image;
    }

    /** The root every state taken up here ends on: its batches are empty. */
    private static Hash32 root() {
        SequencerState fresh = new SequencerState(Market.GENESIS, new NativeSecp256k1Verifier());
        Hash32 r = fresh.stateRoot();
        fresh.close();
        return r;
    }

    private static TakeUpStart.L1Tip tip(long batches) {
        return new TakeUpStart.L1Tip(batches, root());
    }

    @Test
    void aGoodFileIsPlacedOnceAndTakenAgainOnARestart() throws Exception {
        Path file = tmp.resolve("t.snapshot");
        Files.write(file, takeUp(Market.GENESIS, 600));
        Path dir = Files.createDirectories(tmp.resolve("member"));
        Files.createDirectories(dir.resolve("archive")); // empty, as a start that failed early leaves them: no log yet
        Files.createDirectories(dir.resolve("cluster"));
        assertThat(TakeUpStart.place(file, dir, Market.GENESIS, tip(0))).isNull();
        assertThat(SequencerService.takeUpFile(dir)).hasSameBinaryContentAs(file);
        Files.createDirectories(dir.resolve("archive").resolve("x")); // the member has run since
        assertThat(TakeUpStart.place(file, dir, Market.GENESIS, tip(4))).as("a restart with the same flag, after batches of its own").isNull();
    }

    @Test
    void aFileThatNoLongerFollowsTheRollupsLastBatchIsRefused() throws Exception {
        Path file = Files.write(tmp.resolve("t.snapshot"), takeUp(Market.GENESIS, 600, 2));
        Path dir = Files.createDirectories(tmp.resolve("member"));
        assertThat(TakeUpStart.place(file, dir, Market.GENESIS, tip(3))).as("the old node posted one more after it was taken")
                .contains("after 2 batch(es), but the rollup holds 3 now", "stop the old node's poster", "./clearline take-up").doesNotContain("\tat ");
        assertThat(SequencerService.takeUpFile(dir)).doesNotExist();
        assertThat(TakeUpStart.place(file, dir, Market.GENESIS, tip(1))).as("a batch taken away since")
                .contains("after 2 batch(es), but the rollup holds 1 now", "a reorg or a lost dispute", "./clearline take-up");
        assertThat(SequencerService.takeUpFile(dir)).doesNotExist();
        List<String> warned = new java.util.ArrayList<>();
        Path member = Files.createDirectories(tmp.resolve("member-3"));
        assertThat(TakeUpStart.place(file, member, Market.GENESIS, tip(3), true, warned::add)).as("a cluster member may join members running from it")
                .isNull();
        assertThat(warned).singleElement().asString().contains("after 2 batch(es), but the rollup holds 3 now", "members already running from it");
        assertThat(SequencerService.takeUpFile(member)).hasSameBinaryContentAs(file);
        byte[] elsewhere = new byte[32];
        java.util.Arrays.fill(elsewhere, (byte) 0x11);
        Hash32 other = new Hash32(elsewhere);
        assertThat(TakeUpStart.place(file, dir, Market.GENESIS, new TakeUpStart.L1Tip(2, other))).as("as many batches, another last one")
                .contains("after 2 batch(es) with root " + root() + ", but the rollup's tip is " + other, "another was posted in their place");
        assertThat(SequencerService.takeUpFile(dir)).doesNotExist();
        assertThat(TakeUpStart.place(file, dir, Market.GENESIS, tip(2))).as("it follows L1's last").isNull();
        assertThat(TakeUpStart.place(file, dir, Market.GENESIS, tip(7))).as("a restart with the same flag, after batches of its own").isNull();
    }

    @Test
    void whatCannotBeTakenUpIsRefusedWithWhatToDo() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("member"));
        assertThat(TakeUpStart.place(tmp.resolve("missing"), dir, Market.GENESIS, null)).contains("cannot read --take-up").contains("./clearline take-up --out");
        Path junk = Files.writeString(tmp.resolve("junk"), "not a state");
        assertThat(TakeUpStart.place(junk, dir, Market.GENESIS, null)).contains("is not a state ./clearline take-up wrote");

        Path file = tmp.resolve("t.snapshot");
        Files.write(file, takeUp(Market.GENESIS, 600));
        Genesis otherChain = new Genesis(1, Market.GENESIS.verifyingContract(), Market.GENESIS.books(), Market.GENESIS.batches());
        assertThat(TakeUpStart.place(file, dir, otherChain, null)).contains("was taken up for another venue").contains("chain id");

        Files.createDirectories(dir.resolve("cluster").resolve("x"));
        assertThat(TakeUpStart.place(file, dir, Market.GENESIS, null)).contains("holds a log of its own").contains("empty --dir");
        assertThat(SequencerService.takeUpFile(dir)).doesNotExist();

        Path notADir = Files.writeString(tmp.resolve("a-file"), "");
        assertThat(TakeUpStart.place(file, notADir, Market.GENESIS, null)).contains("cannot place the take-up in " + notADir);

        Path other = Files.createDirectories(tmp.resolve("other"));
        assertThat(TakeUpStart.place(file, other, Market.GENESIS, null)).isNull();
        Path second = Files.write(tmp.resolve("second.snapshot"), takeUp(Market.GENESIS, 700));
        assertThat(TakeUpStart.place(second, other, Market.GENESIS, null)).contains("already took up another state").contains("empty --dir");
        assertThat(SequencerService.takeUpFile(other)).as("the first one stays").hasSameBinaryContentAs(file);
    }
}
