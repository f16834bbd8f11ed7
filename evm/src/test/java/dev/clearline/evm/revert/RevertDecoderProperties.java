package dev.clearline.evm.revert;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.evm.Bytes32;
import dev.clearline.evm.Hex;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import dev.clearline.testkit.property.Gen;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.junit.jupiter.api.Test;

class RevertDecoderProperties {
    final RevertDecoder decoder = new RevertDecoder();

    @Test
    void anyErrorStringDecodesToItself() {
        Property.forAll(Gens.strings(0, 100)).tries(200).check(message -> {
            assertThat(decoder.decode(errorString(message))).isEqualTo(new Revert.ErrorMessage(message));
        });
    }

    @Test
    void anyPanicCodeDecodesToItselfWithAMeaning() {
        Property.forAll(UINT256).tries(100).check(code -> {
            byte[] data = concat(Hex.decode("4e487b71"), Bytes32.of(code).bytes());

            Revert r = decoder.decode(data);

            assertThat(r).isInstanceOfSatisfying(Revert.Panic.class, p -> {
                assertThat(p.code()).isEqualTo(code);
                assertThat(p.meaning()).isNotBlank();
            });
        });
    }

    @Test
    void truncatedErrorDataIsReportedRawInsteadOfGuessed() {
        Property.forAll(Gens.strings(1, 40)).tries(100).check(message -> {
            byte[] full = errorString(message);
            byte[] truncated = java.util.Arrays.copyOf(full, 4 + 40);

            assertThat(decoder.decode(truncated)).isInstanceOf(Revert.Unknown.class);
        });
    }

    private static final BigInteger UINT256_MAX = BigInteger.TWO.pow(256).subtract(BigInteger.ONE);

    /** Any uint256: the bounds, the usual small panic codes, and uniform 256-bit values. */
    private static final Gen<BigInteger> UINT256 = Gens.frequency(
            1, Gens.elements(BigInteger.ZERO, BigInteger.ONE, UINT256_MAX, UINT256_MAX.subtract(BigInteger.ONE)),
            2, Gens.longs(0, 0x100).map(BigInteger::valueOf),
            7, Gens.bytes(32).map(b -> new BigInteger(1, b)));

    private static byte[] errorString(String message) {
        byte[] text = message.getBytes(StandardCharsets.UTF_8);
        byte[] padded = new byte[(text.length + 31) / 32 * 32];
        System.arraycopy(text, 0, padded, 0, text.length);
        return concat(Hex.decode("08c379a0"), Bytes32.of(32).bytes(), Bytes32.of(text.length).bytes(), padded);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
