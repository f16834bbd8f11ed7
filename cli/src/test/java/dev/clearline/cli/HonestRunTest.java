package dev.clearline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.clearline.contracts.generated.TestCollateral;
import dev.clearline.devnet.deploy.Manifest;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.http.HttpService;
import org.web3j.tx.ReadonlyTransactionManager;

/**
 * An honest run end to end, driven by the CLI a person would use against `up`: deposit through L1,
 * the deposit credited on L2, a trade against the demo market makers, a withdrawal, its batch
 * posted and finalized, and the claim paid on L1 from a proof built from L1 alone. Meanwhile the
 * demo traders trade on both markets and the watcher judges every posted batch honest.
 */
class HonestRunTest {
    @TempDir
    Path tmp;

    @Test
    void depositTradeWithdrawAndClaimAfterFinalization() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch stop = new CountDownLatch(1);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Path manifest = tmp.resolve("deployment.json");
        String[] args = {"up", "--port", "0", "--api-port", "0", "--dir", tmp.resolve("stack").toString(), "--manifest", manifest.toString(),
                "--time-speed", "60", "--status-every", "1"};
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true),
                onStop -> {
                    started.countDown();
                    stop.await();
                    onStop.run();
                }));
        try {
            // about 10 s quiet; a stack start took over 180 s with six builds on 2 cores (load 37): the bound catches a hang
            if (!started.await(300, TimeUnit.SECONDS)) {
                throw new AssertionError("up did not start in 300 s" + (exit.isDone() ? " (it ended: " + exit.handle((c, t) -> c != null ? "exit " + c : t.toString()).join() + ")" : "")
                        + "; out: " + out + "\nerr: " + err + "\n" + stacks());
            }
            String banner = out.toString();
            String rpc = find(banner, "L1 RPC:\\s+(\\S+)");
            String api = find(banner, "Trader API:\\s+(\\S+)");
            String key = find(banner, "private key (0x[0-9a-f]{64})\\s*\\n\\s*\\nTry next");
            // the options the guide prints after its deposit command are the ones every user command below runs with,
            // so a printed command that could not find the deployment (this run's manifest is not at the default path) fails here
            List<String> common = new java.util.ArrayList<>(List.of(find(banner, "\\./clearline deposit 1000 --wait (.+?)\\s{2,}\\(").trim().split(" +")));
            assertThat(String.join(" ", common)).contains("--rpc-url " + rpc, "--key " + key, "--manifest " + manifest.toAbsolutePath().normalize());
            common.add("--json");
            Web3j web3j = Web3j.build(new HttpService(rpc));
            String me = Credentials.create(key).getAddress();
            TestCollateral token = TestCollateral.load(Manifest.read(manifest).orElseThrow().address("TestCollateral"), web3j,
                    new ReadonlyTransactionManager(web3j, me), UserOptions.gas());
            BigInteger before = token.balanceOf(me).send();

            // --wait returns once the sequencer has credited it: the order right after may spend it, no polling of ours
            Run deposit = cli(common, "deposit", "1000", "--wait");
            assertThat(deposit.code()).as(deposit.err()).isZero();
            assertThat(UserOptions.JSON.readTree(deposit.out()).path("credited").asBoolean()).isTrue();
            assertThat(free(cli(common, "positions"))).as("the deposit credited on L2").isEqualTo(1_000_000_000L);

            // buy one lot of market 1 from the demo makers with a market order as the guide prints it (its worst price 2 % over the mark)
            assertThat(banner).contains("./clearline order --market 1 --side buy --type market --lots 1 --rpc-url ");
            long filled = 0;
            String boughtAt = "";
            for (int attempt = 0; attempt < 20 && filled == 0; attempt++) {
                JsonNode state = UserOptions.JSON.readTree(java.net.http.HttpClient.newHttpClient().send(
                        java.net.http.HttpRequest.newBuilder(java.net.URI.create(api + "/state")).timeout(java.time.Duration.ofSeconds(30)).GET().build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString()).body());
                assertThat(state.path("markets")).as("the two demo markets").hasSize(2);
                Run order = cli(common, "order", "--market", "1", "--side", "buy", "--type", "market", "--lots", "1");
                assertThat(order.code()).as(order.err()).isZero();
                assertThat(UserOptions.JSON.readTree(order.out()).path("type").asText()).isEqualTo("market");
                filled = UserOptions.JSON.readTree(order.out()).path("filledLots").asLong();
                boughtAt = UserOptions.JSON.readTree(order.out()).path("averageFillPrice").asText();
                if (filled == 0) Thread.sleep(500);
            }
            assertThat(filled).as("a lot bought from the demo makers").isEqualTo(1);
            // the stack feeds its own prices a second apart: its venue takes orders that grow a position only within a minute of one
            JsonNode venue = UserOptions.JSON.readTree(java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create(api + "/venue")).timeout(java.time.Duration.ofSeconds(30)).GET().build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body());
            assertThat(venue.path("maxMarkAge").asLong()).as(venue.toString()).isEqualTo(60);
            assertThat(venue.path("staleMarks").size()).as("both markets priced within the minute: " + venue).isZero();
            assertThat(venue.has("staleMarks")).as(venue.toString()).isTrue();
            JsonNode account = UserOptions.JSON.readTree(cli(common, "positions").out());
            assertThat(account.path("positions").get(0).path("size").asLong()).isEqualTo(1_000);
            // the lot's entry price is what it was bought at, followed by the node from the fill
            assertThat(Units.amount(account.path("positions").get(0).path("entryPrice").asLong())).as(account.toString()).isEqualTo(boughtAt);

            // a stop-loss as the guide prints it (5 % under the start): armed, listed with its trigger, then taken off by its hash
            String stopLoss = find(banner, "\\./clearline order --market 1 --side sell --type market --lots 2 --reduce-only --stop (\\S+) ");
            assertThat(stopLoss).isEqualTo("57.000000");
            JsonNode armed = UserOptions.JSON.readTree(cli(common, "order", "--market", "1", "--side", "sell", "--type", "market", "--lots", "1",
                    "--reduce-only", "--stop", stopLoss).out());
            assertThat(armed.path("armed").asBoolean()).as(armed.toString()).isTrue();
            JsonNode listed = UserOptions.JSON.readTree(cli(common, "positions").out()).path("openOrders");
            assertThat(listed.findValuesAsText("status")).contains("armed");
            assertThat(cli(common, "cancel", armed.path("orderHash").asText()).code()).isZero();
            // and a trailing one as the guide prints it: armed with its distance, its trigger that far under the mark, cancelled
            String trail = find(banner, "\\./clearline order --market 1 --side sell --type market --lots 2 --reduce-only --trail (\\S+) ");
            assertThat(trail).isEqualTo("1.800000");
            JsonNode trailing = UserOptions.JSON.readTree(cli(common, "order", "--market", "1", "--side", "sell", "--type", "market", "--lots", "1",
                    "--reduce-only", "--trail", trail).out());
            assertThat(trailing.path("armed").asBoolean()).as(trailing.toString()).isTrue();
            assertThat(trailing.path("trailBy").asText()).isEqualTo(trail);
            assertThat(cli(common, "cancel", trailing.path("orderHash").asText()).code()).isZero();
            // the dead man's switch as the guide prints it: set a minute past the node's clock, shown with the account, turned off
            assertThat(banner).contains("./clearline cancel --after 60 ");
            JsonNode deadMan = UserOptions.JSON.readTree(cli(common, "cancel", "--after", "60").out());
            assertThat(deadMan.path("deadline").asLong()).as(deadMan.toString()).isPositive();
            assertThat(UserOptions.JSON.readTree(cli(common, "positions").out()).path("cancelAllAt").asLong()).isEqualTo(deadMan.path("deadline").asLong());
            assertThat(UserOptions.JSON.readTree(cli(common, "cancel", "--after", "0").out()).path("deadline").asLong()).isZero();
            assertThat(UserOptions.JSON.readTree(cli(common, "positions").out()).has("cancelAllAt")).isFalse();

            JsonNode fill = account.path("fills").get(0);
            // L1 time runs 60x: the 600 s challenge period is 10 s here, which a stalled, loaded machine can spend before this read
            assertThat(fill.path("stage").asText()).as("a fresh fill: %s", fill).isIn("matched", "posted", "final");
            assertThat(fill.path("batch").asLong(-1)).isNotNegative();

            // a take-profit as the guide prints it (here 5 % up, out of the demo flow's reach): it rests, and the close below,
            // another fill that closes the position, takes it off the book
            assertThat(find(banner, "\\./clearline order --market 1 --side sell --price (\\S+) --lots 2 --reduce-only ")).isEqualTo("60.600000");
            long markNow = UserOptions.JSON.readTree(java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create(api + "/state")).timeout(java.time.Duration.ofSeconds(30)).GET().build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body()).path("marketInfo").get(0).path("markPrice").asLong();
            Run tp = cli(common, "order", "--market", "1", "--side", "sell", "--price", Units.amount(markNow * 105 / 100 / 1_000 * 1_000), "--lots", "1",
                    "--reduce-only");
            assertThat(tp.code()).as(tp.err()).isZero();
            assertThat(UserOptions.JSON.readTree(tp.out()).path("filledLots").asLong()).isZero();
            String tpHash = UserOptions.JSON.readTree(tp.out()).path("orderHash").asText();

            // close it with a reduce-only sell into the demo bids (no margin moved in), then take the margin back: the
            // Release goes into a batch like any transition, and the watcher judges those batches below
            long sold = 0;
            JsonNode sale = null;
            for (int attempt = 0; attempt < 20 && sold == 0; attempt++) {
                long mark = UserOptions.JSON.readTree(java.net.http.HttpClient.newHttpClient().send(
                        java.net.http.HttpRequest.newBuilder(java.net.URI.create(api + "/state")).timeout(java.time.Duration.ofSeconds(30)).GET().build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString()).body()).path("marketInfo").get(0).path("markPrice").asLong();
                Run close = cli(common, "order", "--market", "1", "--side", "sell", "--price", Units.amount((mark / 1_000 - 10) * 1_000), "--lots", "1",
                        "--tif", "ioc", "--reduce-only");
                assertThat(close.code()).as(close.err()).isZero();
                assertThat(UserOptions.JSON.readTree(close.out()).path("margin").asText()).isEqualTo("0.000000");
                sale = UserOptions.JSON.readTree(close.out());
                sold = sale.path("filledLots").asLong();
                if (sold == 0) Thread.sleep(500);
            }
            assertThat(sold).as("the lot sold back to the demo makers").isEqualTo(1);
            assertThat(sale.path("takeProfits").path(0).path("orderHash").asText()).as("the sale says the take-profit left: %s", sale).isEqualTo(tpHash);
            assertThat(sale.path("takeProfits").path(0).path("closed").asBoolean()).isTrue();
            JsonNode closed = UserOptions.JSON.readTree(cli(common, "positions").out());
            assertThat(closed.path("positions").get(0).path("size").asLong()).isZero();
            assertThat(closed.path("openOrders")).as("the take-profit left with the position").isEmpty();
            assertThat(UserOptions.JSON.readTree(java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create(api + "/orders/" + tpHash)).timeout(java.time.Duration.ofSeconds(30)).GET().build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body()).path("order").path("status").asText()).isEqualTo("cancelled:position_closed");
            long held = closed.path("positions").get(0).path("equity").asLong();
            long freeBeforeRelease = closed.path("free").asLong();
            Run release = cli(common, "margin", "remove", "all", "--market", "1");
            assertThat(release.code()).as(release.err()).isZero();
            JsonNode released = UserOptions.JSON.readTree(cli(common, "positions").out());
            assertThat(released.path("free").asLong()).isEqualTo(freeBeforeRelease + held);
            assertThat(released.path("positions")).as("nothing left in the closed position").isEmpty();

            Run withdraw = cli(common, "withdraw", "60");
            assertThat(withdraw.code()).as(withdraw.err()).isZero();
            long withdrawalId = UserOptions.JSON.readTree(withdraw.out()).path("withdrawalId").asLong();
            Run withdraw2 = cli(common, "withdraw", "40");
            assertThat(withdraw2.code()).as(withdraw2.err()).isZero();
            long withdrawalId2 = UserOptions.JSON.readTree(withdraw2.out()).path("withdrawalId").asLong();
            // one to a wallet whose key is not at hand: any key claims it for that wallet, with the command the line names
            String cold = "0x00000000000000000000000000000000000c01d1";
            List<String> textual = new ArrayList<>(common);
            textual.remove("--json");
            Run withdraw3 = cli(textual, "withdraw", "5", "--to", cold);
            assertThat(withdraw3.code()).as(withdraw3.err()).isZero();
            assertThat(withdraw3.out()).contains(" to " + cold + " accepted at seq ", "once its batch is final: ./clearline claim --to " + cold);
            long withdrawalId3 = Long.parseLong(withdraw3.out().replaceFirst("(?s)^Withdrawal (\\d+) .*", "$1"));

            // its batch reaches L1: posted, with the L1 time it becomes final, and `status` says how long that is
            JsonNode[] seen = new JsonNode[1];
            await(() -> {
                seen[0] = withdrawal(cli(common, "positions"), withdrawalId);
                return !seen[0].isMissingNode() && !seen[0].path("stage").asText().equals("matched");
            }, 60, "the withdrawal's batch posted");
            assertThat(seen[0].path("withdrawalId").asLong()).isEqualTo(withdrawalId);
            if (seen[0].path("stage").asText().equals("posted")) {
                assertThat(seen[0].path("finalAt").asLong()).isGreaterThan(seen[0].path("postedAt").asLong());
                List<String> text = new ArrayList<>(common);
                text.remove("--json");
                Run status = cli(text, "status");
                assertThat(status.out()).containsPattern("withdrawal " + withdrawalId + " of 60(\\.0+)?: (posted in batch \\d+, final in about \\d+ L1 second\\(s\\) "
                        + "\\(about \\d+ s here: L1 time runs 60x\\) unless disputed|final)");
            }

            // posted, final after the challenge period (both), then claimed with proofs rebuilt from L1. The L1 endpoint goes
            // away after the first payment: the failure names what was paid before it, and the next claim takes the rest
            await(() -> {
                Run positions = cli(common, "positions");
                return "final".equals(withdrawal(positions, withdrawalId).path("stage").asText())
                        && "final".equals(withdrawal(positions, withdrawalId2).path("stage").asText())
                        && "final".equals(withdrawal(positions, withdrawalId3).path("stage").asText());
            }, 120, "the three withdrawals final");
            try (FailingSendsProxy cut = new FailingSendsProxy(rpc, 1)) {
                List<String> viaCut = new ArrayList<>(common);
                viaCut.set(viaCut.indexOf("--rpc-url") + 1, cut.url());
                Run claim = cli(viaCut, "claim");
                assertThat(claim.code()).as(claim.out() + claim.err()).isEqualTo(1);
                assertThat(claim.err()).contains("cannot claim withdrawal " + withdrawalId2, "does not answer",
                        "paid in this run before it: withdrawal " + withdrawalId + " 60.000000 (60.000000 in all)", "claim again takes the rest");
                assertThat(token.balanceOf(me).send()).as("the first paid, the second never sent")
                        .isEqualTo(before.subtract(BigInteger.valueOf(1_000_000_000L)).add(BigInteger.valueOf(60_000_000L)));
            }
            // status asks L1 which final withdrawal was paid: the first, not the second, named with the command that pays it
            assertThat(claimedOnL1(common)).as("withdrawal id -> claimed, from status").containsExactlyInAnyOrderEntriesOf(
                    java.util.Map.of(withdrawalId, true, withdrawalId2, false, withdrawalId3, false));
            assertThat(cli(textual, "status").out()).contains("withdrawal " + withdrawalId3 + " of 5.000000: final in batch ",
                    ", not claimed yet: ./clearline claim --to " + cold + " pays it");
            long[] claimed = {60_000_000L};
            // the rest, and the endpoint goes away once it is paid: the look-ahead at batches not final yet fails, and the
            // claim still reports what it paid (exit 0), the look-ahead's failure beside it
            Run rest;
            try (FailingSendsProxy cut = new FailingSendsProxy(rpc, 1, true)) {
                List<String> viaCut = new ArrayList<>(common);
                viaCut.set(viaCut.indexOf("--rpc-url") + 1, cut.url());
                rest = cli(viaCut, "claim");
            }
            assertThat(rest.code()).as(rest.err()).isZero();
            assertThat(UserOptions.JSON.readTree(rest.out()).path("postedNotFinalError").asText()).contains("does not answer");
            JsonNode restClaimed = UserOptions.JSON.readTree(rest.out()).path("claimed");
            assertThat(restClaimed).as("only the one not paid").hasSize(1);
            assertThat(restClaimed.get(0).path("withdrawalId").asLong()).isEqualTo(withdrawalId2);
            claimed[0] += Units.parse(restClaimed.get(0).path("amount").asText());
            assertThat(claimed[0]).isEqualTo(100_000_000L);
            assertThat(token.balanceOf(me).send()).isEqualTo(before.subtract(BigInteger.valueOf(1_000_000_000L)).add(BigInteger.valueOf(100_000_000L)));
            Run again = cli(common, "claim");
            assertThat(UserOptions.JSON.readTree(again.out()).path("claimed")).as("each withdrawal is paid once").isEmpty();
            assertThat(claimedOnL1(common)).containsExactlyInAnyOrderEntriesOf(java.util.Map.of(withdrawalId, true, withdrawalId2, true,
                    withdrawalId3, false));
            // the wallet's withdrawal, claimed by this key for it: the wallet is paid, the key only pays the gas
            Run forCold = cli(common, "claim", "--to", cold);
            assertThat(forCold.code()).as(forCold.err()).isZero();
            assertThat(UserOptions.JSON.readTree(forCold.out()).path("claimed")).hasSize(1);
            assertThat(UserOptions.JSON.readTree(forCold.out()).path("claimed").get(0).path("withdrawalId").asLong()).isEqualTo(withdrawalId3);
            assertThat(token.balanceOf(cold).send()).isEqualTo(BigInteger.valueOf(5_000_000L));
            assertThat(token.balanceOf(me).send()).isEqualTo(before.subtract(BigInteger.valueOf(1_000_000_000L)).add(BigInteger.valueOf(100_000_000L)));
            assertThat(claimedOnL1(common)).containsExactlyInAnyOrderEntriesOf(java.util.Map.of(withdrawalId, true, withdrawalId2, true,
                    withdrawalId3, true));

            // claimed means final on L1; the sequencer's API learns it from the L1 loop's next report (so its
            // batchesFinal is read after that report, not right after the claim)
            await(() -> {
                JsonNode you = UserOptions.JSON.readTree(cli(common, "status").out()).path("you");
                return you.path("withdrawals").get(0).path("stage").asText().equals("final")
                        && you.path("fills").get(0).path("stage").asText().equals("final");
            }, 90, "the fill and the withdrawal final in the API"); // the L1 loop backs off up to 30 s after a failed round
            JsonNode status = UserOptions.JSON.readTree(cli(common, "status").out());
            assertThat(status.path("l1").path("batchesFinal").asLong()).as("final batches in %s", status.path("l1")).isPositive();
            assertThat(status.path("l1").path("frozen").asBoolean()).isFalse();
            assertThat(status.path("you").path("l1Wallet").asText()).as("the wallet's collateral, read from L1").isEqualTo(Units.amount(token.balanceOf(me).send()));
            assertThat(status.path("you").path("unconsumedOps")).as("the deposit was consumed long ago").isEmpty();
            assertThat(status.path("l1").path("timeSpeed").asLong()).as("the devnet's clock speed, told by clearline_nodeInfo").isEqualTo(60);
            // the watcher replaying L1 alone found the posted batches honest; the demo traders traded
            await(() -> out.toString().matches("(?s).*verified honest [1-9].*"), 90, "watcher verdicts");
            assertThat(out.toString()).doesNotContain("FRAUD").matches("(?s).*demo orders [1-9].*");
            assertThat(banner).contains("Clearline local stack is up", "./clearline deposit", "./clearline order", "./clearline claim",
                    "in a market whose oracle has been silent for 1m, only cancels and reduce-only orders");
        } finally {
            stop.countDown();
            if (started.getCount() == 0) assertThat(exit.get(60, TimeUnit.SECONDS)).isZero();
        }
    }

    record Run(int code, String out, String err) {}

    /** This JVM's thread stacks (the stack under test runs in it), for a failure that would otherwise say only "timed out". */
    static String stacks() {
        StringBuilder b = new StringBuilder("threads:\n");
        Thread.getAllStackTraces().forEach((t, frames) -> {
            b.append('"').append(t.getName()).append("\" ").append(t.getState()).append('\n');
            for (StackTraceElement f : frames) b.append("    at ").append(f).append('\n');
        });
        return b.toString();
    }

    static Run cli(List<String> common, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(common);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(all.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true), stop -> { });
        return new Run(code, out.toString(), err.toString());
    }

    /** The withdrawal with {@code id} in a positions answer, or a missing node. */
    static JsonNode withdrawal(Run positions, long id) throws Exception {
        assertThat(positions.code()).as(positions.err()).isZero();
        for (JsonNode w : UserOptions.JSON.readTree(positions.out()).path("withdrawals")) {
            if (w.path("withdrawalId").asLong() == id) return w;
        }
        return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }

    /** Each withdrawal status lists, with whether L1 says it was claimed (only final ones are told; all here are). */
    static java.util.Map<Long, Boolean> claimedOnL1(List<String> common) throws Exception {
        Run status = cli(common, "status");
        assertThat(status.code()).as(status.err()).isZero();
        java.util.Map<Long, Boolean> out = new java.util.HashMap<>();
        for (JsonNode w : UserOptions.JSON.readTree(status.out()).path("you").path("withdrawals")) {
            assertThat(w.path("stage").asText()).as("%s: its batch is final on L1", w).isEqualTo("final");
            out.put(w.path("withdrawalId").asLong(), w.path("claimed").asBoolean());
        }
        return out;
    }

    static long free(Run positions) throws Exception {
        assertThat(positions.code()).as(positions.err()).isZero();
        return UserOptions.JSON.readTree(positions.out()).path("free").asLong();
    }

    static String find(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertThat(m.find()).as("%s in %s", regex, text).isTrue();
        return m.group(1);
    }

    interface Check {
        boolean get() throws Exception;
    }

    /**
     * Asks {@code done} until it holds, with half a second between asks, at most {@code seconds} x 2 times (counted waits, not
     * the clock: a check that is itself slow on a loaded machine only makes the wait longer, never a failure sooner).
     */
    static void await(Check done, int seconds, String what) throws Exception {
        for (int waits = 0; !done.get(); waits++) {
            if (waits >= seconds * 2) throw new AssertionError("gave up waiting for " + what + " (" + waits + " waits of 0.5 s)\n" + stacks());
            Thread.sleep(500);
        }
    }
}
