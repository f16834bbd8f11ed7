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

/** The venue's oldest mark price, as the trader API applies it before an order reaches the cluster. */
class MarkFreshnessProperties {
    static Order order(int market, int flags) {
        return new Order(Address.fromHex("0x00000000000000000000000000000000000000aa"), market, Side.BUY, 10_000, 1_000, 0,
                TimeInForce.GTC, flags, 0, 1, 1_000_000);
    }

    static String refusal(MarkFreshness rule, Order o) {
        try {
            rule.check(o);
            return null;
        } catch (ApiError e) {
            return e.code();
        }
    }

    @Test
    void anOrderThatCanGrowAPositionIsRefusedExactlyWhenItsMarketsMarkIsOlderThanTheRule() {
        // any bound, any price time, any market id (one past 2^31 arrives as a negative int), the age at and around the bound
        Property.forAll(Gens.longs(1, OrderLifetime.LONGEST_SECONDS), Gens.longs(1, 4_000_000_000L)).tries(300).check((max, pricedAt) -> {
            AtomicLong now = new AtomicLong();
            MarkFreshness rule = new MarkFreshness(max, now::get);
            for (int market : new int[]{1, -2, Integer.MAX_VALUE}) {
                rule.observe(market, pricedAt);
                for (long age : new long[]{0, max - 1, max, max + 1, 2 * max + 7}) {
                    now.set(pricedAt + age);
                    boolean stale = age > max;
                    assertThat(rule.refuses(market)).as("age %d of %d", age, max).isEqualTo(stale);
                    assertThat(refusal(rule, order(market, 0))).as("age %d of %d", age, max).isEqualTo(stale ? "STALE_MARK" : null);
                    assertThat(refusal(rule, order(market, Order.POST_ONLY))).isEqualTo(stale ? "STALE_MARK" : null);
                    assertThat(refusal(rule, order(market, Order.REDUCE_ONLY))).as("a reduce-only order always goes").isNull();
                    assertThat(refusal(rule, order(market + 1, 0))).as("a market the node has not shown yet is the exchange's").isNull();
                }
            }
            now.set(pricedAt - 5);
            assertThat(rule.ageSeconds(1)).as("a price stamped ahead of the node's clock is fresh").isZero();
            assertThat(refusal(rule, order(1, 0))).isNull();
        });
        Property.forAll(Gens.longs(0, 4_000_000_000L)).tries(100).check(now -> {
            MarkFreshness unlimited = MarkFreshness.unlimited();
            unlimited.observe(1, 1);
            assertThat(refusal(unlimited, order(1, 0))).as("without a rule every order is taken").isNull();
            MarkFreshness unpriced = new MarkFreshness(60, () -> now);
            unpriced.observe(1, 0);
            assertThat(unpriced.ageSeconds(1)).isEqualTo(-1);
            assertThat(refusal(unpriced, order(1, 0))).as("a market without any price is the exchange's (nothing fills)").isNull();
        });
    }

    @Test
    void aNewPriceLiftsTheRefusalAtOnce() {
        AtomicLong now = new AtomicLong(1_000_000);
        MarkFreshness rule = new MarkFreshness(60, now::get);
        rule.observe(7, 1_000_000 - 61);
        assertThat(refusal(rule, order(7, 0))).isEqualTo("STALE_MARK");
        rule.observe(7, 1_000_000 - 1);
        assertThat(refusal(rule, order(7, 0))).isNull();
    }

    @Test
    void eachStartAndEndOfARefusalIsReportedOnceWhetherTheClockOrAPriceMovedIt() {
        // rounds of a market's life: the clock moves a random step, and sometimes a price arrives; the changes reported
        // are exactly the flips of the refusal between two rounds, never a repeat
        Property.forAll(Gens.listOf(Gens.longs(0, 150), 1, 40), Gens.listOf(Gens.booleans(), 40, 40)).tries(200).check((steps, prices) -> {
            AtomicLong now = new AtomicLong(1_000_000);
            MarkFreshness rule = new MarkFreshness(60, now::get);
            rule.observe(4, now.get());
            boolean was = false;
            assertThat(rule.changes()).isEmpty();
            for (int i = 0; i < steps.size(); i++) {
                now.addAndGet(steps.get(i));
                if (prices.get(i)) rule.observe(4, now.get());
                boolean is = rule.refuses(4);
                assertThat(rule.changes()).as("round %d", i).isEqualTo(is == was ? java.util.Map.of() : java.util.Map.of(4, is));
                assertThat(rule.changes()).as("asked again in the same round").isEmpty();
                assertThat(rule.refusedMarkets()).isEqualTo(is ? 1 : 0);
                was = is;
            }
        });
    }

    @Test
    void aRefusalSaysHowOldTheMarkIsWhatStillGoesAndWhenToRetry() {
        MarkFreshness rule = new MarkFreshness(60, () -> 1_700_000_095L);
        rule.observe(3, 1_700_000_000L);
        assertThatThrownBy(() -> rule.check(order(3, 0))).isInstanceOf(ApiError.class)
                .hasMessageContaining("market 3's mark price is 95 s old").hasMessageContaining("stamped 1700000000")
                .hasMessageContaining("at most 1m old").hasMessageContaining("reduce-only orders are still taken")
                .hasMessageContaining("once the oracle prices market 3")
                .satisfies(e -> assertThat(((ApiError) e).status()).isEqualTo(503));
    }

    @Test
    void theVenueNamesTheRuleAndEveryMarketItRefusesNow() {
        MarkFreshness rule = new MarkFreshness(60, () -> 1_000);
        rule.observe(2, 900);
        rule.observe(1, 990);
        rule.observe(-1, 100); // market 4294967295, listed last
        rule.observe(5, 0);
        ObjectNode v = TraderApi.JSON.createObjectNode();
        rule.describe(v);
        assertThat(v.toString()).isEqualTo("{\"maxMarkAge\":60,\"now\":1000,\"staleMarks\":[{\"market\":2,\"markAge\":100},"
                + "{\"market\":4294967295,\"markAge\":900}]}");
        ObjectNode none = TraderApi.JSON.createObjectNode();
        MarkFreshness.unlimited().describe(none);
        assertThat(none.toString()).isEqualTo("{\"maxMarkAge\":0}");
        assertThatThrownBy(() -> new MarkFreshness(-1, () -> 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new MarkFreshness(OrderLifetime.LONGEST_SECONDS + 1, () -> 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
