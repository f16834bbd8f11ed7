package dev.clearline.evm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.clearline.testkit.property.Gen;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The table-driven codec against the JDK's {@link HexFormat}, on bytes and on arbitrary text. */
class HexProperties {
    private static final Gen<String> TEXT = Gens.listOf(Gens.elements('0', '9', 'a', 'f', 'A', 'F', 'g', 'x', 'X', ' ', 'é', 'G'), 0, 12)
            .map(cs -> {
                StringBuilder b = new StringBuilder();
                cs.forEach(b::append);
                return b.toString();
            });

    @Test
    void encodeMatchesTheJdkAndDecodesBack() {
        Property.forAll(Gens.bytes(0, 70)).tries(300).check(bytes -> {
            String hex = Hex.encode(bytes);
            assertThat(hex).isEqualTo("0x" + HexFormat.of().formatHex(bytes));
            assertThat(Hex.decode(hex)).isEqualTo(bytes);
            assertThat(Hex.decode(hex.substring(2).toUpperCase())).isEqualTo(bytes);
        });
    }

    @Test
    void decodeAcceptsExactlyWhatTheJdkAccepts() {
        Property.forAll(TEXT, Gens.booleans()).tries(500).check((text, prefixed) -> {
            String input = prefixed ? "0x" + text : text;
            String digits = input.startsWith("0x") || input.startsWith("0X") ? input.substring(2) : input;
            byte[] expected;
            try {
                expected = digits.length() % 2 == 0 ? HexFormat.of().parseHex(digits) : null;
            } catch (IllegalArgumentException e) {
                expected = null;
            }
            if (expected == null) {
                assertThatThrownBy(() -> Hex.decode(input)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("hex");
            } else {
                assertThat(Hex.decode(input)).isEqualTo(expected);
                assertThat(Hex.isDigits(digits, 0)).isTrue();
            }
        });
    }
}
