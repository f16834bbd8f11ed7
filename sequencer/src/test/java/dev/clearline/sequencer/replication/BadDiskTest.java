package dev.clearline.sequencer.replication;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A member's disk going bad, with the other two serving throughout. First a follower's recorded
 * log is damaged while it is down (one payload byte of one frame flipped in a segment file):
 * restarted, it refuses to start, naming the file and saying to wipe its directory; wiped and
 * started again, it rejoins from the others and all three agree. Then the same follower finds
 * less free disk than it needs ({@code --min-free-mb} above what the disk has: a full disk
 * without filling one): it stops with what to do. The low-disk stop of a member that is running
 * when the disk fills is {@code DiskWatchTest}'s (the same check, every second).
 */
class BadDiskTest {
    @TempDir
    Path dir;

    @Test
    void aDamagedLogOrAFullDiskStopsThatMemberWithWhatToDoAndTheOthersKeepServing() throws Exception {
        try (MemberProcesses members = MemberProcesses.start(dir, 3, "--dev-setup", "2", "--snapshot-every", "0", "--rate-per-key", "1000000")) {
            int leader = members.awaitLeader(60_000);
            long seq = members.awaitAgreement(3, 60_000).getFirst().path("seq").asLong();
            int follower = (leader + 1) % 3;
            members.kill9(follower);

            Path segment = largestSegment(members.memberDir(follower).resolve("archive"));
            long flipped = flipAPayloadByteOfTheFirstFrame(segment);

            Process p = members.launch(follower);
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("the damaged member stops by itself").isTrue();
            String out = members.output(follower);
            assertThat(p.exitValue()).as("exit code; output:%n%s", out).isEqualTo(70);
            assertThat(out).contains("member " + follower + "'s recorded log in")
                    .contains("is damaged")
                    .contains(segment.getFileName().toString())
                    .contains("Delete this member's directory (" + members.memberDir(follower) + ")");

            // the other two keep serving
            members.awaitLeader(30_000);
            long later = members.awaitAgreement(seq + 1, 60_000).getFirst().path("seq").asLong();

            LeaderFailoverTest.deleteRecursively(members.memberDir(follower));
            members.restart(follower);
            List<com.fasterxml.jackson.databind.JsonNode> all = members.awaitAgreement(later, 120_000);
            assertThat(all).hasSize(3);
            // a full disk: the member stops before it records anything
            members.kill9(follower);
            Process full = members.launch(follower, "--min-free-mb", String.valueOf(Long.MAX_VALUE >> 21));
            assertThat(full.waitFor(60, TimeUnit.SECONDS)).as("the member on a full disk stops by itself").isTrue();
            String fullOut = members.output(follower);
            assertThat(full.exitValue()).as("exit code; output:%n%s", fullOut).isEqualTo(4);
            assertThat(fullOut).contains("member " + follower + " stopped: the disk holding").contains("MiB free, less than the")
                    .contains("start this member again");
            members.awaitLeader(30_000);
            members.awaitAgreement(all.getFirst().path("seq").asLong() + 1, 60_000);

            System.out.printf("member %d: byte %d of %s flipped, refused to start: %s; wiped, rejoined at seq %d%n", follower, flipped,
                    segment.getFileName(), out.lines().filter(l -> l.contains("damaged")).findFirst().orElse(""), all.getFirst().path("seq").asLong());
        }
    }

    static Path largestSegment(Path archive) throws Exception {
        try (var files = Files.list(archive)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".rec"))
                    .max(Comparator.comparingLong(BadDiskTest::allocated)).orElseThrow();
        }
    }

    private static long allocated(Path p) {
        try {
            return Files.size(p);
        } catch (java.io.IOException e) {
            return 0;
        }
    }

    /** Flips the middle payload byte of the segment's first data frame; returns its offset in the file. */
    static long flipAPayloadByteOfTheFirstFrame(Path segment) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
            byte[] header = new byte[32];
            f.readFully(header);
            int frameLength = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).getInt(0);
            assertThat(frameLength).as("the first frame's length").isGreaterThan(33);
            long at = 32 + (frameLength - 32) / 2;
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0x5a);
            return at;
        }
    }
}
