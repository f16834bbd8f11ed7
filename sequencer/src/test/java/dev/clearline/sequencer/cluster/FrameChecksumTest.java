package dev.clearline.sequencer.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/**
 * The archive's frame checksum: CRC-32C of the bytes asked for, and nothing read outside them when Aeron's stop-offset
 * recovery asks for a frame at a negative offset (it did, after a kill, and the read crashed a JVM: ArchiveCheck).
 */
class FrameChecksumTest {
    @Test
    void itIsTheCrc32cOfTheBytesAskedFor() {
        ByteBuffer direct = ByteBuffer.allocateDirect(64);
        for (int i = 0; i < 64; i++) direct.put(i, (byte) (i * 7));
        CRC32C crc = new CRC32C();
        byte[] part = new byte[40];
        for (int i = 0; i < 40; i++) part[i] = (byte) ((i + 16) * 7);
        crc.update(part);
        assertThat(new FrameChecksum().compute(new UnsafeBuffer(direct).addressOffset(), 16, 40)).isEqualTo((int) crc.getValue());
    }

    @Test
    void aNegativeOffsetOrLengthReadsNothingAndMatchesNothing() {
        long address = new UnsafeBuffer(ByteBuffer.allocateDirect(64)).addressOffset();
        assertThat(new FrameChecksum().compute(address, -256, 256)).isZero();
        assertThat(new FrameChecksum().compute(address, 0, -1)).isZero();
    }
}
