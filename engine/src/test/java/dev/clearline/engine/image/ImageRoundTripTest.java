package dev.clearline.engine.image;

import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The image primitives read back what they wrote, and a short image is refused, never misread. */
class ImageRoundTripTest {

    /** Arrays that are mostly zero with runs of values, single zeros inside runs and at the ends. */
    private static long[] sparse(Random r) {
        long[] a = new long[r.nextInt(200)];
        for (int i = 0; i < a.length; i++) if (r.nextInt(3) == 0) a[i] = r.nextInt(4) == 0 ? 0 : r.nextLong();
        return a;
    }

    /** ABI-like words: small numbers, negative ones, full words, zero words; sometimes a length that is not whole words. */
    private static byte[] words(Random r) {
        if (r.nextInt(10) == 0) return null;
        int n = r.nextInt(8) == 0 ? r.nextInt(70) : 32 * r.nextInt(14);
        byte[] b = new byte[n];
        for (int w = 0; w + 32 <= n; w += 32) {
            int kind = r.nextInt(4);
            int from = kind == 0 ? 32 : kind == 1 ? 24 + r.nextInt(8) : kind == 2 ? 0 : r.nextInt(32);
            for (int i = w + from; i < w + 32; i++) b[i] = (byte) r.nextInt(256);
            if (kind == 2) b[w] = (byte) 0xff;
        }
        for (int i = n - n % 32; i < n; i++) b[i] = (byte) r.nextInt(256);
        return b;
    }

    @Test
    void everyPrimitiveReadsBackAsWritten() {
        Property.forAll(Gens.seeds()).tries(300).check(seed -> {
            Random r = new Random(seed);
            long[] longs = sparse(r);
            int[] ints = new int[r.nextInt(100)];
            for (int i = 0; i < ints.length; i++) if (r.nextBoolean()) ints[i] = r.nextInt();
            byte[] words = words(r);
            String text = r.nextBoolean() ? null : "price ≥ " + r.nextLong();
            long l = r.nextLong();
            int i = r.nextInt();
            boolean flag = r.nextBoolean();

            ImageWriter w = new ImageWriter(16);
            w.writeLong(l).writeInt(i).writeBoolean(flag).writeSparseLongs(longs).writeSparseInts(ints).writeWords(words)
                    .writeString(text).writeLongs(longs).writeInts(ints);
            long[] into = new long[longs.length];
            w.writeSparseLongs(longs);
            byte[] image = w.toByteArray();

            ImageReader in = new ImageReader(image);
            assertThat(in.readLong()).isEqualTo(l);
            assertThat(in.readInt()).isEqualTo(i);
            assertThat(in.readBoolean()).isEqualTo(flag);
            assertThat(in.readSparseLongs()).isEqualTo(longs);
            assertThat(in.readSparseInts()).isEqualTo(ints);
            assertThat(in.readWords()).isEqualTo(words);
            assertThat(in.readString()).isEqualTo(text);
            assertThat(in.readLongs()).isEqualTo(longs);
            assertThat(in.readInts()).isEqualTo(ints);
            in.readSparseLongsInto(into);
            assertThat(into).isEqualTo(longs);
            in.expectEnd();

            // cut anywhere, the image is refused with ImageFormatException, never read as something else
            int cut = r.nextInt(image.length);
            ImageReader part = new ImageReader(image, 0, cut);
            assertThatThrownBy(() -> {
                part.readLong();
                part.readInt();
                part.readBoolean();
                part.readSparseLongs();
                part.readSparseInts();
                part.readWords();
                part.readString();
                part.readLongs();
                part.readInts();
                part.readSparseLongsInto(new long[longs.length]);
                part.expectEnd();
            }).isInstanceOf(ImageFormatException.class);
        });
    }

    @Test
    void anAbiWordOfASmallNumberTakesTwoBytesInsteadOf32() {
        byte[] value = new byte[13 * 32];
        for (int w = 0; w < 13; w++) value[w * 32 + 31] = (byte) (w + 1);
        ImageWriter w = new ImageWriter();
        w.writeWords(value);
        assertThat(w.size()).isEqualTo(4 + 13 * 2);
        assertThat(new ImageReader(w.toByteArray()).readWords()).isEqualTo(value);
    }

