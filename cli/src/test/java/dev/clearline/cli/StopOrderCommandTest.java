package dev.clearline.cli;

import static dev.clearline.cli.UserCommandsTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.clearline.sequencer.DevAccounts;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.transition.Transition;
import dev.clearline.sequencer.command.Command;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * `order --stop`: a stop-loss armed from the CLI waits off the book (shown in `positions` with its trigger), is refused on
 * the wrong side of the mark before anything is signed, is not amended, and fires when the mark falls to it; another is
 * taken off by `cancel`. Its own node (mark 0.01 per lot, tick 0.0001), whose mark this test moves.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StopOrderCommandTest {
    LocalVenue venue;
    String url;
    /** The next oracle time: after the dev setup's price, read from the node. */
    long oracleTs;

    @BeforeAll
    void start() throws Exception {
        venue = LocalVenue.start("stop-orders", 4);
        url = venue.url();
        oracleTs = UserOptions.JSON.readTree(run("markets", "--api", url, "--json").out()).path("markets").path(0).path("lastOracleTs").asLong() + 1;
    }

    @AfterAll
    void stop() throws Exception {
        venue.close();
    }

    private UserCommandsTest.Run as(int trader, String... args) {
        return venue.as(trader, args);
    }

    /** The dev oracle moves market 1's mark to {@code price} quote units per lot. */
    private JsonNode mark(long price) throws Exception {
        Signer oracle = DevAccounts.oracle();
        long ts = oracleTs++;
        var p = new Transition.OraclePrice(1, price, 0, ts, oracle.sign(venue.gateway().domain().oraclePriceDigest(1, price, 0, ts)));
        return venue.gateway().submit((id, s) -> new Command.Oracle(id, s, p)).get(30, TimeUnit.SECONDS);
    }

    @Test
    void aStopLossWaitsOffTheBookFiresWhenTheMarkFallsToItAndAnotherIsCancelled() throws Exception {
        var bid = as(1, "order", "--market", "1", "--side", "buy", "--price", "0.0098", "--lots", "1");
        assertThat(bid.code()).as(bid.err()).isZero(); // the bid it sells into
        UserCommandsTest.Run armed = as(0, "order", "--market", "1", "--side", "sell", "--type", "market", "--lots", "1", "--stop", "0.0098");
        assertThat(armed.code()).as(armed.err()).isZero();
        assertThat(armed.out()).contains("armed at seq", "market sell 1 lot(s) of market 1 at a worst price of 0.009600",
                "placed once the mark falls to 0.009800", "./clearline cancel 0x");
        String hash = armed.out().replaceAll("(?s).*Stop (0x[0-9a-f]{64}) armed.*", "$1");
        assertThat(as(0, "positions").out()).contains(hash + ": market 1 sell 1 lot(s)", "a stop: placed once the mark falls to 0.009800");
        assertThat(run("markets", "--market", "1", "--api", url).out()).as("nothing of it on the book").contains("best ask none");
        UserCommandsTest.Run amend = as(0, "amend", hash, "--price", "0.0097");
        assertThat(amend.code()).isEqualTo(1);
        assertThat(amend.err()).contains("is an armed stop, which is not amended", "./clearline cancel " + hash);

        mark(9_900);
        assertThat(as(0, "positions", "--json").out()).as("the mark over the trigger: still armed").contains("\"status\":\"armed\"");
        JsonNode fired = mark(9_800);
        assertThat(fired.toString()).contains("\"event\":\"Triggered\"", "\"event\":\"Filled\"");
        JsonNode after = UserOptions.JSON.readTree(as(0, "positions", "--json").out());
        assertThat(after.path("positions").get(0).path("size").asLong()).as("sold the lot").isEqualTo(-1_000);
        assertThat(after.path("openOrders")).isEmpty();

        JsonNode another = UserOptions.JSON.readTree(as(2, "order", "--market", "1", "--side", "buy", "--price", "0.0110", "--lots", "1", "--stop", "0.0105",
                "--json").out());
        assertThat(another.path("armed").asBoolean()).isTrue();
        assertThat(another.path("triggerPrice").asText()).isEqualTo("0.010500");
        UserCommandsTest.Run cancelled = as(2, "cancel", another.path("orderHash").asText());
        assertThat(cancelled.code()).as(cancelled.err()).isZero();
        assertThat(as(2, "positions").out()).contains("open orders: 0");

        UserCommandsTest.Run wrongSide = as(3, "order", "--market", "1", "--side", "sell", "--type", "market", "--lots", "1", "--stop", "0.0120");
        assertThat(wrongSide.code()).isEqualTo(1);
        assertThat(wrongSide.err()).contains("the mark is 0.009800: a sell stop fires once the mark falls to it, so its --stop lies under the mark");
        assertThat(as(3, "order", "--market", "1", "--side", "buy", "--price", "0.0110", "--lots", "1", "--stop", "0.0090").err())
                .contains("a buy stop fires once the mark rises to it, so its --stop lies over the mark");
        assertThat(as(3, "order", "--market", "1", "--side", "buy", "--price", "0.0110", "--lots", "1", "--stop", "0.01055").err())
                .contains("--stop must be a price above 0 on the market's tick 0.000100");
    }

    /**
     * `order --trail`: a trailing stop-loss armed from the CLI starts its distance under the mark, is shown where its trigger
     * stands as the mark rises (never back when it falls), and fires when the mark comes back to it. Prices relative to the
     * mark this test finds, so it holds whichever test ran first.
     */
    @Test
    void aTrailingStopFollowsTheMarkUpAndFiresWhenItFallsBack() throws Exception {
        long m = UserOptions.JSON.readTree(run("markets", "--api", url, "--json").out()).path("markets").path(0).path("markPrice").asLong();
        assertThat(m).as("market 1 has a mark").isPositive();
        UserCommandsTest.Run both = as(3, "order", "--market", "1", "--side", "sell", "--type", "market", "--lots", "1", "--stop", "0.0090", "--trail", "0.0003");
        assertThat(both.code()).isEqualTo(2);
        assertThat(both.err()).contains("give one of them");
        assertThat(as(3, "order", "--market", "1", "--side", "sell", "--type", "market", "--lots", "1", "--trail", "0.00015").err())
                .contains("--trail must be a price distance above 0 on the market's tick 0.000100");

        UserCommandsTest.Run armed = as(3, "order", "--market", "1", "--side", "sell", "--type", "market", "--lots", "1", "--trail", "0.0003",
                "--margin", "5"); // the default margin is its worst price's, and it sells under the mark it fires at
        assertThat(armed.code()).as(armed.err()).isZero();
        assertThat(armed.out()).contains("Trailing stop 0x", "market sell 1 lot(s)", "placed once the mark falls 0.000300 from its highest since now",
                "its trigger starts at " + Units.amount(m - 300));
        String hash = armed.out().replaceAll("(?s).*Trailing stop (0x[0-9a-f]{64}) armed.*", "$1");
        assertThat(as(3, "positions").out()).contains(hash + ": market 1 sell 1 lot(s)",
                "a trailing stop 0.000300 from the mark: placed once the mark falls to " + Units.amount(m - 300));

        mark(m + 400);
        assertThat(as(3, "positions").out()).as("up with the mark").contains("placed once the mark falls to " + Units.amount(m + 100));
        mark(m + 200);
        assertThat(as(3, "positions").out()).as("never back").contains("placed once the mark falls to " + Units.amount(m + 100));
        assertThat(as(2, "order", "--market", "1", "--side", "buy", "--price", Units.amount(m - 100), "--lots", "1").code()).isZero(); // the bid it sells into
        JsonNode fired = mark(m + 100);
        assertThat(fired.toString()).contains("\"event\":\"Triggered\"", "\"triggerPrice\":" + (m + 100), "\"trailBy\":300", "\"event\":\"Filled\"");
        assertThat(as(3, "positions").out()).contains("open orders: 0");
    }
}
