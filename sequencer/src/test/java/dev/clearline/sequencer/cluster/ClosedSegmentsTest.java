package dev.clearline.sequencer.cluster;

import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The start-up check reads each closed segment once and then only what is new or changed
 * ({@link VerifiedSegments}), on archives Aeron's own archive wrote with 256 KiB segments: the
 * check's cost stays what changed since the last start, and no damage gets past it either way.
 */
class ClosedSegmentsTest {
    static final int SEGMENT = 256 * 1024;
    /** Two recordings of about five segments each: four closed, the last being written. */
    static final long RECORDED = 4 * SEGMENT + SEGMENT / 3;

    @TempDir
    static Path template;

    @TempDir
    Path dir;

    @BeforeAll
    static void recordOnce() {
        RecordedStream.record(template, 2, RECORDED, SEGMENT, 7);
    }

    @Test
    void eachClosedSegmentIsReadOnceThenTrustedWhileUnchanged() throws Exception {
        Path member = copyOfTemplate(dir.resolve("m"));
        int closed = closedSegments(member).size();
        assertThat(closed).as("the archive under test has closed segments in both recordings").isEqualTo(8);

        ArchiveCheck.Report first = ArchiveCheck.verify(member, 0);
        assertThat(first.closedSegmentsRead()).isEqualTo(closed);
        assertThat(first.closedSegmentsTrusted()).isZero();
        assertThat(first.lastSegmentsRead()).isEqualTo(2);

        ArchiveCheck.Report second = ArchiveCheck.verify(member, 0);
        assertThat(second.closedSegmentsRead()).as("nothing changed: nothing closed is read again").isZero();
        assertThat(second.closedSegmentsTrusted()).isEqualTo(closed);
        assertThat(second.closedBytesTrusted()).isEqualTo((long) closed * SEGMENT);

        // a third recording: only its closed segments are new
        RecordedStream.record(member, 1, RECORDED, SEGMENT, 8);
        ArchiveCheck.Report third = ArchiveCheck.verify(member, 0);
        assertThat(third.closedSegmentsRead()).isEqualTo(4);
        assertThat(third.closedSegmentsTrusted()).isEqualTo(closed);
        assertThat(third.lastSegmentsRead()).isEqualTo(3);
    }

    @Test
    void aFlippedPayloadByteInAClosedSegmentIsFoundWhetherAnEarlierCheckReadItOrNot() throws Exception {
        // the ways a closed segment can change under a ledger that vouched for it: written in place, written and its
        // modification time put back (the status-change time still moves), replaced by a damaged copy (another inode)
        Property.forAll(Gens.seeds(), Gens.ints(0, 3)).tries(8).check((seed, how) -> {
            Path member = copyOfTemplate(Files.createTempDirectory(dir, "try"));
            Random r = new Random(seed);
            if (how > 0) ArchiveCheck.verify(member, 0);
            List<File> closed = closedSegments(member);
            File victim = closed.get(r.nextInt(closed.size()));
            long at = payloadByte(victim, r);
            FileTime modified = Files.getLastModifiedTime(victim.toPath());
            if (how == 3) {
                Path copy = member.resolve("copy");
                Files.copy(victim.toPath(), copy);
                flip(copy.toFile(), at);
                Files.move(copy, victim.toPath(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            } else {
                flip(victim, at);
            }
            if (how >= 2) Files.setLastModifiedTime(victim.toPath(), modified);
            assertThatThrownBy(() -> ArchiveCheck.verify(member, 0)).as("byte %d of %s", at, victim.getName())
                    .isInstanceOf(ArchiveCheck.DamagedArchiveException.class)
                    .hasMessageContaining(victim.getName() + ") the frame at ")
                    .hasMessageContaining("fails its checksum")
                    .hasMessageContaining("Delete this member's directory");
        });
    }

    @Test
    void aClosedSegmentGoneFromTheMiddleOfARecordingIsDamage() throws Exception {
        Path member = copyOfTemplate(dir.resolve("m"));
        ArchiveCheck.verify(member, 0);
        File second = closedSegments(member).get(1);
        Files.delete(second.toPath());
        assertThatThrownBy(() -> ArchiveCheck.verify(member, 0)).isInstanceOf(ArchiveCheck.DamagedArchiveException.class)
                .hasMessageContaining("the segment file starting at position " + SegmentWalk.base(second.getName()) + " is missing");
    }

    @Test
    void anUnreadableLedgerMeansEverySegmentIsReadAgain() throws Exception {
        Path member = copyOfTemplate(dir.resolve("m"));
        ArchiveCheck.verify(member, 0);
        Files.writeString(member.resolve(VerifiedSegments.FILE_NAME), "not a ledger\n");
        ArchiveCheck.Report again = ArchiveCheck.verify(member, 0);
        assertThat(again.closedSegmentsRead()).isEqualTo(8);
        assertThat(again.closedSegmentsTrusted()).isZero();
        assertThat(ArchiveCheck.verify(member, 0).closedSegmentsTrusted()).as("the ledger is whole again").isEqualTo(8);
    }

    private static Path copyOfTemplate(Path to) throws IOException {
        Path from = template.resolve("archive");
        Files.createDirectories(to.resolve("archive"));
        try (var files = Files.list(from)) {
            for (Path f : files.toList()) Files.copy(f, to.resolve("archive").resolve(f.getFileName()));
        }
        return to;
    }

    /** Every recording's segment files but its last, in name order. */
    private static List<File> closedSegments(Path member) {
        File[] all = member.resolve("archive").toFile().listFiles((d, n) -> n.endsWith(".rec"));
        List<File> closed = new ArrayList<>();
        Arrays.stream(all).map(f -> f.getName().substring(0, f.getName().indexOf('-'))).distinct().forEach(id -> {
            List<File> mine = Arrays.stream(all).filter(f -> f.getName().startsWith(id + "-"))
                    .sorted(java.util.Comparator.comparingLong(f -> SegmentWalk.base(f.getName()))).toList();
            closed.addAll(mine.subList(0, mine.size() - 1));
        });
        return closed;
    }

    /** The offset of a random payload byte of a random data frame in {@code segment} (frame headers walked from its start). */
    private static long payloadByte(File segment, Random r) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(segment.toPath())).order(ByteOrder.LITTLE_ENDIAN);
        List<long[]> payloads = new ArrayList<>();
        for (int at = 0; at < b.capacity(); ) {
            int length = b.getInt(at);
            if (length == 0) break;
            if (b.getShort(at + 6) == 1 && length > 32) payloads.add(new long[] {at + 32, length - 32});
            at += (length + 31) & ~31;
        }
        long[] p = payloads.get(r.nextInt(payloads.size()));
        return p[0] + r.nextInt((int) p[1]);
    }

    private static void flip(File f, long at) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(f, "rw")) {
            raf.seek(at);
            int b = raf.read();
            raf.seek(at);
            raf.write(b ^ 0x10);
        }
    }
}
