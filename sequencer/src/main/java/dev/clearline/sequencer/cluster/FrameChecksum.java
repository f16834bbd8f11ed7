package dev.clearline.sequencer.cluster;

import io.aeron.archive.checksum.Checksum;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.zip.CRC32C;

/**
 * CRC-32C of one recorded frame's payload, for the archive to store with every frame it records
 * (in the frame header's session-id field, Aeron's place for it) and for {@link ArchiveCheck} to
 * verify before a member starts. Aeron's own CRC classes reach into {@code java.util.zip}
 * internals and need {@code --add-opens} on every JVM; this one copies the frame into a scratch
 * array and uses the public API. One instance per thread: the archive gets its own.
 */
public final class FrameChecksum implements Checksum {
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
    private final CRC32C crc = new CRC32C();
    private byte[] scratch = new byte[4096];

    /** Public and without arguments: Aeron's ArchiveTool creates checksums by class name. */
    public FrameChecksum() {
    }

    @Override
    public int compute(long address, int offset, int length) {
        // Aeron's stop-offset recovery (1.47.7 to 1.51.0) can ask for a frame at a negative offset from its buffer (ArchiveCheck's
        // TOOL_MISREAD); reading there would read memory outside the buffer and can crash the JVM. Nothing matches this.
        if (offset < 0 || length < 0) return 0;
        if (scratch.length < length) scratch = new byte[Math.max(length, scratch.length * 2)];
        view.wrap(address + offset, length);
        view.getBytes(0, scratch, 0, length);
        crc.reset();
        crc.update(scratch, 0, length);
        return (int) crc.getValue();
    }
}
