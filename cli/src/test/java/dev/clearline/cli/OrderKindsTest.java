package dev.clearline.cli;

import static dev.clearline.cli.UserCommandsTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The kinds of order the API takes, from the CLI: market orders (a worst price, given or the mark plus a slippage; they take
 * what the book offers and rest nothing), icebergs (a slice shown at a time) and pegged orders (a price that follows the mark
 * or the book, within a limit), each placed, shown in the book and in `positions`, and kept what it is by an amend; and the
 * combinations the protocol refuses, refused before anything is signed. Market 1 of a node of its own (mark 0.01 per lot,
 * tick 0.0001), so no other test's orders rest in the way.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OrderKindsTest {
    LocalVenue venue;
    String url;

    @BeforeAll
    void start() throws Exception {
        venue = LocalVenue.start("order-kinds", 8);
        url = venue.url();
    }

    @AfterAll
    void stop() throws Exception {
        venue.close();
    }

    private UserCommandsTest.Run as(int trader, String... args) {
        return venue.as(trader, args);
    }

    private static JsonNode json(UserCommandsTest.Run r) throws Exception {
        assertThat(r.code()).as(r.err()).isZero();
        return UserOptions.JSON.readTree(r.out());
    }

    private JsonNode order(String hash) throws Exception {
        return UserOptions.JSON.readTree(java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(url + "/orders/" + hash)).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body()).path("order");
    }

    @Test
    void aMarketOrderTakesTheBookUpToItsWorstPriceAndRestsNothing() throws Exception {
        for (String[] ask : new String[][] {{"0.0100", "1"}, {"0.0101", "1"}, {"0.0105", "2"}}) {
            assertThat(as(0, "order", "--market", "1", "--side", "sell", "--price", ask[0], "--lots", ask[1]).code()).isZero();
        }
        // no --price: the mark 0.0100 plus 2 %, 0.0102: the two asks up to it fill, the third lot is cancelled, nothing rests
        UserCommandsTest.Run bought = as(1, "order", "--market", "1", "--side", "buy", "--type", "market", "--lots", "3");
        assertThat(bought.code()).as(bought.err()).isZero();
        assertThat(bought.out()).contains("market buy 3 lot(s) of market 1 at a worst price of 0.010200", "2 lot(s) filled now at 0.010050 per lot",
                "its other 1 lot(s) were cancelled (a market order takes what the book offers within its worst price, and rests nothing)");
        JsonNode wider = json(as(1, "order", "--market", "1", "--side", "buy", "--type", "market", "--lots", "1", "--slippage", "5%", "--json"));
        assertThat(wider.path("type").asText()).isEqualTo("market");
        assertThat(wider.path("price").asText()).as("the mark plus 5 %").isEqualTo("0.010500");
        assertThat(wider.path("filledLots").asLong()).isOne();
        assertThat(order(wider.path("orderHash").asText()).path("flags").asInt()).as("the market flag, signed").isEqualTo(4);
        // a sell's worst price is below the mark, on the tick away from it; FOK fills all or nothing
        JsonNode sold = json(as(2, "order", "--market", "1", "--side", "sell", "--type", "market", "--lots", "1", "--slippage", "0.5", "--json"));
        assertThat(sold.path("price").asText()).isEqualTo("0.009900");
        assertThat(sold.path("filledLots").asLong()).as("no bid at 0.0099 or above").isZero();
        UserCommandsTest.Run fok = as(2, "order", "--market", "1", "--side", "sell", "--type", "market", "--tif", "fok", "--lots", "50");
        assertThat(fok.code()).isEqualTo(1);
        assertThat(fok.err()).contains("BOOK_REJECTED", "FOK", "nothing was changed");
        assertThat(json(as(1, "positions", "--json")).path("openOrders")).as("a market order never rests").isEmpty();

        UserCommandsTest.Run gtc = as(1, "order", "--market", "1", "--side", "buy", "--type", "market", "--tif", "gtc", "--lots", "1");
        assertThat(gtc.code()).isEqualTo(1);
        assertThat(gtc.err()).contains("a market order never rests: leave out --tif gtc");
        assertThat(as(1, "order", "--market", "1", "--side", "buy", "--type", "market", "--post-only", "--lots", "1").err())
                .contains("a post-only order only ever rests and a market order never does");
        UserCommandsTest.Run both = as(1, "order", "--market", "1", "--side", "buy", "--type", "market", "--price", "0.01", "--slippage", "2", "--lots", "1");
        assertThat(both.code()).isEqualTo(2);
        assertThat(both.err()).contains("--slippage sets the worst price of a --type market order given no --price");
        assertThat(as(1, "order", "--market", "1", "--side", "buy", "--type", "market", "--slippage", "0", "--lots", "1").err())
                .contains("--slippage must be more than 0% and at most 50%");
        assertThat(as(1, "order", "--market", "1", "--side", "buy", "--type", "market", "--slippage", "lots", "--lots", "1").err())
                .contains("--slippage must be a percentage such as 2 or 0.5%");
        assertThat(as(1, "order", "--market", "1", "--side", "buy", "--type", "stop", "--lots", "1").err()).contains("--type must be limit or market");
        UserCommandsTest.Run noPrice = as(1, "order", "--market", "1", "--side", "buy", "--lots", "1");
        assertThat(noPrice.code()).isEqualTo(2);
        assertThat(noPrice.err()).contains("--price is required for a limit order (only --type market may leave it out)").doesNotContain("\tat ");
    }

    @Test
    void anIcebergShowsItsSliceOnTheBookAndAnAmendKeepsIt() throws Exception {
        JsonNode placed = json(as(3, "order", "--market", "1", "--side", "sell", "--price", "0.0130", "--lots", "5", "--display", "2", "--json"));
        assertThat(placed.path("displayLots").asLong()).isEqualTo(2);
        String hash = placed.path("orderHash").asText();
        assertThat(order(hash).path("displaySize").asLong()).as("as signed, in base units").isEqualTo(2_000);
        assertThat(run("markets", "--market", "1", "--depth", "20", "--api", url).out()).contains("0.013000 (2 lot(s))").doesNotContain("0.013000 (5");
        assertThat(as(3, "positions").out()).contains(hash + ": market 1 sell 5 lot(s) at 0.013000, 0 filled, showing 2 lot(s) at a time");
        assertThat(as(3, "order", "--market", "1", "--side", "sell", "--price", "0.0131", "--lots", "2", "--display", "1").out())
                .contains("showing 1 lot(s) at a time");

        JsonNode amended = json(as(3, "amend", hash, "--price", "0.0132", "--json"));
        assertThat(amended.path("displayLots").asLong()).as("the replacement is an iceberg too").isEqualTo(2);
        assertThat(order(amended.path("orderHash").asText()).path("displaySize").asLong()).isEqualTo(2_000);
        JsonNode thinner = json(as(3, "amend", amended.path("orderHash").asText(), "--display", "1", "--json"));
        assertThat(thinner.path("displayLots").asLong()).as("--display changes the slice").isOne();
        assertThat(thinner.path("lots").asLong()).isEqualTo(5);
        UserCommandsTest.Run tooThick = as(3, "amend", thinner.path("orderHash").asText(), "--display", "5");
        assertThat(tooThick.code()).isEqualTo(2);
        assertThat(tooThick.err()).contains("--display must be 0 (show all) or 1 to 4 lot(s)");
        JsonNode small = json(as(3, "amend", thinner.path("orderHash").asText(), "--lots", "1", "--json"));
        assertThat(small.has("displayLots")).as("one lot shown one at a time: all of it").isFalse();
        assertThat(as(3, "amend", small.path("orderHash").asText(), "--offset", "2").err()).contains("is not pegged: --offset moves a pegged order's price");

        UserCommandsTest.Run whole = as(3, "order", "--market", "1", "--side", "sell", "--price", "0.0130", "--lots", "5", "--display", "5");
        assertThat(whole.code()).isEqualTo(2);
        assertThat(whole.err()).contains("--display must be 1 to 4 lot(s), fewer than --lots 5, not 5");
        assertThat(as(3, "order", "--market", "1", "--side", "sell", "--price", "0.0130", "--lots", "5", "--display", "2", "--tif", "ioc").err())
                .contains("an iceberg shows part of a resting order, and with --tif ioc nothing rests");
    }

    @Test
    void aPeggedOrderRestsWhereItsReferenceIsWithinItsLimitAndAnAmendKeepsIt() throws Exception {
        // the mark is 0.0100: three ticks under it is 0.0097, within the limit 0.0099
        JsonNode placed = json(as(4, "order", "--market", "1", "--side", "buy", "--peg", "mark", "--offset", "-3", "--price", "0.0099", "--lots", "1",
                "--json"));
        assertThat(placed.path("peg").asText()).isEqualTo("mark");
        assertThat(placed.path("pegOffset").asInt()).isEqualTo(-3);
        String hash = placed.path("orderHash").asText();
        assertThat(order(hash).path("peg").asText()).isEqualTo("MARK");
        assertThat(run("markets", "--market", "1", "--depth", "20", "--api", url).out()).contains("0.009700 (1 lot(s))");
        assertThat(as(4, "positions").out()).contains(hash + ": market 1 buy 1 lot(s) at 0.009900, 0 filled, pegged to the mark -3 tick(s) and never"
                + " past its limit 0.009900");
        // a book-pegged bid follows the best fixed-price bid: one tick over 0.0095, then over 0.0096 once that one is there
        assertThat(as(6, "order", "--market", "1", "--side", "buy", "--price", "0.0095", "--lots", "1").code()).isZero();
        UserCommandsTest.Run joined = as(5, "order", "--market", "1", "--side", "buy", "--peg", "book", "--offset", "1", "--price", "0.0099", "--lots", "1");
        assertThat(joined.out()).contains("pegged to the best price of its side +1 tick(s) and never past its limit");
        assertThat(run("markets", "--market", "1", "--depth", "20", "--api", url).out()).contains("0.009600 (1 lot(s))");
        assertThat(as(6, "order", "--market", "1", "--side", "buy", "--price", "0.0096", "--lots", "2").code()).isZero();
        assertThat(run("markets", "--market", "1", "--depth", "20", "--api", url).out()).contains("0.009700 (2 lot(s))", "0.009600 (2 lot(s))")
                .as("the peg moved up with the book, not left behind").doesNotContain("0.009600 (3 lot(s))");

        JsonNode amended = json(as(4, "amend", hash, "--lots", "2", "--json"));
        assertThat(amended.path("peg").asText()).as("the replacement follows the mark too").isEqualTo("mark");
        assertThat(order(amended.path("orderHash").asText()).path("pegOffset").asInt()).isEqualTo(-3);
        assertThat(run("markets", "--market", "1", "--depth", "20", "--api", url).out()).contains("0.009700 (3 lot(s))");
        JsonNode nearer = json(as(4, "amend", amended.path("orderHash").asText(), "--offset", "-2", "--json"));
        assertThat(nearer.path("pegOffset").asInt()).isEqualTo(-2);
        assertThat(run("markets", "--market", "1", "--depth", "20", "--api", url).out()).contains("0.009800 (2 lot(s))", "0.009700 (1 lot(s))");

        UserCommandsTest.Run offsetAlone = as(4, "order", "--market", "1", "--side", "buy", "--offset", "-3", "--price", "0.0099", "--lots", "1");
        assertThat(offsetAlone.code()).isEqualTo(2);
        assertThat(offsetAlone.err()).contains("--offset moves a pegged order's price: give --peg mark or --peg book with it");
        assertThat(as(4, "order", "--market", "1", "--side", "buy", "--peg", "mark", "--type", "market", "--lots", "1").err())
                .contains("a market order has no price to peg");
        assertThat(as(4, "order", "--market", "1", "--side", "buy", "--peg", "index", "--price", "0.0099", "--lots", "1").err())
                .contains("--peg must be mark or book, not 'index'");
    }
}