    @Test
    void aLengthPatchedInPlaceReadsBackAndTheArrayIsTheWritersOwn() {
        ImageWriter w = new ImageWriter(16);
        w.writeLong(7);
        int at = w.size();
        w.writeInt(0).writeRaw(new byte[100]).putInt(at, 100);
        assertThat(w.array()).hasSizeGreaterThanOrEqualTo(w.size());
        ImageReader r = new ImageReader(w.array(), 0, w.size());
        assertThat(r.readLong()).isEqualTo(7);
        assertThat(r.readInt()).isEqualTo(100);
        assertThatThrownBy(() -> w.putInt(w.size() - 3, 1)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void aPreallocatedTableOfAnotherSizeIsRefused() {
        ImageWriter w = new ImageWriter();
        w.writeSparseLongs(new long[64]);
        assertThatThrownBy(() -> new ImageReader(w.toByteArray()).readSparseLongsInto(new long[128]))
                .isInstanceOf(ImageFormatException.class).hasMessageContaining("64 longs where this build has 128");
        int[] ints = new int[64];
        ints[3] = 7;
        ints[60] = -1;
        ImageWriter wi = new ImageWriter();
        wi.writeSparseInts(ints);
        int[] into = new int[64];
        ImageReader r = new ImageReader(wi.toByteArray());
        r.readSparseIntsInto(into);
        r.expectEnd();
        assertThat(into).isEqualTo(ints);
        assertThatThrownBy(() -> new ImageReader(wi.toByteArray()).readSparseIntsInto(new int[32]))
                .isInstanceOf(ImageFormatException.class).hasMessageContaining("64 ints where this build has 32");
    }

    /**
     * A reader looks only at its window: a read past the window's end is refused even when the
     * array behind it goes on (a snapshot body inside a larger frame), and refused as a format
     * error, never an index error.
     */
    @Test
    void aReadPastTheWindowIsRefusedThoughTheArrayGoesOn() {
        byte[] behind = new byte[256];
        java.util.Arrays.fill(behind, (byte) 1);
        // each read with the bytes it needs from these (a length of 0x01010101 for the ones that carry one)
        List<java.util.function.Consumer<ImageReader>> reads = List.of(ImageReader::readByte, ImageReader::readInt, ImageReader::readLong,
                r -> r.readRaw(4), ImageReader::readBytes, ImageReader::readWords, ImageReader::readHash, ImageReader::readAddress);
        int[] needs = {1, 4, 8, 4, 4 + 0x01010101, 4 + 0x01010101 / 32, 33, 21};
        for (int i = 0; i < reads.size(); i++) {
            var read = reads.get(i);
            for (int window = 0; window < Math.min(needs[i], 60); window++) {
                ImageReader r = new ImageReader(behind, 10, window);
                assertThatThrownBy(() -> read.accept(r)).as("read %d in a window of %d bytes", i, window).isInstanceOf(ImageFormatException.class);
            }
        }
        // a word whose bytes run past the window, the array going on behind it
        ImageWriter cut = new ImageWriter();
        cut.writeInt(32).writeByte(32).writeRaw(new byte[32]);
        byte[] longer = java.util.Arrays.copyOf(cut.toByteArray(), 100);
        assertThatThrownBy(() -> new ImageReader(longer, 0, 5 + 10).readWords()).isInstanceOf(ImageFormatException.class);
        // a word longer than 32 bytes is refused; 32 is a whole word
        ImageWriter w = new ImageWriter();
        w.writeInt(32).writeByte(32).writeRaw(new byte[32]);
        assertThat(new ImageReader(w.toByteArray()).readWords()).hasSize(32);
        ImageWriter bad = new ImageWriter();
        bad.writeInt(32).writeByte(33).writeRaw(new byte[33]);
        assertThatThrownBy(() -> new ImageReader(bad.toByteArray()).readWords()).isInstanceOf(ImageFormatException.class).hasMessageContaining("33");
    }

    @Test
    void aCountIsTakenWhenItFitsWhatIsLeftAndRefusedWhenItCannot() {
        ImageWriter w = new ImageWriter();
        w.writeInt(3).writeRaw(new byte[24]);
        assertThat(new ImageReader(w.toByteArray()).readCount(8)).isEqualTo(3);
        ImageWriter over = new ImageWriter();
        over.writeInt(4).writeRaw(new byte[24]);
        assertThatThrownBy(() -> new ImageReader(over.toByteArray()).readCount(8)).isInstanceOf(ImageFormatException.class)
                .hasMessageContaining("a count of 4").hasMessageContaining("24 bytes left");
        ImageWriter negative = new ImageWriter();
        negative.writeInt(-1);
        assertThatThrownBy(() -> new ImageReader(negative.toByteArray()).readCount(0)).isInstanceOf(ImageFormatException.class);
    }

    /** Full words leave nothing to compact: the room made for them must be exact, from a writer that starts small. */
    @Test
    void fullWordsFitAWriterThatStartedSmall() {
        byte[] full = new byte[13 * 32];
        java.util.Arrays.fill(full, (byte) 0xff);
        ImageWriter w = new ImageWriter(16);
        w.writeWords(full);
        assertThat(w.size()).isEqualTo(4 + 13 * 33);
        assertThat(new ImageReader(w.toByteArray()).readWords()).isEqualTo(full);
    }

    @Test
    void anIntPatchedInPlaceKeepsEveryByte() {
        ImageWriter w = new ImageWriter(16);
        w.writeInt(0).writeInt(0);
        assertThat(w.putInt(4, 0x12345678)).isSameAs(w);
        assertThat(w.toByteArray()).containsExactly(0, 0, 0, 0, 0x12, 0x34, 0x56, 0x78);
        assertThatThrownBy(() -> w.putInt(-1, 1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> w.putInt(5, 1)).isInstanceOf(IndexOutOfBoundsException.class);
        w.putInt(0, 7);
        assertThat(new ImageReader(w.toByteArray()).readInt()).isEqualTo(7);
    }
}
