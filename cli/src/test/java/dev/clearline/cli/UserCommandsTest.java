package dev.clearline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.clearline.sequencer.api.Gateway;
import dev.clearline.sequencer.api.MarkFreshness;
import dev.clearline.sequencer.api.OrderLifetime;
import dev.clearline.sequencer.api.RateLimiter;
import dev.clearline.sequencer.api.TraderApi;
import dev.clearline.sequencer.l1.GatewayLink;
import dev.clearline.sequencer.state.Genesis;
import dev.clearline.engine.order.Address;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The trader's commands against a real sequencer node (dev market 1, funded dev traders): an order
 * goes through and shows in `positions`, and every kind of bad input gets one clear line and the
 * right exit code, before anything is signed or sent.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UserCommandsTest {
    static final Genesis GENESIS = Genesis.devnet(Address.fromHex("0x5FbDB2315678afecb367f032d93F642f64180aa3"));
    LocalVenue venue;
    Path dir;
    Gateway gateway;
    String url;
    final String trader0 = keyOf(0);
    final String trader1 = keyOf(1);

    record Run(int code, String out, String err) {}

    static String keyOf(int i) {
        return String.format("0x%064x", java.math.BigInteger.valueOf(1_000_003L * (i + 1)));
    }

    @BeforeAll
    void start() throws Exception {
        venue = LocalVenue.start("user-commands", 17);
        dir = venue.dir();
        gateway = venue.gateway();
        url = venue.url();
    }

    @AfterAll
    void stop() throws Exception {
        venue.close();
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true), stop -> { });
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void anOrderIsSignedPlacedAndFilledAndBothTradersSeeTheirPositions() throws Exception {
        // dev market 1: tick 100, lot 1000 base units; mark 10_000 per lot (0.01 collateral)
        Run ask = run("order", "--market", "1", "--side", "sell", "--price", "0.01", "--lots", "1", "--api", url, "--key", trader0);
        assertThat(ask.code()).as(ask.err()).isZero();
        assertThat(ask.out()).contains("accepted at seq", "0 lot(s) filled now;", "; margin 0.00", "(the default for this order; --margin sets it)");
        assertThat(run("order", "--market", "1", "--side", "sell", "--price", "0.0102", "--lots", "2", "--api", url, "--key", trader0).code()).isZero();
        // the bid meets both asks: one lot at 0.01 and one at 0.0102; signed with trader 1's key from an encrypted keystore
        Path keyFile = Files.writeString(dir.resolve("trader1.key"), trader1 + "\n");
        Path password = Files.writeString(dir.resolve("trader1.password"), "a long pass phrase\n");
        Path keystore = dir.resolve("trader1.json");
        Run made = run("keystore", "new", keystore.toString(), "--import-key-file", keyFile.toString(), "--password-file", password.toString());
        assertThat(made.code()).as(made.err()).isZero();
        assertThat(made.out()).containsIgnoringCase(org.web3j.crypto.Credentials.create(trader1).getAddress()).doesNotContain(trader1.substring(2));
        Run bid = run("order", "--market", "1", "--side", "buy", "--price", "0.0102", "--lots", "2", "--api", url,
                "--keystore", keystore.toString(), "--password-file", password.toString(), "--json");
        assertThat(bid.code()).as(bid.err()).isZero();
        // the taker's fee, 500 ppm of each fill's notional rounded up: 5 of 10,000 and 6 of 10,200 (0.000011)
        assertThat(bid.out()).contains("\"filledLots\":2", "\"averageFillPrice\":\"0.010100\"", "\"fee\":\"0.000011\"");
        Run pos = run("positions", "--api", url, "--key", trader1);
        assertThat(pos.code()).as(pos.err()).isZero();
        assertThat(pos.out()).contains("market 1: long 2 lot(s) (2000 base units)", "liquidation price");
        // bought at 0.01 and 0.0102: an entry of 0.0101, 0.0002 under water at the mark of 0.01, nothing closed yet
        assertThat(pos.out()).contains("(2000 base units), entry 0.010100, unrealized PnL -0.000200, realized 0.000000, equity");
        // the same account watched from where its key is not: --owner, no key
        String owner1 = org.web3j.crypto.Credentials.create(trader1).getAddress();
        Run watched = run("positions", "--api", url, "--owner", owner1);
        assertThat(watched.code()).as(watched.err()).isZero();
        assertThat(watched.out()).contains("Account " + owner1, "market 1: long 2 lot(s) (2000 base units)");
        assertThat(run("positions", "--api", url, "--owner", owner1.toUpperCase().replace("0X", "0x").substring(0, 41) + "G").code())
                .as("not an address").isEqualTo(2);
        Run json = run("positions", "--api", url, "--key", trader0, "--json");
        assertThat(json.out()).contains("\"size\":-2000", "\"openOrders\"", "\"entryPrice\":10100", "\"unrealizedPnl\":200");
    }

    /**
     * A market maker leaving, or replacing its quotes: several hashes in one batch, or every open order of the key (on one
     * market with --market), each cancel answered; one no longer open is named with the venue's reason, the others go.
     */
    @Test
    void severalOrdersOrAllOfAKeysOrdersAreCancelledInBatchesAndOneAlreadyGoneIsNamed() throws Exception {
        String maker = keyOf(12);
        List<String> hashes = new ArrayList<>();
        // bids far below every ask of the other tests (and below the IOC sells they send), so they rest untouched
        for (int i = 1; i <= 5; i++) {
            Run bid = run("order", "--market", "1", "--side", "buy", "--price", "0.000" + i, "--lots", "1", "--api", url, "--key", maker, "--json");
            assertThat(bid.code()).as(bid.err()).isZero();
            hashes.add(UserOptions.JSON.readTree(bid.out()).path("orderHash").asText());
        }
        assertThat(run("cancel", hashes.get(0), "--api", url, "--key", maker).out()).startsWith("Cancelled " + hashes.get(0) + " at seq ");

        // two in one batch, one of them gone already: the other cancelled, the gone one named with the reason
        Run two = run("cancel", hashes.get(0), hashes.get(1), "--api", url, "--key", maker);
        assertThat(two.code()).as(two.err()).isZero();
        assertThat(two.out()).contains("Cancelled 1 order(s) at seq ", "1 not cancelled", hashes.get(0)).doesNotContain(" to ");
        assertThat(openHashes(maker)).containsExactlyInAnyOrderElementsOf(hashes.subList(2, 5));

        assertThat(run("cancel", "--all", "--market", "2", "--api", url, "--key", maker).out())
                .as("a market with none of them").contains("No open orders of ", " on market 2 to cancel");
        Run all = run("cancel", "--all", "--market", "1", "--api", url, "--key", maker, "--json");
        assertThat(all.code()).as(all.err()).isZero();
        JsonNode r = UserOptions.JSON.readTree(all.out());
        List<String> cancelled = new ArrayList<>();
        r.path("cancelled").forEach(h -> cancelled.add(h.asText()));
        assertThat(cancelled).containsExactlyInAnyOrderElementsOf(hashes.subList(2, 5));
        assertThat(r.path("refused")).isEmpty();
        assertThat(r.path("seqs")).hasSize(1);
        assertThat(r.path("stillOpen").asInt()).isZero();
        assertThat(openHashes(maker)).isEmpty();
        assertThat(run("cancel", "--all", "--api", url, "--key", maker).out()).contains("No open orders of ").doesNotContain("market");

        // more than one batch takes, on a node that takes smaller requests than its default (this one 64 KiB, where 256
        // cancels are about 72 KB): the refused batch goes again in halves, 128 + 128 + 1, every order cancelled
        placeLowBids(12, UserCommands.CancelOrder.BATCH + 1, 1_000);
        Run many = run("cancel", "--all", "--api", url, "--key", maker);
        assertThat(many.code()).as(many.err()).isZero();
        assertThat(many.out()).startsWith("Cancelled " + (UserCommands.CancelOrder.BATCH + 1) + " order(s) at seq ").contains(" (3 batches)");
        assertThat(openHashes(maker)).isEmpty();
    }

    /**
     * A dead man's switch from the command line: set that many seconds past the node's clock, shown by positions, refused
     * with the other ways of cancelling; once the node's clock passes it the next command takes the key's orders off.
     */
    @Test
    void cancelAfterSetsADeadMansSwitchThatTakesTheKeysOrdersOffOnceItsTimePasses() throws Exception {
        String key = keyOf(16);
        Run bid = run("order", "--market", "1", "--side", "buy", "--price", "0.0003", "--lots", "1", "--api", url, "--key", key, "--json");
        assertThat(bid.code()).as(bid.err()).isZero();
        String hash = UserOptions.JSON.readTree(bid.out()).path("orderHash").asText();
        assertThat(run("cancel", "--after", "5", "--all", "--api", url, "--key", key).code()).as("--after goes alone").isEqualTo(2);
        assertThat(run("cancel", "--after", "-1", "--api", url, "--key", key).code()).isEqualTo(2);

        Run set = run("cancel", "--after", "2", "--api", url, "--key", key);
        assertThat(set.code()).as(set.err()).isZero();
        assertThat(set.out()).contains("Dead man's switch of ", " set at seq ", "in 2 s, unless you send --after again");
        assertThat(run("positions", "--api", url, "--key", key).out()).contains("open orders: 1 (dead man's switch: all leave at ");
        Run json = run("cancel", "--after", "600", "--api", url, "--key", key, "--json");
        JsonNode moved = UserOptions.JSON.readTree(json.out());
        long nodeNow = gateway.query(dev.clearline.sequencer.command.Command.QueryKind.STATE, 0, null, null).get(30, java.util.concurrent.TimeUnit.SECONDS)
                .path("time").asLong();
        // the node's clock stood at the switch's own second when it was logged; the CLI rounds up to the next second
        assertThat(moved.path("deadline").asLong()).as("600 s past the node's clock").isBetween(nodeNow + 599, nodeNow + 601);
        assertThat(run("cancel", "--after", "0", "--api", url, "--key", key).out()).contains(" off at seq ");
        assertThat(run("positions", "--api", url, "--key", key).out()).contains("open orders: 1").doesNotContain("dead man's switch");

        Run soon = run("cancel", "--after", "2", "--api", url, "--key", key, "--json");
        assertThat(soon.code()).as(soon.err()).isZero();
        long deadline = UserOptions.JSON.readTree(soon.out()).path("deadline").asLong();
        for (long until = System.currentTimeMillis() + 10_000; System.currentTimeMillis() < until && openHashes(key).contains(hash); ) {
            Thread.sleep(300);
            // any command past the deadline fires it: another trader's far bid here, as the leader's clock ticks would on a node
            run("order", "--market", "1", "--side", "buy", "--price", "0.0001", "--lots", "1", "--tif", "ioc", "--api", url, "--key", keyOf(9));
        }
        assertThat(openHashes(key)).as("the order left once the node's clock passed %d", deadline).doesNotContain(hash);
        assertThat(run("positions", "--api", url, "--key", key).out()).contains("open orders: 0").doesNotContain("dead man's switch");
    }

    /**
     * A key with more open orders than the venue lists on one page (1,000): `cancel --all` reads every page and cancels
     * them all. The orders go in through the gateway (signed as the CLI signs them), a thousand CLI runs being slow.
     */
    @Test
    void cancelAllReadsEveryPageOfTheVenuesListOfAKeysOrders() throws Exception {
        int count = 1_001;
        placeLowBids(13, count, 1);
        String key = dev.clearline.sequencer.DevAccounts.traderKeyHex(13);
        JsonNode first = UserOptions.JSON.readTree(run("positions", "--api", url, "--key", key, "--json").out());
        assertThat(first.path("openOrderCount").asInt()).isEqualTo(count);
        assertThat(first.path("openOrders").size()).as("one page").isLessThan(count);

        Run all = run("cancel", "--all", "--api", url, "--key", key, "--json");
        assertThat(all.code()).as(all.err()).isZero();
        JsonNode r = UserOptions.JSON.readTree(all.out());
        assertThat(r.path("cancelled").size()).as("every page's orders").isEqualTo(count);
        assertThat(r.path("stillOpen").asInt()).isZero();
        assertThat(UserOptions.JSON.readTree(run("positions", "--api", url, "--key", key, "--json").out()).path("openOrderCount").asInt()).isZero();
    }

    /**
     * {@code count} one-lot bids of dev trader {@code trader} at market 1's lowest tick (far below every ask of the other
     * tests and their IOC sells, so they rest untouched), nonces from {@code firstNonce}, through the gateway as the CLI
     * signs them: hundreds of CLI runs would be slow.
     */
    private void placeLowBids(int trader, int count, long firstNonce) throws Exception {
        dev.clearline.engine.order.Signer maker = dev.clearline.sequencer.DevAccounts.trader(trader);
        var domain = GENESIS.domain();
        List<java.util.concurrent.CompletableFuture<com.fasterxml.jackson.databind.node.ObjectNode>> placed = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            var o = new dev.clearline.engine.order.Order(maker.address(), 1, dev.clearline.engine.order.Side.BUY, 100, 1_000, 0,
                    dev.clearline.engine.order.TimeInForce.GTC, 0, 0, firstNonce + i, 10_000);
            placed.add(gateway.place(new dev.clearline.engine.exchange.SignedOrder(o, domain.chainId(), domain.verifyingContract(),
                    maker.sign(domain.orderDigest(o)))));
        }
        for (var p : placed) assertThat(p.get(60, java.util.concurrent.TimeUnit.SECONDS).path("outcomes").path(0).path("accepted").asBoolean()).isTrue();
    }

    /** The open orders' hashes {@code key} holds, as `positions --json` lists them. */
    private List<String> openHashes(String key) throws Exception {
        List<String> open = new ArrayList<>();
        UserOptions.JSON.readTree(run("positions", "--api", url, "--key", key, "--json").out()).path("openOrders")
                .forEach(o -> open.add(o.path("orderHash").asText()));
        return open;
    }

    @Test
    void aLimitFarFromTheMarkGetsADefaultMarginTheExchangeAdmitsAndTooLittleSaysWhatToPass() {
        // mark 0.01 per lot: a buy at three times the mark would show a loss of 0.02 per lot there at once
        // (immediate or cancel, so that nothing of it rests for the other tests' orders to meet)
        String trader2 = keyOf(2);
        Run far = run("order", "--market", "1", "--side", "buy", "--price", "0.03", "--lots", "2", "--tif", "ioc", "--api", url, "--key", trader2, "--json");
        assertThat(far.code()).as(far.err()).isZero();
        assertThat(far.out()).contains("\"margin\":\"0.04");
        Run low = run("order", "--market", "1", "--side", "buy", "--price", "0.03", "--lots", "3", "--margin", "0.002", "--api", url, "--key", keyOf(3));
        assertThat(low.code()).isEqualTo(1);
        assertThat(low.err()).contains("INSUFFICIENT_MARGIN", "carried 0.002000 (--margin)", "at the mark 0.010000", "pass a larger --margin")
                .doesNotContain("\tat ");
    }

    @Test
    void whatAnOrderDidNotFillAtOnceIsSaidWithWhyAndAMarginTheBalanceCannotCoverSaysWhatToDo() throws Exception {
        String trader = keyOf(9);
        // no one bids a thousand lots: an IOC sell of that many fills what bids there are and the rest is cancelled, said so
        Run ioc = run("order", "--market", "1", "--side", "sell", "--price", "0.002", "--lots", "1000", "--tif", "ioc", "--api", url, "--key", trader, "--json");
        assertThat(ioc.code()).as(ioc.err()).isZero();
        JsonNode r = UserOptions.JSON.readTree(ioc.out());
        assertThat(r.path("cancelledWhy").asText()).isEqualTo("IMMEDIATE_REMAINDER");
        assertThat(r.path("filledLots").asLong() + r.path("cancelledLots").asLong()).isEqualTo(1000);
        Run text = run("order", "--market", "1", "--side", "sell", "--price", "0.002", "--lots", "1000", "--tif", "ioc", "--api", url, "--key", trader);
        assertThat(text.out()).contains("lot(s) were cancelled (IOC: nothing else crossed at your price)");
        // a billion lots at 0.5 carry a default margin of more than 50,000,000 (their initial margin, and the loss at the mark
        // 0.01 a buy that high would show at once), far past the 1,000,000 deposited
        Run huge = run("order", "--market", "1", "--side", "buy", "--price", "0.5", "--lots", "1000000000", "--api", url, "--key", trader);
        assertThat(huge.code()).isEqualTo(1);
        assertThat(huge.err()).contains("INSUFFICIENT_BALANCE", "this order carried ", "(the default for it alone",
                "order fewer lots, pass a smaller --margin, or deposit more").doesNotContain("\tat ");
    }

    @Test
    void aClosedPositionsMarginGoesBackToTheFreeBalanceAndAnOpenOneKeepsItsInitialMargin() throws Exception {
        // traders 4 and 5 meet only each other: a bid below every ask, then a sell IOC into it; then the reverse to close
        String longer = keyOf(4), shorter = keyOf(5);
        assertThat(run("order", "--market", "1", "--side", "buy", "--price", "0.005", "--lots", "2", "--api", url, "--key", longer).code()).isZero();
        assertThat(run("order", "--market", "1", "--side", "sell", "--price", "0.005", "--lots", "2", "--tif", "ioc", "--api", url, "--key", shorter)
                .out()).contains("2 lot(s) filled now at 0.005000 per lot on average, fee 0.000005;");

        // open (short 2 lots at the mark 0.01 per lot, initial margin 10%): `all` takes what stands above 0.002 of initial margin
        long freeBefore = free(shorter);
        long equityBefore = position(shorter).path("equity").asLong();
        Run all = run("margin", "remove", "all", "--market", "1", "--api", url, "--key", shorter);
        assertThat(all.code()).as(all.err()).isZero();
        assertThat(all.out()).contains("Removed", "of market 1's margin to your free balance");
        assertThat(free(shorter) - freeBefore).isEqualTo(equityBefore - 2_000);
        assertThat(position(shorter).path("equity").asLong()).isEqualTo(2_000);
        Run more = run("margin", "remove", "0.000001", "--market", "1", "--api", url, "--key", shorter);
        assertThat(more.code()).isEqualTo(1);
        assertThat(more.err()).contains("INSUFFICIENT_MARGIN", "below its initial margin at the mark", "remove less").doesNotContain("\tat ");
        Run nothing = run("margin", "remove", "all", "--market", "1", "--api", url, "--key", shorter);
        assertThat(nothing.code()).isEqualTo(1);
        assertThat(nothing.err()).contains("nothing to remove from market 1", "initial margin");

        // closed: the position holds its margin until it is removed; positions says how
        assertThat(run("order", "--market", "1", "--side", "buy", "--price", "0.004", "--lots", "2", "--margin", "0.01", "--api", url, "--key", shorter)
                .code()).isZero();
        assertThat(run("order", "--market", "1", "--side", "sell", "--price", "0.004", "--lots", "2", "--tif", "ioc", "--api", url, "--key", longer)
                .out()).contains("2 lot(s) filled now");
        JsonNode closed = position(longer);
        assertThat(closed.path("size").asLong()).isZero();
        long held = closed.path("equity").asLong();
        assertThat(held).isPositive();
        assertThat(run("positions", "--api", url, "--key", longer).out())
                .contains("market 1: flat 0 lot(s)", "market 1 is closed and still holds " + Units.amount(held), "./clearline margin remove all --market 1");
        freeBefore = free(longer);
        Run back = run("margin", "remove", "all", "--market", "1", "--api", url, "--key", longer, "--json");
        assertThat(back.code()).as(back.err()).isZero();
        assertThat(back.out()).contains("\"amount\":\"" + Units.amount(held) + "\"");
        assertThat(free(longer)).isEqualTo(freeBefore + held);
        assertThat(run("positions", "--api", url, "--key", longer).out()).as("a closed position with nothing in it is not listed")
                .doesNotContain("market 1:");
        Run belowZero = run("margin", "remove", "0.000001", "--market", "1", "--api", url, "--key", longer);
        assertThat(belowZero.code()).isEqualTo(1);
        assertThat(belowZero.err()).contains("you have no position in market 1 to remove margin from");

        // add and remove round trip; adding more than the free balance is refused before anything is signed
        Run add = run("margin", "add", "5", "--market", "1", "--api", url, "--key", longer);
        assertThat(add.out()).contains("Added 5.000000 from your free balance to market 1's margin");
        assertThat(free(longer)).isEqualTo(freeBefore + held - 5_000_000);
        assertThat(run("margin", "remove", "5", "--market", "1", "--api", url, "--key", longer).code()).isZero();
        assertThat(free(longer)).isEqualTo(freeBefore + held);
        Run tooMuch = run("margin", "add", "2000000", "--market", "1", "--api", url, "--key", longer);
        assertThat(tooMuch.code()).isEqualTo(1);
        assertThat(tooMuch.err()).contains("your free L2 balance is", "deposit more or add less");
        Run verb = run("margin", "grow", "5", "--market", "1", "--api", url, "--key", longer);
        assertThat(verb.code()).isEqualTo(2);
        assertThat(verb.err()).contains("ACTION must be add or remove");
        Run noPosition = run("margin", "remove", "all", "--market", "1", "--api", url, "--key", keyOf(3));
        assertThat(noPosition.code()).isEqualTo(1);
        assertThat(noPosition.err()).contains("you have no position there");
    }

    @Test
    void aRestingOrderShowsInTheBookAndInPositionsWithTheHashThatAmendsAndCancelsIt() throws Exception {
        String trader = keyOf(6);
        Run bid = run("order", "--market", "1", "--side", "buy", "--price", "0.001", "--lots", "1", "--post-only", "--api", url, "--key", trader, "--json");
        assertThat(bid.code()).as(bid.err()).isZero();
        String hash = UserOptions.JSON.readTree(bid.out()).path("orderHash").asText();
        Run pos = run("positions", "--api", url, "--key", trader);
        assertThat(pos.out()).contains("open orders: 1", hash + ": market 1 buy 1 lot(s) at 0.001000, 0 filled");
        Run all = run("markets", "--api", url);
        assertThat(all.code()).as(all.err()).isZero();
        assertThat(all.out()).contains("market 1: mark 0.010000", "prices per lot of 1000 base units, tick 0.000100", "initial margin 10%",
                "maintenance 5%", "maker fee 0.02%, taker fee 0.05%, liquidation fee 0%");
        Run book = run("markets", "--market", "1", "--depth", "20", "--api", url);
        assertThat(book.out()).contains("bids (highest first):", "0.001000 (1 lot(s))");
        Run json = run("markets", "--market", "1", "--api", url, "--json");
        assertThat(UserOptions.JSON.readTree(json.out()).path("markets").path(0).path("tickSize").asLong()).isEqualTo(100);
        // the maker fee a resting order pays was charged but not published (GET /state listed the taker fee alone)
        assertThat(UserOptions.JSON.readTree(json.out()).path("markets").path(0).path("makerFeePpm").asLong()).isEqualTo(200);
        // --depth bounds the JSON's levels as it bounds the text's, and the best bid is the first level's price
        Run lower = run("order", "--market", "1", "--side", "buy", "--price", "0.0005", "--lots", "1", "--post-only", "--api", url, "--key", trader, "--json");
        assertThat(lower.code()).as(lower.err()).isZero();
        assertThat(UserOptions.JSON.readTree(run("markets", "--market", "1", "--api", url, "--json").out()).path("markets").path(0)
                .path("bids").size()).as("two bid levels at depth 5").isGreaterThanOrEqualTo(2);
        JsonNode oneLevel = UserOptions.JSON.readTree(run("markets", "--market", "1", "--depth", "1", "--api", url, "--json").out())
                .path("markets").path(0);
        assertThat(oneLevel.path("bids").size()).as("one level at --depth 1").isEqualTo(1);
        assertThat(oneLevel.path("bestBid").asLong()).isEqualTo(oneLevel.path("bids").path(0).path(0).asLong());
        assertThat(run("cancel", UserOptions.JSON.readTree(lower.out()).path("orderHash").asText(), "--api", url, "--key", trader).code()).isZero();
        assertThat(run("markets", "--market", "9", "--api", url).err()).contains("market 9 is not listed", "listed: 1");
        assertThat(run("markets", "--depth", "0", "--api", url).err()).contains("--depth must be 1 or more");

        // amend: a new price and size in one step; the old hash is gone, the new one rests where it was asked
        Run amended = run("amend", hash, "--price", "0.0012", "--lots", "3", "--api", url, "--key", trader, "--json");
        assertThat(amended.code()).as(amended.err()).isZero();
        JsonNode a = UserOptions.JSON.readTree(amended.out());
        assertThat(a.path("price").asText()).isEqualTo("0.001200");
        assertThat(a.path("lots").asLong()).isEqualTo(3);
        String moved = a.path("orderHash").asText();
        assertThat(moved).isNotEqualTo(hash);
        assertThat(run("positions", "--api", url, "--key", trader).out()).contains("open orders: 1", moved + ": market 1 buy 3 lot(s) at 0.001200")
                .doesNotContain(hash);
        Run stale = run("amend", hash, "--price", "0.0013", "--api", url, "--key", trader);
        assertThat(stale.code()).isEqualTo(1);
        assertThat(stale.err()).contains("is not open on the book (replaced)", "./clearline positions");
        Run theirs = run("amend", moved, "--price", "0.0013", "--api", url, "--key", trader0);
        assertThat(theirs.code()).isEqualTo(1);
        assertThat(theirs.err()).contains("belongs to", "not to your key");
        Run nothing = run("amend", moved, "--api", url, "--key", trader);
        assertThat(nothing.code()).isEqualTo(1);
        assertThat(nothing.err()).contains("nothing to change");
        // --price alone keeps the size still open
        Run repriced = run("amend", moved, "--price", "0.0011", "--api", url, "--key", trader, "--json");
        assertThat(repriced.code()).as(repriced.err()).isZero();
        hash = UserOptions.JSON.readTree(repriced.out()).path("orderHash").asText();
        assertThat(UserOptions.JSON.readTree(repriced.out()).path("lots").asLong()).isEqualTo(3);

        assertThat(run("cancel", hash, "--api", url, "--key", trader).code()).isZero();
        assertThat(run("positions", "--api", url, "--key", trader).out()).contains("open orders: 0").doesNotContain(hash);
        assertThat(run("markets", "--market", "1", "--depth", "20", "--api", url).out()).doesNotContain("0.001000 (1 lot(s))", "0.001100");
    }

    @Test
    void anOrderWithALifetimeExpiresOnItsMarketsOracleClockAndAnAmendKeepsItUnlessTold() throws Exception {
        String trader = keyOf(10);
        long now = UserOptions.JSON.readTree(run("markets", "--market", "1", "--api", url, "--json").out()).path("markets").path(0)
                .path("lastOracleTs").asLong();
        assertThat(now).as("the market's oracle clock").isPositive();
        Run bid = run("order", "--market", "1", "--side", "buy", "--price", "0.0003", "--lots", "1", "--post-only", "--expires-in", "10m",
                "--api", url, "--key", trader, "--json");
        assertThat(bid.code()).as(bid.err()).isZero();
        String hash = UserOptions.JSON.readTree(bid.out()).path("orderHash").asText();
        assertThat(UserOptions.JSON.readTree(bid.out()).path("expiry").asLong()).as("the reply says when it lapses").isEqualTo(now + 600);
        JsonNode open = UserOptions.JSON.readTree(run("positions", "--api", url, "--key", trader, "--json").out()).path("openOrders").path(0);
        assertThat(open.path("orderHash").asText()).isEqualTo(hash);
        assertThat(open.path("expiry").asLong()).isEqualTo(now + 600);
        assertThat(run("positions", "--api", url, "--key", trader).out()).contains(hash + ": market 1 buy 1 lot(s) at 0.000300, 0 filled, post-only, expires "
                + java.time.Instant.ofEpochSecond(now + 600) + " (oracle time)");

        Run repriced = run("amend", hash, "--price", "0.0004", "--api", url, "--key", trader, "--json");
        assertThat(repriced.code()).as(repriced.err()).isZero();
        String moved = UserOptions.JSON.readTree(repriced.out()).path("orderHash").asText();
        open = UserOptions.JSON.readTree(run("positions", "--api", url, "--key", trader, "--json").out()).path("openOrders").path(0);
        assertThat(open.path("orderHash").asText()).isEqualTo(moved);
        assertThat(open.path("expiry").asLong()).as("the replacement keeps the expiry").isEqualTo(now + 600);
        Run longer = run("amend", moved, "--expires-in", "2h", "--api", url, "--key", trader, "--json");
        assertThat(longer.code()).as(longer.err()).isZero();
        open = UserOptions.JSON.readTree(run("positions", "--api", url, "--key", trader, "--json").out()).path("openOrders").path(0);
        assertThat(open.path("expiry").asLong()).as("--expires-in alone is a change").isEqualTo(now + 7_200);
        assertThat(run("cancel", open.path("orderHash").asText(), "--api", url, "--key", trader).code()).isZero();

        for (String bad : new String[] {"10x", "0m", "m", "366d", "-5s"}) {
            Run r = run("order", "--market", "1", "--side", "buy", "--price", "0.0003", "--lots", "1", "--expires-in", bad, "--api", url, "--key", trader);
            assertThat(r.code()).as(bad).isEqualTo(2);
            assertThat(r.err()).as(bad).contains("is not a lifetime from 1s to 365d", "e.g. 90s, 10m, 2h or 7d").doesNotContain("\tat ");
        }
    }

    @Test
    void onAVenueThatTakesOnlyExpiringOrdersAnOrderToldNoLifetimeGetsTheLongestAndALongerOneIsRefusedBeforeSigning() throws Exception {
        String trader = keyOf(11);
        try (TraderApi limited = new TraderApi(gateway, new RateLimiter(1_000, 1_000, System::nanoTime), new RateLimiter(4_000, 4_000, System::nanoTime),
                new OrderLifetime(3_600, () -> System.currentTimeMillis() / 1000), "127.0.0.1", 0, 64 * 1024)) {
            String at = "http://127.0.0.1:" + limited.port();
            long oracleNow = UserOptions.JSON.readTree(run("markets", "--market", "1", "--api", at, "--json").out()).path("markets").path(0)
                    .path("lastOracleTs").asLong();
            Run bid = run("order", "--market", "1", "--side", "buy", "--price", "0.0003", "--lots", "1", "--post-only", "--api", at, "--key", trader);
            assertThat(bid.code()).as(bid.err()).isZero();
            assertThat(bid.out()).contains("; expires in 1h (the longest this venue takes; --expires-in sets it)");
            Run ioc = run("order", "--market", "1", "--side", "buy", "--price", "0.0003", "--lots", "1", "--tif", "ioc", "--api", at, "--key", trader);
            assertThat(ioc.code()).as(ioc.err()).isZero();
            assertThat(ioc.out()).as("an IOC never rests: when it would expire is not news").contains("accepted").doesNotContain("expires in");
            JsonNode open = UserOptions.JSON.readTree(run("positions", "--api", at, "--key", trader, "--json").out()).path("openOrders").path(0);
            // the dev setup stamped its price with the wall clock, which is also the rule's: the earlier of the two starts the lifetime
            assertThat(open.path("expiry").asLong()).isEqualTo(oracleNow + 3_600);

            Run tooLong = run("order", "--market", "1", "--side", "buy", "--price", "0.0003", "--lots", "1", "--expires-in", "2h", "--api", at, "--key", trader);
            assertThat(tooLong.code()).isEqualTo(1);
            assertThat(tooLong.err()).contains("--expires-in 2h is longer than this venue takes (1h, GET /venue); give at most --expires-in 1h")
                    .doesNotContain("\tat ");
            Run shorter = run("amend", open.path("orderHash").asText(), "--expires-in", "10m", "--api", at, "--key", trader, "--json");
            assertThat(shorter.code()).as(shorter.err()).isZero();
            open = UserOptions.JSON.readTree(run("positions", "--api", at, "--key", trader, "--json").out()).path("openOrders").path(0);
            assertThat(open.path("expiry").asLong()).isEqualTo(oracleNow + 600);
            assertThat(run("cancel", open.path("orderHash").asText(), "--api", at, "--key", trader).code()).isZero();
        }
        // the venue without the rule: an order told no lifetime never expires, as before
        Run plain = run("order", "--market", "1", "--side", "buy", "--price", "0.0003", "--lots", "1", "--post-only", "--api", url, "--key", trader);
        assertThat(plain.out()).doesNotContain("expires in");
        JsonNode open = UserOptions.JSON.readTree(run("positions", "--api", url, "--key", trader, "--json").out()).path("openOrders").path(0);
        assertThat(open.path("expiry").asLong()).isZero();
        assertThat(run("cancel", open.path("orderHash").asText(), "--api", url, "--key", trader).code()).isZero();
    }

    @Test
    void onAVenueWhoseOracleStoppedMarketsSaysOrdersAreRefusedAndAnOrderIsRefusedWithWhatStillGoes() throws Exception {
        String trader = keyOf(13);
        // the node's clock two minutes past the dev setup's price: the oracle has been silent past the venue's minute
        long pricedAt = UserOptions.JSON.readTree(run("markets", "--market", "1", "--api", url, "--json").out()).path("markets").path(0)
                .path("lastOracleTs").asLong();
        MarkFreshness marks = new MarkFreshness(60, () -> pricedAt + 120);
        try (TraderApi stale = new TraderApi(gateway, new RateLimiter(1_000, 1_000, System::nanoTime), new RateLimiter(4_000, 4_000, System::nanoTime),
                OrderLifetime.unlimited(), marks, "127.0.0.1", 0, 64 * 1024)) {
            new GatewayLink(gateway).observeMarks(marks);
            String at = "http://127.0.0.1:" + stale.port();
            Run shown = run("markets", "--api", at);
            assertThat(shown.code()).as(shown.err()).isZero();
            assertThat(shown.out()).contains("market 1: mark", "ORDERS REFUSED in market 1: its mark is 120 s old, past the 1m this venue allows",
                    "cancels and reduce-only orders still go");
            // positions says it too: a position there is closed with reduce-only orders
            Run positions = run("positions", "--api", at, "--key", trader);
            assertThat(positions.out()).contains("ORDERS REFUSED in market 1: its mark is 120 s old");
            assertThat(UserOptions.JSON.readTree(run("positions", "--api", at, "--key", trader, "--json").out()).path("staleMarks").toString())
                    .isEqualTo("[{\"market\":1,\"markAge\":120}]");
            assertThat(UserOptions.JSON.readTree(run("markets", "--api", at, "--json").out()).path("markets").path(0).path("ordersRefused").asBoolean())
                    .isTrue();
            Run bid = run("order", "--market", "1", "--side", "buy", "--price", "0.0003", "--lots", "1", "--api", at, "--key", trader);
            assertThat(bid.code()).isEqualTo(1);
            assertThat(bid.err()).contains("STALE_MARK", "market 1's mark price is 120 s old", "reduce-only orders are still taken").doesNotContain("\tat ");
        }
        Run fresh = run("markets", "--api", url);
        assertThat(fresh.out()).as("a venue without the rule").doesNotContain("ORDERS REFUSED");
        assertThat(run("positions", "--api", url, "--key", trader).out()).doesNotContain("ORDERS REFUSED");
        assertThat(UserOptions.JSON.readTree(run("positions", "--api", url, "--key", trader, "--json").out()).has("staleMarks")).isFalse();
        assertThat(UserOptions.JSON.readTree(run("markets", "--api", url, "--json").out()).path("markets").path(0).path("ordersRefused").asBoolean())
                .isFalse();
    }

    /** The protocol moves an order's whole margin at its first fill; a trader whose order partly fills and rests is told so. */
    @Test
    void aPartlyFilledOrderThatRestsSaysItsWholeMarginMovedAtTheFirstFill() throws Exception {
        String seller = keyOf(10), buyer = keyOf(11);
        assertThat(run("order", "--market", "1", "--side", "sell", "--price", "0.015", "--lots", "1", "--post-only", "--api", url, "--key", seller)
                .code()).isZero();
        // at most the one lot above and one left by another test rest at or below 0.015: five lots cannot all fill
        Run bid = run("order", "--market", "1", "--side", "buy", "--price", "0.015", "--lots", "5", "--margin", "0.05", "--api", url, "--key", buyer);
        assertThat(bid.code()).as(bid.err()).isZero();
        assertThat(bid.out()).contains("margin 0.050000, all of it moved into your position at this first fill (the ", " lot(s) still resting add none)");
        long free = free(buyer);
        JsonNode open = UserOptions.JSON.readTree(run("positions", "--api", url, "--key", buyer, "--json").out()).path("openOrders").path(0);
        assertThat(run("cancel", open.path("orderHash").asText(), "--api", url, "--key", buyer).code()).isZero();
        assertThat(free(buyer)).as("cancelling the rest gives no margin back: it moved with the first fill").isEqualTo(free);
        // an order that filled nothing says nothing of the kind
        Run none = run("order", "--market", "1", "--side", "buy", "--price", "0.0003", "--lots", "1", "--post-only", "--margin", "0.01", "--api", url,
                "--key", buyer);
        assertThat(none.out()).contains("0 lot(s) filled now", "margin 0.010000").doesNotContain("moved into your position");
        java.util.regex.Matcher hash = java.util.regex.Pattern.compile("0x[0-9a-f]{64}").matcher(none.out());
        assertThat(hash.find()).isTrue();
        assertThat(run("cancel", hash.group(), "--api", url, "--key", buyer).code()).isZero();
    }

    /** {@code buyer} rests a bid of 2 lots at 0.003 (post-only), which {@code seller} hits: buyer long 2, seller short 2. */
    private void longTwoLots(String buyer, String seller) {
        assertThat(run("order", "--market", "1", "--side", "buy", "--price", "0.003", "--lots", "2", "--post-only", "--api", url, "--key", buyer).code()).isZero();
        assertThat(run("order", "--market", "1", "--side", "sell", "--price", "0.003", "--lots", "2", "--tif", "ioc", "--api", url, "--key", seller)
                .out()).contains("2 lot(s) filled now");
    }

    @Test
    void aReduceOnlyOrderClosesAPositionWithoutMoreMarginAndCannotOpenOne() throws Exception {
        String buyer = keyOf(7), seller = keyOf(8);
        longTwoLots(buyer, seller);

        Run grow = run("order", "--market", "1", "--side", "sell", "--price", "0.003", "--lots", "1", "--reduce-only", "--api", url, "--key", seller);
        assertThat(grow.code()).isEqualTo(1);
        assertThat(grow.err()).contains("REDUCE_ONLY_WOULD_INCREASE", "sell to reduce a long, buy to reduce a short").doesNotContain("\tat ");

        // a long whose margin covers its whole notional has no liquidation price
        assertThat(run("margin", "add", "1", "--market", "1", "--api", url, "--key", buyer).code()).isZero();
        assertThat(run("positions", "--api", url, "--key", buyer).out()).contains("long 2 lot(s)", "liquidation price none (the margin covers a fall to 0)");

        // the seller's bid for 3 lots meets the buyer's reduce-only sell of 3: capped at the 2 lots held, no margin moved in
        Run bid = run("order", "--market", "1", "--side", "buy", "--price", "0.002", "--lots", "3", "--api", url, "--key", seller, "--json");
        String rest = UserOptions.JSON.readTree(bid.out()).path("orderHash").asText();
        long free = free(buyer);
        // one that may rest (gtc, the default) larger than the position is refused: its lot past it could never fill
        Run resting = run("order", "--market", "1", "--side", "sell", "--price", "0.002", "--lots", "3", "--reduce-only",
                "--api", url, "--key", buyer);
        assertThat(resting.code()).isEqualTo(1);
        assertThat(resting.err()).contains("REDUCE_ONLY_WOULD_INCREASE", "no larger than that position", "--tif ioc").doesNotContain("\tat ");
        Run close = run("order", "--market", "1", "--side", "sell", "--price", "0.002", "--lots", "3", "--reduce-only", "--tif", "ioc",
                "--api", url, "--key", buyer);
        assertThat(close.code()).as(close.err()).isZero();
        assertThat(close.out()).contains("2 lot(s) filled now", "margin 0.000000 (reduce-only: none by default)",
                "its other 1 lot(s) were cancelled (reduce-only: it closes at most your position");
        assertThat(position(buyer).path("size").asLong()).isZero();
        // the lot past the position is not left open: nothing could fill or cancel it
        JsonNode account = UserOptions.JSON.readTree(run("positions", "--api", url, "--key", buyer, "--json").out());
        assertThat(account.path("openOrders")).as("no open order left").isEmpty();
        assertThat(free(buyer)).isEqualTo(free);
        assertThat(run("cancel", rest, "--api", url, "--key", seller).code()).isZero();
    }

    @Test
    void aTakeProfitRestsReduceOnlyAndClosesThePositionWhenMet() throws Exception {
        String buyer = keyOf(14), seller = keyOf(15);
        longTwoLots(buyer, seller);
        // post-only too: a take-profit that only ever makes
        Run tp = run("order", "--market", "1", "--side", "sell", "--price", "0.0045", "--lots", "2", "--reduce-only", "--post-only", "--api", url,
                "--key", buyer);
        assertThat(tp.code()).as(tp.err()).isZero();
        assertThat(tp.out()).contains("0 lot(s) filled now", "margin 0.000000 (reduce-only: none by default)");
        assertThat(run("positions", "--api", url, "--key", buyer).out()).contains("sell 2 lot(s) at 0.004500, 0 filled, reduce-only, post-only");
        // an amend keeps what kind of order it is
        String hash = UserOptions.JSON.readTree(run("positions", "--api", url, "--key", buyer, "--json").out()).path("openOrders").path(0)
                .path("orderHash").asText();
        Run amend = run("amend", hash, "--price", "0.0044", "--api", url, "--key", buyer);
        assertThat(amend.code()).as(amend.err()).isZero();
        assertThat(run("positions", "--api", url, "--key", buyer).out()).contains("sell 2 lot(s) at 0.004400, 0 filled, reduce-only, post-only");
        assertThat(run("amend", hash, "--lots", "3", "--api", url, "--key", buyer).code()).as("the old hash is gone").isEqualTo(1);
        String amended = UserOptions.JSON.readTree(run("positions", "--api", url, "--key", buyer, "--json").out()).path("openOrders").path(0)
                .path("orderHash").asText();
        Run grow = run("amend", amended, "--lots", "3", "--api", url, "--key", buyer);
        assertThat(grow.code()).isEqualTo(1);
        assertThat(grow.err()).as("past the 2 lots held").contains("REDUCE_ONLY_WOULD_INCREASE", "no larger than that position").doesNotContain("\tat ");
        // the buyer sells one of its 2 lots elsewhere: the take-profit is cut to the 1 lot it still holds
        assertThat(run("order", "--market", "1", "--side", "buy", "--price", "0.0031", "--lots", "1", "--api", url, "--key", seller).code()).isZero();
        Run cut = run("order", "--market", "1", "--side", "sell", "--price", "0.0031", "--lots", "1", "--reduce-only", "--tif", "ioc", "--api", url,
                "--key", buyer);
        assertThat(cut.out()).as(cut.err()).contains("1 lot(s) filled now", "; your take-profit " + amended + " was cut to the 1 lot(s) you hold");
        assertThat(run("positions", "--api", url, "--key", buyer).out())
                .contains("sell 2 lot(s) at 0.004400, 0 filled, reduce-only, post-only, trimmed to the 1 lot(s) you hold");
        long free = free(buyer);
        // the seller lifts every ask up to the take-profit's price: the take-profit's one lot fills, which closes the position
        Run lift = run("order", "--market", "1", "--side", "buy", "--price", "0.0045", "--lots", "40", "--tif", "ioc", "--api", url, "--key", seller);
        assertThat(lift.code()).as(lift.err()).isZero();
        assertThat(position(buyer).path("size").asLong()).as("closed, not flipped").isZero();
        JsonNode account = UserOptions.JSON.readTree(run("positions", "--api", url, "--key", buyer, "--json").out());
        assertThat(account.path("openOrders")).as("the take-profit filled what it offered").isEmpty();
        JsonNode order = UserOptions.JSON.readTree(java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(url + "/orders/" + amended)).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body()).path("order");
        assertThat(order.path("status").asText()).isEqualTo("filled");
        assertThat(order.path("filled").asLong()).isEqualTo(1_000);
        assertThat(order.path("trimmed").asLong()).isEqualTo(1_000);
        assertThat(order.path("open").asLong()).isZero();
        assertThat(free(buyer)).as("no margin moved: free only grows by what the position gave back when closed").isGreaterThanOrEqualTo(free);
        // a take-profit trimmed, then amended (the replacement offers what it offers now, 1 lot: 2 would be refused), then
        // gone with the position the trader closes by another order: cancelled with that fill
        longTwoLots(buyer, seller);
        Run again = run("order", "--market", "1", "--side", "sell", "--price", "0.0049", "--lots", "2", "--reduce-only", "--api", url, "--key", buyer,
                "--json");
        assertThat(again.code()).as(again.err()).isZero();
        String againHash = UserOptions.JSON.readTree(again.out()).path("orderHash").asText();
        for (int i = 0; i < 2; i++) {
            if (i == 1) {
                Run moved = run("amend", againHash, "--price", "0.0048", "--api", url, "--key", buyer);
                assertThat(moved.code()).as(moved.err()).isZero();
                assertThat(run("positions", "--api", url, "--key", buyer).out()).contains("sell 1 lot(s) at 0.004800, 0 filled, reduce-only");
                againHash = UserOptions.JSON.readTree(run("positions", "--api", url, "--key", buyer, "--json").out()).path("openOrders").path(0)
                        .path("orderHash").asText();
            }
            assertThat(run("order", "--market", "1", "--side", "buy", "--price", "0.0031", "--lots", "1", "--api", url, "--key", seller).code()).isZero();
            Run sold = run("order", "--market", "1", "--side", "sell", "--price", "0.0031", "--lots", "1", "--reduce-only", "--tif", "ioc", "--api", url,
                    "--key", buyer, "--json");
            JsonNode said = UserOptions.JSON.readTree(sold.out());
            assertThat(said.path("filledLots").asLong()).as(sold.err()).isEqualTo(1);
            // the first sale cuts the take-profit to the lot left, the second closes the position and it leaves with it
            assertThat(said.path("takeProfits").path(0).path("orderHash").asText()).isEqualTo(againHash);
            assertThat(said.path("takeProfits").path(0).path(i == 0 ? "openLots" : "closed").toString()).isEqualTo(i == 0 ? "1" : "true");
        }
        assertThat(run("positions", "--api", url, "--key", buyer).out()).contains("open orders: 0");
        assertThat(UserOptions.JSON.readTree(java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(url + "/orders/" + againHash)).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body())
                .path("order").path("status").asText()).isEqualTo("cancelled:position_closed");
    }

    @Test
    void aForcedWithdrawalTheSequencerSaysWouldPayNothingTakesAnyway() throws Exception {
        String owner = keyOf(2);
        long free = free(owner);
        String tooMuch = Units.amount(free + 1_000_000);
        Run refused = run("force-withdraw", tooMuch, "--api", url, "--key", owner, "--rollup", "0x5FbDB2315678afecb367f032d93F642f64180aa3",
                "--rpc-url", "http://127.0.0.1:1");
        assertThat(refused.code()).isEqualTo(1);
        assertThat(refused.err()).contains("the sequencer says your free L2 balance is " + Units.amount(free), "takes all or nothing",
                "--anyway").doesNotContain("http://127.0.0.1:1", "\tat ");
        // within the balance, or --anyway: past the check, on to L1 (which is not there in this test)
        assertThat(free).as("the dev trader holds some").isPositive();
        for (java.util.List<String> args : java.util.List.of(java.util.List.of(Units.amount(free)), java.util.List.of(tooMuch, "--anyway"))) {
            java.util.List<String> all = new java.util.ArrayList<>(java.util.List.of("force-withdraw"));
            all.addAll(args);
            all.addAll(java.util.List.of("--api", url, "--key", owner, "--rollup", "0x5FbDB2315678afecb367f032d93F642f64180aa3", "--rpc-url", "http://127.0.0.1:1"));
            Run sent = run(all.toArray(String[]::new));
            assertThat(sent.err()).as(String.join(" ", args)).doesNotContain("the sequencer says").contains("http://127.0.0.1:1");
        }
    }

    @Test
    void aForcedCancelTheSequencerSaysWouldDoNothingTakesAnyway() throws Exception {
        String owner = keyOf(2);
        Run bid = run("order", "--market", "1", "--side", "buy", "--price", "0.0002", "--lots", "1", "--post-only", "--api", url, "--key", owner, "--json");
        assertThat(bid.code()).as(bid.err()).isZero();
        String hash = UserOptions.JSON.readTree(bid.out()).path("orderHash").asText();
        Run foreign = run("force-cancel", hash, "--api", url, "--key", keyOf(3), "--rollup", "0x5FbDB2315678afecb367f032d93F642f64180aa3",
                "--rpc-url", "http://127.0.0.1:1");
        assertThat(foreign.code()).isEqualTo(1);
        assertThat(foreign.err()).contains("belongs to", "consumed with no effect", "--anyway");
        // open and the owner's: past the check, on to L1 (which is not there in this test)
        Run open = run("force-cancel", hash, "--api", url, "--key", owner, "--rollup", "0x5FbDB2315678afecb367f032d93F642f64180aa3",
                "--rpc-url", "http://127.0.0.1:1");
        assertThat(open.err()).doesNotContain("the sequencer says").contains("http://127.0.0.1:1");
        assertThat(run("cancel", hash, "--api", url, "--key", owner).code()).isZero();
        Run gone = run("force-cancel", hash, "--api", url, "--key", owner, "--rollup", "0x5FbDB2315678afecb367f032d93F642f64180aa3",
                "--rpc-url", "http://127.0.0.1:1");
        assertThat(gone.code()).isEqualTo(1);
        assertThat(gone.err()).contains("the sequencer says order " + hash + " is cancelled", "--anyway");
        Run anyway = run("force-cancel", hash, "--anyway", "--api", url, "--key", owner, "--rollup", "0x5FbDB2315678afecb367f032d93F642f64180aa3",
                "--rpc-url", "http://127.0.0.1:1");
        assertThat(anyway.err()).doesNotContain("the sequencer says").contains("http://127.0.0.1:1");
    }

    private long free(String key) throws Exception {
        return UserOptions.JSON.readTree(run("positions", "--api", url, "--key", key, "--json").out()).path("free").asLong();
    }

    private JsonNode position(String key) throws Exception {
        for (JsonNode p : UserOptions.JSON.readTree(run("positions", "--api", url, "--key", key, "--json").out()).path("positions")) {
            if (p.path("market").asInt() == 1) return p;
        }
        throw new AssertionError("no position in market 1 for " + key);
    }

    @Test
    void anUnknownMarketIsNamedWithTheMarketsThereAre() {
        Run r = run("order", "--market", "9", "--side", "buy", "--price", "0.01", "--lots", "1", "--api", url, "--key", trader0);
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("market 9 is not listed", "listed: 1").doesNotContain("Exception", "\tat ");
    }

    @Test
    void aPostOnlyOrderThatCouldNotRestIsRefusedBeforeItIsSigned() {
        Run r = run("order", "--market", "1", "--side", "buy", "--price", "0.0001", "--lots", "1", "--post-only", "--tif", "ioc",
                "--api", url, "--key", trader0);
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("post-only", "leave out --tif ioc").doesNotContain("BOOK_REJECTED", "\tat ");
    }

    @Test
    void aPriceOffTheTickSuggestsTheNearestOnes() {
        Run r = run("order", "--market", "1", "--side", "buy", "--price", "0.00015", "--lots", "1", "--api", url, "--key", trader0);
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("not a multiple", "0.000100", "0.000200");
        Run belowTick = run("order", "--market", "1", "--side", "buy", "--price", "0.00005", "--lots", "1", "--api", url, "--key", trader0);
        assertThat(belowTick.err()).contains("the lowest price is 0.000100").doesNotContain("0.000000");
    }

    @Test
    void aPriceAboveTheVenuesBookIsRefusedBeforeSigningWithTheHighestItTakes() {
        // the devnet genesis's books take 2^24 ticks, here of 0.000100: up to 1677.721600 per lot
        Run r = run("order", "--market", "1", "--side", "sell", "--price", "1677.7217", "--lots", "1", "--api", url, "--key", trader0);
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("above 1677.721600", "16777216 ticks of 0.000100").doesNotContain("Exception");
        assertThat(run("markets", "--market", "1", "--api", url).out()).contains("prices up to 1677.721600");
    }

    @Test
    void badAmountsAreUsageErrorsBeforeAnythingIsSent() {
        Run decimals = run("withdraw", "12.3456789", "--api", url, "--key", trader0);
        assertThat(decimals.code()).isEqualTo(2);
        assertThat(decimals.err()).contains("more than 6 decimals").doesNotContain("\tat ");
        Run words = run("deposit", "lots", "--key", trader0);
        assertThat(words.code()).isEqualTo(2);
        assertThat(words.err()).contains("is not an amount", "such as 1000 or 12.5");
        Run zero = run("withdraw", "0", "--api", url, "--key", trader0);
        assertThat(zero.code()).isEqualTo(2);
        assertThat(zero.err()).contains("more than 0");
        Run side = run("order", "--market", "1", "--side", "up", "--price", "1", "--lots", "1", "--api", url, "--key", trader0);
        assertThat(side.code()).as("a usage error, as picocli's own").isEqualTo(2);
        assertThat(side.err()).contains("--side must be buy or sell");
        // what the command line gets wrong is a usage error (exit 2) wherever it is checked
        for (String[] typed : new String[][] {{"--lots", "0", "--price", "1"}, {"--lots", "1", "--price", "abc"}, {"--lots", "1", "--price", "1", "--tif", "xyz"}}) {
            java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("order", "--market", "1", "--side", "buy"));
            args.addAll(java.util.List.of(typed));
            args.addAll(java.util.List.of("--api", url, "--key", trader0));
            assertThat(run(args.toArray(String[]::new)).code()).as(String.join(" ", typed)).isEqualTo(2);
        }
        assertThat(run("cancel", "0x1234", "--api", url, "--key", trader0).code()).as("a malformed hash").isEqualTo(2);
        // refused before L1 is read (no node listens at --rpc-url): nothing claimed then reported as a failure
        Run lookAhead = run("claim", "--look-ahead", "-1", "--rpc-url", "http://127.0.0.1:1", "--key", trader0);
        assertThat(lookAhead.code()).isEqualTo(2);
        assertThat(lookAhead.err()).contains("--look-ahead must be 0 or more, got -1").doesNotContain("does not answer", "\tat ");
    }

    @Test
    void aWithdrawalBeyondTheFreeBalanceIsRefusedWithTheBalance() {
        Run r = run("withdraw", "2000000", "--api", url, "--key", keyOf(1));
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("your free L2 balance is");
    }

    @Test
    void anUnreachableSequencerOrNodeSaysWhereItLookedAndWhatToDo() {
        Run seq = run("positions", "--api", "http://127.0.0.1:1", "--key", trader0);
        assertThat(seq.code()).isEqualTo(1);
        assertThat(seq.err()).contains("cannot reach the sequencer at http://127.0.0.1:1", "./clearline up", "--api").doesNotContain("\tat ");
        Run l1 = run("deposit", "10", "--rpc-url", "http://127.0.0.1:1", "--rollup", "0x5FbDB2315678afecb367f032d93F642f64180aa3", "--key", trader0);
        assertThat(l1.code()).isEqualTo(1);
        assertThat(l1.err()).contains("http://127.0.0.1:1", "--rpc-url").doesNotContain("\tat ");
    }

    @Test
    void aMissingKeyOrManifestIsExplained() {
        Run key = run("withdraw", "1", "--api", url);
        if (System.getenv("CLEARLINE_KEY") == null) {
            assertThat(key.code()).isEqualTo(1);
            assertThat(key.err()).contains("no key", "--key");
        }
        Run manifest = run("claim", "--manifest", dir.resolve("nope.json").toString(), "--key", trader0);
        assertThat(manifest.code()).isEqualTo(1);
        assertThat(manifest.err()).contains("no deployment manifest", "--rollup");
    }

}
