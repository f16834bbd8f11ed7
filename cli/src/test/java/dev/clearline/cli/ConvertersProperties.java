package dev.clearline.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * What a value the CLI takes turns into, not only what it refuses (`CliErrorsTest` holds the refusals' words): an
 * amount written in collateral units is exactly the base units it names, at every size up to the largest and at 6
 * decimals; each bounded option takes its bounds and refuses one past either; a price, a host and a lifetime come
 * through as written. A converter that let a deposit's or an order's figure drift would pass every refusal test.
 */
class ConvertersProperties {
    @TempDir
    Path dir;

    @Test
    void anAmountWrittenAsUnitsShowThemReadsBackToTheSameBaseUnits() {
        Property.forAll(Gens.seeds()).tries(3_000).check(seed -> {
            Random r = new Random(seed);
            long base = switch (r.nextInt(4)) {
                case 0 -> r.nextInt(1_000_000);
                case 1 -> Long.MAX_VALUE - r.nextInt(1_000);
                default -> r.nextLong() & Long.MAX_VALUE;
            };
            String shown = Units.amount(base);
            assertThat(shown).as("seed %d", seed).matches("[0-9]+\\.[0-9]{6}");
            assertThat(Units.amount(BigInteger.valueOf(base))).isEqualTo(shown);
            assertThat(Units.parse(shown)).as("seed %d: %s", seed, shown).isEqualTo(base);
            // the same amount with its trailing zeros dropped, or one more zero, separators and spaces, reads the same
            String trimmed = new BigDecimal(shown).stripTrailingZeros().toPlainString();
            assertThat(Units.parse(" " + trimmed + " ")).isEqualTo(base);
            assertThat(Units.parse(shown + "0")).as("a seventh decimal that is 0").isEqualTo(base);
            if (base > 0) assertThat(new Converters.Amount().convert(shown)).isEqualTo(base);
        });
        assertThat(Units.parse("0.000001")).isOne();
        assertThat(Units.parse("1,000.5")).isEqualTo(1_000_500_000L);
        assertThat(Units.parse("9223372036854.775807")).isEqualTo(Long.MAX_VALUE);
        assertThatThrownBy(() -> Units.parse("9223372036854.775808")).hasMessageContaining("more than the largest amount");
        assertThatThrownBy(() -> Units.parse("0.0000001")).hasMessageContaining("more than 6 decimals");
        assertThatThrownBy(() -> new Converters.Amount().convert("0")).hasMessageContaining("more than 0");
    }

    @Test
    void weiReadsAsEtherWithTheDecimalsItNeeds() {
        Property.forAll(Gens.seeds()).tries(1_000).check(seed -> {
            BigInteger wei = new BigInteger(1 + new Random(seed).nextInt(100), new Random(seed));
            String ether = Units.ether(wei);
            assertThat(new BigDecimal(ether).movePointRight(18).toBigIntegerExact()).as("seed %d: %s", seed, ether).isEqualTo(wei);
            assertThat(ether).as("at least one decimal, no trailing zero past it").matches("[0-9]+\\.([0-9]*[1-9]|0)");
        });
        assertThat(Units.ether(BigInteger.ZERO)).isEqualTo("0.0");
        assertThat(Units.ether(BigInteger.TEN.pow(18))).isEqualTo("1.0");
        assertThat(Units.ether(BigInteger.ONE)).isEqualTo("0.000000000000000001");
    }

    /** A bounded whole-number option: its converter, its bounds. */
    private record Bounded(String name, ITypeConverter<? extends Number> converter, long min, long max) {}

    @Test
    void eachBoundedOptionTakesItsBoundsAndEveryValueBetweenAndRefusesOnePastEither() {
        List<Bounded> options = List.of(
                new Bounded("accounts", new Converters.Accounts(), 1, 1_000),
                new Bounded("confirmations", new Converters.Confirmations(), 1, 1_000),
                new Bounded("timeout", new Converters.TimeoutSeconds(), 1, 86_400),
                new Bounded("time speed", new Converters.TimeSpeed(), 1, 3_600),
                new Bounded("wait seconds", new Converters.Seconds(), 1, 86_400),
                new Bounded("port", new Converters.Port(), 0, 65_535),
                new Bounded("chain id", new Converters.ChainId(), 1, Converters.ChainId.MAX),
                new Bounded("lots", new Converters.Lots(), 1, Long.MAX_VALUE));
        Property.forAll(Gens.seeds()).tries(500).check(seed -> {
            Random r = new Random(seed);
            for (Bounded b : options) {
                long v = b.min() + (r.nextLong() & Long.MAX_VALUE) % (b.max() - b.min() + 1);
                for (long taken : List.of(b.min(), b.max(), v)) {
                    assertThat(b.converter().convert(" " + taken + " ").longValue()).as("seed %d: %s %d", seed, b.name(), taken).isEqualTo(taken);
                }
                if (b.min() > Long.MIN_VALUE) {
                    assertThatThrownBy(() -> b.converter().convert(Long.toString(b.min() - 1))).as("%s below", b.name())
                            .isInstanceOf(TypeConversionException.class);
                }
                if (b.max() < Long.MAX_VALUE) {
                    assertThatThrownBy(() -> b.converter().convert(Long.toString(b.max() + 1))).as("%s above", b.name())
                            .isInstanceOf(TypeConversionException.class);
                }
            }
        });
    }

    @Test
    void aMarketIdIsAnyUint32HeldAsTheEnginesInt() {
        Property.forAll(Gens.longs(0, 0xffff_ffffL)).tries(1_000).check(id ->
                assertThat(Integer.toUnsignedLong(new Converters.MarketId().convert(Long.toString(id)))).isEqualTo(id));
        assertThat(new Converters.MarketId().convert("4294967295")).isEqualTo(-1);
        assertThatThrownBy(() -> new Converters.MarketId().convert("4294967296")).isInstanceOf(TypeConversionException.class);
        assertThatThrownBy(() -> new Converters.MarketId().convert("-1")).isInstanceOf(TypeConversionException.class);
    }

    @Test
    void aBlockTimeIsItsSecondsToTheNanosecondWithinItsBounds() {
        Property.forAll(Gens.longs(1_000_000, 86_400_000_000_000L)).tries(1_000).check(nanos -> {
            String seconds = BigDecimal.valueOf(nanos).movePointLeft(9).toPlainString();
            assertThat(new Converters.BlockTime().convert(seconds)).as(seconds).isEqualTo(Duration.ofNanos(nanos));
        });
        assertThat(new Converters.BlockTime().convert("0")).isEqualTo(Duration.ZERO);
        assertThat(new Converters.BlockTime().convert("0.001")).isEqualTo(Duration.ofMillis(1));
        assertThat(new Converters.BlockTime().convert("86400")).isEqualTo(Duration.ofDays(1));
        for (String out : List.of("0.0009", "86400.001", "-1", "NaN")) {
            assertThatThrownBy(() -> new Converters.BlockTime().convert(out)).as(out).isInstanceOf(TypeConversionException.class);
        }
    }

    @Test
    void aPercentageIsItsPartsPerMillionUpToAHundred() {
        Property.forAll(Gens.longs(0, 1_000_000)).tries(1_000).check(ppm -> {
            String percent = BigDecimal.valueOf(ppm).movePointLeft(4).stripTrailingZeros().toPlainString() + "%";
            assertThat(new Converters.Percent().convert(percent)).as(percent).isEqualTo(ppm);
        });
        assertThat(new Converters.Percent().convert("100%")).isEqualTo(1_000_000L);
        assertThatThrownBy(() -> new Converters.Percent().convert("100.0001%")).hasMessageContaining("more than 100%");
    }

    @Test
    void aPriceAHostAndALifetimeComeThroughAsWritten() {
        assertThat(new Converters.Price().convert(" 0.0102 ")).isEqualTo("0.0102");
        assertThatThrownBy(() -> new Converters.Price().convert("0")).hasMessageContaining("a price must be more than 0");
        assertThat(new Converters.Host().convert(" 127.0.0.1 ")).isEqualTo("127.0.0.1");
        assertThat(new Converters.Lifetime().convert("90s")).isEqualTo(90L);
        assertThat(new Converters.Lifetime().convert("7d")).isEqualTo(7L * 86_400);
        assertThat(new Converters.VenueLifetime().convert("2h")).isEqualTo(7_200L);
        assertThat(new Converters.VenueLifetime().convert("none")).isZero();
        assertThatThrownBy(() -> new Converters.Lifetime().convert("none")).isInstanceOf(TypeConversionException.class);
    }

    @Test
    void aPrivateKeyIsTheSameKeyWithOrWithoutItsPrefix() {
        Property.forAll(Gens.longs(1, Long.MAX_VALUE)).tries(200).check(k -> {
            String hex = String.format("%064x", k);
            String address = new Converters.PrivateKey().convert("0x" + hex).getAddress();
            assertThat(new Converters.PrivateKey().convert(hex).getAddress()).as(hex).isEqualTo(address);
            assertThat(new Converters.PrivateKey().convert(" 0X" + hex.toUpperCase() + " ").getAddress()).isEqualTo(address);
        });
        assertThatThrownBy(() -> new Converters.PrivateKey().convert("0x" + "0".repeat(64))).hasMessageContaining("not a valid secp256k1 private key");
        assertThatThrownBy(() -> new Converters.PrivateKey().convert("0x" + "1".repeat(63))).hasMessageContaining("has 63 hex digits");
    }

    @Test
    void aDataDirectoryIsOneThatIsOrCanBeMadeAndNeverAFile() throws Exception {
        assertThat(new Converters.DataDir().convert(dir.toString())).isEqualTo(dir);
        Path inside = dir.resolve("a/b");
        assertThat(new Converters.DataDir().convert(inside.toString())).as("created later, under a writable parent").isEqualTo(inside);
        Path file = Files.writeString(dir.resolve("f"), "x");
        assertThatThrownBy(() -> new Converters.DataDir().convert(file.toString())).hasMessageContaining("is not a directory");
        assertThatThrownBy(() -> new Converters.DataDir().convert(file.resolve("below").toString())).hasMessageContaining("is not a directory");
    }
}
