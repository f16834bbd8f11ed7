package dev.clearline.sequencer.cluster;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.archive.Archive;
import io.aeron.archive.ArchiveThreadingMode;
import io.aeron.archive.ArchivingMediaDriver;
import io.aeron.archive.client.AeronArchive;
import io.aeron.archive.codecs.SourceLocation;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.file.Path;
import java.util.Random;

/**
 * An archive written by Aeron's own archive, as a member's is (every frame's CRC-32C stored by
 * {@link FrameChecksum}), holding recordings of random messages in small segment files: an archive
 * with many closed segments in seconds, where a member's log takes 128 MiB per segment.
 */
final class RecordedStream {
    static final int TERM_LENGTH = 64 * 1024;

    private RecordedStream() {}

    /**
     * Records {@code recordings} streams of {@code bytes} of messages (1 to 2,000 bytes each, random from {@code seed}) into
     * {@code memberDir/archive}, in segment files of {@code segmentLength} bytes; returns the bytes each stream recorded.
     */
    static long[] record(Path memberDir, int recordings, long bytes, int segmentLength, long seed) {
        return record(memberDir, recordings, bytes, segmentLength, 2_000, seed);
    }

    /** As {@link #record(Path, int, long, int, long)}, with messages of 1 to {@code largestMessage} bytes. */
    static long[] record(Path memberDir, int recordings, long bytes, int segmentLength, int largestMessage, long seed) {
        String aeronDir = memberDir.resolve("aeron").toString();
        MediaDriver.Context driver = new MediaDriver.Context().aeronDirectoryName(aeronDir).threadingMode(ThreadingMode.SHARED)
                .dirDeleteOnStart(true).dirDeleteOnShutdown(true).ipcTermBufferLength(TERM_LENGTH);
        Archive.Context archive = new Archive.Context().aeronDirectoryName(aeronDir).archiveDir(memberDir.resolve("archive").toFile())
                .controlChannel("aeron:udp?endpoint=localhost:0").localControlChannel("aeron:ipc?term-length=64k").replicationChannel("aeron:udp?endpoint=localhost:0")
                .recordingEventsEnabled(false).recordChecksum(new FrameChecksum()).segmentFileLength(segmentLength)
                .threadingMode(ArchiveThreadingMode.SHARED).deleteArchiveOnStart(false);
        Random random = new Random(seed);
        long[] recorded = new long[recordings];
        try (ArchivingMediaDriver ignored = ArchivingMediaDriver.launch(driver, archive);
             Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(aeronDir));
             AeronArchive client = AeronArchive.connect(new AeronArchive.Context().aeron(aeron)
                     .controlRequestChannel("aeron:ipc?term-length=64k").controlResponseChannel("aeron:ipc?term-length=64k"))) {
            for (int n = 0; n < recordings; n++) {
                String channel = "aeron:ipc?term-length=" + TERM_LENGTH;
                int stream = 1_001 + n;
                client.startRecording(channel, stream, SourceLocation.LOCAL);
                try (ExclusivePublication pub = aeron.addExclusivePublication(channel, stream)) {
                    byte[] bytesOut = new byte[largestMessage];
                    UnsafeBuffer message = new UnsafeBuffer(bytesOut);
                    while (pub.position() < bytes) {
                        random.nextBytes(bytesOut);
                        while (pub.offer(message, 0, 1 + random.nextInt(bytesOut.length)) < 0) Thread.onSpinWait();
                    }
                    long end = pub.position();
                    long id;
                    while ((id = client.findLastMatchingRecording(0, "aeron:ipc", stream, pub.sessionId())) < 0) Thread.onSpinWait();
                    while (client.getRecordingPosition(id) < end) Thread.onSpinWait();
                    recorded[n] = end;
                }
                client.stopRecording(channel, stream);
            }
        }
        return recorded;
    }
}
