package dev.clearline.sequencer.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The venue's longest order lifetime, as the trader API applies it before anything reaches the cluster. */
class OrderLifetimeTest {
    static final long DAY = 86_400;

    static Order expiring(long expiry) {
        return new Order(Address.fromHex("0x00000000000000000000000000000000000000aa"), 1, Side.BUY, 10_000, 1_000, 0,
                TimeInForce.GTC, 0, expiry, 1, 1_000_000);
    }

    static String refusal(OrderLifetime rule, long expiry) {
        try {
            rule.check(expiring(expiry));
            return null;
        } catch (ApiError e) {
            return e.code();
        }
    }

    @Test
    void anOrderIsTakenExactlyWhenItExpiresWithinTheLongestLifetimeOfTheNodesClockAndAMinute() {
        // expiries near both edges and anywhere in the unsigned range (a uint64 past 2^63 arrives as a negative long)
        Property.forAll(Gens.longs(1, OrderLifetime.LONGEST_SECONDS), Gens.longs(0, 4_000_000_000L)).tries(300).check((max, now) -> {
            OrderLifetime rule = new OrderLifetime(max, () -> now);
            long latest = now + max + OrderLifetime.CLOCK_SKEW_SECONDS;
            assertThat(refusal(rule, 0)).isEqualTo("EXPIRY_REQUIRED");
            assertThat(refusal(rule, latest)).isNull();
            assertThat(refusal(rule, latest + 1)).isEqualTo("EXPIRY_TOO_FAR");
            assertThat(refusal(rule, 1)).as("an expiry in the past is the exchange's to refuse, as EXPIRED").isNull();
            assertThat(refusal(rule, -1)).isEqualTo("EXPIRY_TOO_FAR");
            assertThat(refusal(rule, Long.MIN_VALUE)).isEqualTo("EXPIRY_TOO_FAR");
        });
        Property.forAll(Gens.longs()).tries(300).check(expiry ->
                assertThat(refusal(OrderLifetime.unlimited(), expiry)).as("without a rule every order is taken").isNull());
    }

    @Test
    void theRuleReadsTheClockItIsGivenAtEachOrder() {
        AtomicLong clock = new AtomicLong(1_000_000);
        OrderLifetime rule = new OrderLifetime(DAY, clock::get);
        long expiry = 1_000_000 + DAY + 61;
        assertThat(refusal(rule, expiry)).isEqualTo("EXPIRY_TOO_FAR");
        clock.addAndGet(1);
        assertThat(refusal(rule, expiry)).isNull();
    }

    @Test
    void aRefusalSaysWhatTheVenueTakesAndHowToSignIt() {
        OrderLifetime rule = new OrderLifetime(7 * DAY, () -> 1_700_000_000L);
        assertThatThrownBy(() -> rule.check(expiring(0))).isInstanceOf(ApiError.class)
                .hasMessageContaining("only orders that expire, at most 7d ahead").hasMessageContaining("at most 1700604860")
                .hasMessageContaining("--expires-in 7d")
                .satisfies(e -> assertThat(((ApiError) e).status()).isEqualTo(400));
        assertThatThrownBy(() -> rule.check(expiring(1_800_000_000L))).isInstanceOf(ApiError.class)
                .hasMessageContaining("expires at 1800000000").hasMessageContaining("more than 7d from now (1700000000)")
                .hasMessageContaining("an expiry of at most 1700604860");
    }

    @Test
    void theVenueDescribesTheRuleWithTheNodesClock() {
        ObjectNode v = TraderApi.JSON.createObjectNode();
        new OrderLifetime(2 * 3_600, () -> 42).describe(v);
        assertThat(v.toString()).isEqualTo("{\"maxOrderLifetime\":7200,\"expiryClockSkew\":60,\"now\":42}");
        ObjectNode none = TraderApi.JSON.createObjectNode();
        OrderLifetime.unlimited().describe(none);
        assertThat(none.toString()).isEqualTo("{\"maxOrderLifetime\":0,\"expiryClockSkew\":0}");
    }

    @Test
    void lifetimesAreWrittenWithAUnitAndNoneMeansNoRule() {
        assertThat(OrderLifetime.parse("90s")).isEqualTo(90);
        assertThat(OrderLifetime.parse("10m")).isEqualTo(600);
        assertThat(OrderLifetime.parse(" 2H ")).isEqualTo(7_200);
        assertThat(OrderLifetime.parse("7d")).isEqualTo(7 * DAY);
        assertThat(OrderLifetime.parse("365d")).isEqualTo(OrderLifetime.LONGEST_SECONDS);
        assertThat(OrderLifetime.parse("none")).isZero();
        for (String bad : new String[] {"", "7", "d", "0s", "-1m", "366d", "8761h", "1w", "1.5h", "99999999999999999999d"}) {
            assertThatThrownBy(() -> OrderLifetime.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("is not a lifetime from 1s to 365d");
        }
        Property.forAll(Gens.longs(1, OrderLifetime.LONGEST_SECONDS)).tries(300).check(s ->
                assertThat(OrderLifetime.parse(OrderLifetime.format(s))).isEqualTo(s));
        assertThat(OrderLifetime.format(5_400)).isEqualTo("90m");
        assertThat(OrderLifetime.format(90_000)).isEqualTo("25h");
        assertThatThrownBy(() -> new OrderLifetime(OrderLifetime.LONGEST_SECONDS + 1, () -> 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new OrderLifetime(-1, () -> 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
