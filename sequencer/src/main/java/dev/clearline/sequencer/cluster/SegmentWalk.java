package dev.clearline.sequencer.cluster;

import io.aeron.archive.codecs.RecordingDescriptorDecoder;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Reads one segment file of an archive recording back frame by frame, as Aeron's archive tool
 * does: each frame header where its position says it is (term offset, term id, stream), each data
 * frame's payload against the CRC-32C the archive stored in its session-id field
 * ({@link FrameChecksum}). Used for the segments the tool does not read (every one but a
 * recording's last, {@link ArchiveCheck}) and for recordings the tool misreads.
 */
final class SegmentWalk {
    /** A frame header's length; frames are aligned to it. */
    private static final int HEADER = 32;
    /** A data frame is at most one MTU (64 KiB); padding frames are skipped unread. */
    private static final int LARGEST_FRAME = 65_536 + HEADER;

    /** How a recording lays its frames out across its segment files, from its catalog entry. */
    record Layout(long id, long startPosition, long stopPosition, int termLength, int segmentLength, int initialTermId, int streamId) {
        static Layout of(RecordingDescriptorDecoder d) {
            return new Layout(d.recordingId(), d.startPosition(), d.stopPosition(), d.termBufferLength(), d.segmentFileLength(),
                    d.initialTermId(), d.streamId());
        }

        long startTermOffset() {
            return startPosition & (termLength - 1);
        }

        /** The position the first segment file is named after: the start's term base. */
        long firstSegmentBase() {
            return startPosition - startTermOffset();
        }

        /**
         * The recording's segment files in position order (none: an empty array), from its start on: files before it are
         * segments a trim detached ({@link LogTrim}) and a kill kept it from deleting, no longer part of the recording.
         */
        File[] segments(File archive) {
            File[] files = archive.listFiles((dir, name) -> name.startsWith(id + "-") && name.endsWith(".rec") && base(name) >= firstSegmentBase());
            if (files == null) return new File[0];
            java.util.Arrays.sort(files, java.util.Comparator.comparingLong(f -> base(f.getName())));
            return files;
        }
    }

    private final FrameChecksum crc = new FrameChecksum();

    /** The position a segment file's name gives: {@code <recordingId>-<base>.rec}. */
    static long base(String segmentName) {
        return Long.parseLong(segmentName.substring(segmentName.indexOf('-') + 1, segmentName.length() - ".rec".length()));
    }

    /**
     * Walks segment {@code f} of recording {@code r}, which starts at position {@code base}, from its first frame to
     * the first empty header or its end. Returns the file offset where its frames end, or -1 after adding what is
     * wrong to {@code found}. An empty file is the caller's to judge (it may be one the archive had not sized yet).
     */
    long walk(File f, Layout r, long base, List<String> found) throws IOException {
        long offset = base == r.firstSegmentBase() ? r.startTermOffset() : 0;
        try (FileChannel ch = FileChannel.open(f.toPath(), StandardOpenOption.READ)) {
            long limit = Math.min(r.segmentLength(), ch.size());
            if (limit == 0) return offset;
            // mapped, not read a frame at a time: two reads per frame of a few hundred bytes made the walk
            // a system call every ~150 bytes (5.5 s for 2 GB of log against about a third of that mapped)
            MappedByteBuffer mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, limit);
            try {
                UnsafeBuffer segment = new UnsafeBuffer(mapped);
                while (offset < limit) {
                    if (offset + HEADER > limit) {
                        found.add("(recordingId=" + r.id() + ", file=" + f + ") a frame header at " + offset + " cannot be read whole");
                        return -1;
                    }
                    int at = (int) offset;
                    int length = segment.getInt(at, ByteOrder.LITTLE_ENDIAN);
                    if (length == 0) break;
                    long position = base + offset;
                    int expectedTermOffset = (int) (position & (r.termLength() - 1));
                    int expectedTermId = r.initialTermId() + (int) (position / r.termLength());
                    int aligned = (length + HEADER - 1) & ~(HEADER - 1);
                    if (length < HEADER || aligned > r.termLength() || segment.getInt(at + 8, ByteOrder.LITTLE_ENDIAN) != expectedTermOffset
                            || segment.getInt(at + 20, ByteOrder.LITTLE_ENDIAN) != expectedTermId
                            || segment.getInt(at + 16, ByteOrder.LITTLE_ENDIAN) != r.streamId()) {
                        found.add("(recordingId=" + r.id() + ", file=" + f + ") the frame at " + offset + " is not where it says it is");
                        return -1;
                    }
                    if (segment.getShort(at + 6, ByteOrder.LITTLE_ENDIAN) == 1) { // a data frame: its payload against the CRC-32C in its session-id field
                        if (aligned > LARGEST_FRAME) {
                            found.add("(recordingId=" + r.id() + ", file=" + f + ") the data frame at " + offset + " claims " + length + " bytes");
                            return -1;
                        }
                        if (offset + aligned > limit) {
                            found.add("(recordingId=" + r.id() + ", file=" + f + ") the frame at " + offset + " is cut short");
                            return -1;
                        }
                        if (crc.compute(segment.addressOffset(), at + HEADER, aligned - HEADER) != segment.getInt(at + 12, ByteOrder.LITTLE_ENDIAN)) {
                            found.add("(recordingId=" + r.id() + ", file=" + f + ") the frame at " + offset + " fails its checksum");
                            return -1;
                        }
                    }
                    offset += aligned;
                }
            } finally {
                IoUtil.unmap(mapped);
            }
        }
        return offset;
    }
}
