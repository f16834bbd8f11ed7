package dev.clearline.evm.revert;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.evm.Bytes32;
import dev.clearline.evm.Hex;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.StringLength;

class RevertDecoderProperties {
    final RevertDecoder decoder = new RevertDecoder();

    @Property(tries = 200)
    void anyErrorStringDecodesToItself(@ForAll @StringLength(max = 100) String message) {
        assertThat(decoder.decode(errorString(message))).isEqualTo(new Revert.ErrorMessage(message));
    }

    @Property(tries = 100)
    void anyPanicCodeDecodesToItselfWithAMeaning(@ForAll("uint256") BigInteger code) {
        byte[] data = concat(Hex.decode("4e487b71"), Bytes32.of(code).bytes());

        Revert r = decoder.decode(data);

        assertThat(r).isInstanceOfSatisfying(Revert.Panic.class, p -> {
            assertThat(p.code()).isEqualTo(code);
            assertThat(p.meaning()).isNotBlank();
        });
    }

    @Property(tries = 100)
    void truncatedErrorDataIsReportedRawInsteadOfGuessed(@ForAll @StringLength(min = 1, max = 40) String message) {
        byte[] full = errorString(message);
        byte[] truncated = java.util.Arrays.copyOf(full, 4 + 40);

        assertThat(decoder.decode(truncated)).isInstanceOf(Revert.Unknown.class);
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<BigInteger> uint256() {
        return net.jqwik.api.Arbitraries.bigIntegers().between(BigInteger.ZERO, BigInteger.TWO.pow(256).subtract(BigInteger.ONE));
    }

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
