package dev.clearline.sequencer.state;

import dev.clearline.engine.image.ImageFormatException;
import dev.clearline.engine.image.ImageReader;
import dev.clearline.engine.image.ImageWriter;
import dev.clearline.engine.order.Address;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The traders' dead man's switches alone ({@link CancelSchedules}): a nonce only rises, a moved switch is due at its new
 * deadline only, traders come due by deadline then address, and the image is canonical (two equal sets of switches write
 * the same bytes, whatever order they were set in) and reads back whole, a nonce of 0 and a switch turned off included.
 */
class CancelSchedulesTest {
    /** Two addresses whose hash codes are equal (their last two bytes weigh 31 * 1 + 0 and 31 * 0 + 31): one bucket of a map. */
    private static final Address LOW = address(0, 31), HIGH = address(1, 0);

    private static Address address(int secondLast, int last) {
        byte[] b = new byte[20];
        b[0] = 7;
        b[18] = (byte) secondLast;
        b[19] = (byte) last;
        return new Address(b);
    }

    private static byte[] image(CancelSchedules s) {
        ImageWriter out = new ImageWriter(256);
        s.writeImage(out);
        return out.toByteArray();
    }

    private static CancelSchedules read(byte[] image) {
        CancelSchedules s = new CancelSchedules();
        s.readImage(new ImageReader(image));
        return s;
    }

    @Test
    void aNonceOnlyRisesAndAMovedSwitchIsDueAtItsNewDeadlineOnly() {
        CancelSchedules s = new CancelSchedules();
        assertThat(s.lastNonce(LOW)).isEqualTo(-1);
        s.set(LOW, 100, 0);
        assertThatThrownBy(() -> s.set(LOW, 200, 0)).as("the same nonce").isInstanceOf(IllegalArgumentException.class);
        s.set(LOW, 200, 1);
        assertThatThrownBy(() -> s.set(LOW, 50, 0)).as("a lower nonce").isInstanceOf(IllegalArgumentException.class);
        assertThat(s.deadline(LOW)).isEqualTo(200);
        assertThat(s.due(199)).isEmpty();
        assertThat(s.due(200)).containsExactly(new CancelSchedules.Due(LOW, 200));
        assertThat(s.isEmpty()).isTrue();
        assertThat(s.deadline(LOW)).isNull();
        assertThat(s.lastNonce(LOW)).as("kept after it fired").isEqualTo(1);
    }

    @Test
    void tradersComeDueByDeadlineThenAddressAndOneTurnedOffNever() {
        CancelSchedules s = new CancelSchedules();
        Address third = address(9, 9);
        s.set(HIGH, 10, 1);
        s.set(LOW, 10, 1);
        s.set(third, 5, 1);
        s.set(third, 0, 2);
        s.set(third, 7, 3);
        Address off = address(8, 8);
        s.set(off, 3, 1);
        s.set(off, 0, 2);
        assertThat(s.due(10)).containsExactly(new CancelSchedules.Due(third, 7), new CancelSchedules.Due(LOW, 10), new CancelSchedules.Due(HIGH, 10));
        assertThat(s.due(1_000)).isEmpty();
    }

    @Test
    void theImageIsTheSameWhateverTheOrderSwitchesWereSetInAndReadsBackWhole() {
        CancelSchedules a = new CancelSchedules(), b = new CancelSchedules();
        a.set(HIGH, 300, 4);
        a.set(LOW, 0, 0); // a nonce of 0, the switch off: only the nonce is kept
        b.set(LOW, 0, 0);
        b.set(HIGH, 300, 4);
        assertThat(LOW.hashCode()).as("one bucket, where a map keeps the order they came in").isEqualTo(HIGH.hashCode());
        assertThat(image(a)).isEqualTo(image(b));
        CancelSchedules back = read(image(a));
        assertThat(image(back)).isEqualTo(image(a));
        assertThat(back.lastNonce(LOW)).isZero();
        assertThat(back.deadline(LOW)).isNull();
        assertThat(back.lastNonce(HIGH)).isEqualTo(4);
        assertThat(back.due(300)).containsExactly(new CancelSchedules.Due(HIGH, 300));
    }

    @Test
    void aDamagedImageIsRefused() {
        for (long[] bad : List.of(new long[] {-1, 5}, new long[] {1, -5})) {
            ImageWriter out = new ImageWriter(64);
            out.writeInt(1);
            out.writeAddress(LOW).writeLong(bad[0]).writeLong(bad[1]);
            assertThatThrownBy(() -> read(out.toByteArray())).isInstanceOf(ImageFormatException.class).hasMessageContaining("negative");
        }
        ImageWriter twice = new ImageWriter(128);
        twice.writeInt(2);
        twice.writeAddress(LOW).writeLong(1).writeLong(5);
        twice.writeAddress(LOW).writeLong(2).writeLong(6);
        assertThatThrownBy(() -> read(twice.toByteArray())).isInstanceOf(ImageFormatException.class).hasMessageContaining("named twice");
    }
}
