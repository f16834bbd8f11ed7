package dev.clearline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.clearline.contracts.generated.TestCollateral;
import dev.clearline.devnet.junit.DevnetContext;
import dev.clearline.devnet.junit.WithDevnet;
import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.sequencer.SequencerMain;
import dev.clearline.sequencer.api.Gateway;
import dev.clearline.sequencer.api.RateLimiter;
import dev.clearline.sequencer.l1.GatewayLink;
import dev.clearline.sequencer.api.OrderLifetime;
import dev.clearline.sequencer.api.MarkFreshness;
import dev.clearline.sequencer.api.TraderApi;
import dev.clearline.sequencer.cluster.NodeConfig;
import dev.clearline.sequencer.cluster.SequencerNode;
import dev.clearline.sequencer.state.Genesis;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;
import org.web3j.utils.Numeric;

/**
 * A node whose poster stopped halts new orders; a trader's {@code status} says so, with the
 * reason and what still works, before an order of theirs is refused.
 */
@WithDevnet(http = true)
class HaltedNodeStatusTest {
    @TempDir
    Path dir;

    /**
     * A sequencer node for the devnet's rollup with its trader API and no L1 side: it answers for the rollup but never
     * reads L1, so it credits no deposit, as a node whose L1 loop has stopped. With {@code devTraders}, market 1 and that
     * many dev traders funded on L2 by ops of its own (numbered as L1's queue would be: a node set up so has no count of
     * L1's queue to wait on).
     */
    private record Venue(SequencerNode node, Gateway gateway, TraderApi api) implements AutoCloseable {
        static Venue start(DevnetContext l1, Path dir, int devTraders) throws Exception {
            String rollup = l1.address("Rollup");
            Genesis dev = Genesis.devnet(Address.fromHex(rollup));
            Genesis genesis = new Genesis(l1.devnet().chainId(), Address.fromHex(rollup), dev.books(), dev.batches());
            SequencerNode node = SequencerNode.start(NodeConfig.ephemeral(dir, genesis), new NativeSecp256k1Verifier());
            Gateway gateway = new Gateway(node.config().aeronDir(), node.config().ingress(), genesis.domain(), new NativeSecp256k1Verifier(), 1);
            if (devTraders > 0) SequencerMain.devSetup(gateway, genesis.domain(), devTraders);
            return new Venue(node, gateway, api(gateway));
        }

        /** Another trader API on the same node, on a port of its own. */
        static TraderApi api(Gateway gateway) throws Exception {
            return new TraderApi(gateway, new RateLimiter(1_000, 1_000, System::nanoTime), new RateLimiter(1_000, 1_000, System::nanoTime),
                    "127.0.0.1", 0, 64 * 1024);
        }

        @Override
        public void close() throws Exception {
            api.close();
            gateway.close();
            node.close();
        }
    }

    @Test
    void statusShowsAHaltedNodeWithItsReasonAndWhatStillWorks(DevnetContext l1) throws Exception {
        String rollup = l1.address("Rollup");
        try (Venue venue = Venue.start(l1, dir, 2)) {
            TraderApi api = venue.api();
            List<String> common = List.of("--rpc-url", l1.devnet().rpcUrl(), "--rollup", rollup, "--api", "http://127.0.0.1:" + api.port(),
                    "--key", Numeric.toHexStringWithPrefixZeroPadded(l1.key(3).getEcKeyPair().getPrivateKey(), 64));
            // the two URLs swapped: each says which it is not, and which flag takes it
            CensorshipFreezeTest.Run swappedApi = CensorshipFreezeTest.cli(List.of("--api", l1.devnet().rpcUrl(), "--key", UserCommandsTest.keyOf(0)),
                    "positions");
            assertThat(swappedApi.code()).isEqualTo(1);
            assertThat(swappedApi.err()).contains("answered as a JSON-RPC node (an L1?), not as a Clearline trader API", "--api").doesNotContain("\tat ");
            CensorshipFreezeTest.Run swappedRpc = CensorshipFreezeTest.cli(List.of("--rpc-url", "http://127.0.0.1:" + api.port(), "--rollup", rollup,
                    "--api", "http://127.0.0.1:" + api.port(), "--key", UserCommandsTest.keyOf(0)), "status");
            assertThat(swappedRpc.err()).contains("not as an Ethereum JSON-RPC node; is --rpc-url the L1 node?").doesNotContain("\tat ");
            // a --rollup that is not one: no code there, or another contract (the token's address given by mistake)
            CensorshipFreezeTest.Run noCode = CensorshipFreezeTest.cli(List.of("--rpc-url", l1.devnet().rpcUrl(), "--rollup",
                    "0x00000000000000000000000000000000000000aa", "--key", UserCommandsTest.keyOf(0)), "status");
            assertThat(noCode.code()).isEqualTo(1);
            assertThat(noCode.err()).contains("there is no contract at 0x00000000000000000000000000000000000000aa", "--rollup").doesNotContain("\tat ");
            CensorshipFreezeTest.Run token = CensorshipFreezeTest.cli(List.of("--rpc-url", l1.devnet().rpcUrl(), "--rollup",
                    l1.address("TestCollateral"), "--key", UserCommandsTest.keyOf(0)), "status");
            assertThat(token.code()).isEqualTo(1);
            assertThat(token.err()).contains("is a contract on this chain but not a Clearline rollup").doesNotContain("\tat ");
            CensorshipFreezeTest.Run live = CensorshipFreezeTest.cli(common, "status");
            assertThat(live.code()).as(live.err()).isZero();
            assertThat(live.out()).contains("Sequencer http://127.0.0.1:").doesNotContain("HALTED");
            assertThat(CensorshipFreezeTest.cli(List.of("--api", "http://127.0.0.1:" + api.port(), "--key", UserCommandsTest.keyOf(0)), "positions").out())
                    .contains("open orders:").doesNotContain("HALTED");
            JsonNode taking = CensorshipFreezeTest.json(CensorshipFreezeTest.cli(List.of("--api", "http://127.0.0.1:" + api.port(), "--key",
                    UserCommandsTest.keyOf(0)), "positions", "--json"));
            assertThat(taking.has("free")).isTrue();
            assertThat(taking.has("halted")).as("no halted field while the node takes orders").isFalse();

            // two resting asks of trader 0, far above the mark, for the cancel below
            List<String> maker = List.of("--api", "http://127.0.0.1:" + api.port(), "--key", UserCommandsTest.keyOf(0));
            for (String price : List.of("0.5", "0.6")) {
                CensorshipFreezeTest.Run ask = CensorshipFreezeTest.cli(maker, "order", "--market", "1", "--side", "sell", "--price", price, "--lots", "1");
                assertThat(ask.code()).as(ask.err()).isZero();
            }

            api.halt("its batches no longer reach L1 (the rollup's tip is not this node's)");
            // the moment a market maker pulls its quotes: a halted node still takes cancels, every order of the key at once
            CensorshipFreezeTest.Run pulled = CensorshipFreezeTest.cli(maker, "cancel", "--all");
            assertThat(pulled.code()).as(pulled.err()).isZero();
            assertThat(pulled.out()).startsWith("Cancelled 2 order(s) at seq ");
            assertThat(CensorshipFreezeTest.json(CensorshipFreezeTest.cli(maker, "positions", "--json")).path("openOrderCount").asInt()).isZero();
            CensorshipFreezeTest.Run halted = CensorshipFreezeTest.cli(common, "status");
            assertThat(halted.code()).as(halted.err()).isZero();
            assertThat(halted.out()).contains("HALTED: the node takes no new orders, withdrawals or margin moves (its batches no longer reach L1 (the"
                    + " rollup's tip is not this node's)); cancels still work (./clearline cancel --all pulls every order of yours)", "./clearline escape --dry-run");
            JsonNode json = CensorshipFreezeTest.json(CensorshipFreezeTest.cli(common, "status", "--json"));
            assertThat(json.path("sequencer").path("halted").asText()).contains("the rollup's tip is not this node's");

            // positions, what a trader reads most, says so too
            List<String> trader = List.of("--api", "http://127.0.0.1:" + api.port(), "--key", UserCommandsTest.keyOf(0));
            assertThat(CensorshipFreezeTest.cli(trader, "positions").out()).contains("open orders:", "HALTED: the node takes no new orders",
                    "the rollup's tip is not this node's");
            JsonNode positionsJson = CensorshipFreezeTest.json(CensorshipFreezeTest.cli(trader, "positions", "--json"));
            assertThat(positionsJson.path("halted").asText()).as("a script reads it beside the account").contains("the rollup's tip is not this node's");
            assertThat(positionsJson.has("free")).isTrue();
            // an order refused by the halted node: the reason, and the way out through L1
            CensorshipFreezeTest.Run refused = CensorshipFreezeTest.cli(List.of("--api", "http://127.0.0.1:" + api.port(), "--key", UserCommandsTest.keyOf(0)),
                    "order", "--market", "1", "--side", "sell", "--price", "0.01", "--lots", "1");
            assertThat(refused.code()).isEqualTo(1);
            assertThat(refused.err()).contains("the sequencer refused: HALTED: the node takes no new orders", "the rollup's tip is not this node's",
                    "./clearline force-withdraw AMOUNT", "escape --dry-run").doesNotContain("\tat ");

            // a venue whose oracle went silent past its mark age (the node's clock 2 minutes past market 1's price): status says
            // where orders are refused and what still goes, beside the rest
            long pricedAt = CensorshipFreezeTest.json(CensorshipFreezeTest.cli(List.of("--api", "http://127.0.0.1:" + api.port()), "markets", "--json"))
                    .path("markets").path(0).path("lastOracleTs").asLong();
            MarkFreshness marks = new MarkFreshness(60, () -> pricedAt + 120);
            try (TraderApi stale = new TraderApi(venue.gateway(), new RateLimiter(1_000, 1_000, System::nanoTime), new RateLimiter(1_000, 1_000, System::nanoTime),
                    OrderLifetime.unlimited(), marks, "127.0.0.1", 0, 64 * 1024)) {
                new GatewayLink(venue.gateway()).observeMarks(marks);
                List<String> atStale = List.of("--rpc-url", l1.devnet().rpcUrl(), "--rollup", rollup, "--api", "http://127.0.0.1:" + stale.port(),
                        "--key", Numeric.toHexStringWithPrefixZeroPadded(l1.key(3).getEcKeyPair().getPrivateKey(), 64));
                CensorshipFreezeTest.Run staleStatus = CensorshipFreezeTest.cli(atStale, "status");
                assertThat(staleStatus.code()).as(staleStatus.err()).isZero();
                assertThat(staleStatus.out()).contains("ORDERS REFUSED in market 1: its mark is 120 s old, past the 1m this venue allows",
                        "reduce-only orders still go").doesNotContain("HALTED");
                assertThat(CensorshipFreezeTest.json(CensorshipFreezeTest.cli(atStale, "status", "--json")).path("sequencer").path("staleMarks").toString())
                        .isEqualTo("[{\"market\":1,\"markAge\":120}]");
            }
            assertThat(CensorshipFreezeTest.json(CensorshipFreezeTest.cli(common, "status", "--json")).path("sequencer").has("staleMarks"))
                    .as("a venue without the rule").isFalse();
        }
    }

    /**
     * Money goes in only where a sequencer will credit it. `deposit --wait` on a node that never consumes (this one reads
     * no L1) ends at --wait-seconds with the deposit named as standing; one whose sequencer stops answering mid-wait names
     * it too (a user who read only "cannot reach" would deposit again); and a halted node is refused before anything is
     * sent, with the halt's reason, unless --anyway.
     */
    @Test
    void aDepositNeverCreditedOrWhoseWaitLosesTheNodeIsNamedAndAHaltedNodeTakesNone(DevnetContext l1) throws Exception {
        Credentials user = l1.key(4);
        TestCollateral token = CensorshipFreezeTest.minter(l1);
        assertThat(token.mint(user.getAddress(), BigInteger.valueOf(20_000_000)).send().isStatusOK()).isTrue();
        BigInteger minted = token.balanceOf(user.getAddress()).send();
        java.util.function.LongFunction<BigInteger> less = units -> minted.subtract(BigInteger.valueOf(units));
        String key = Numeric.toHexStringWithPrefixZeroPadded(user.getEcKeyPair().getPrivateKey(), 64);
        try (Venue venue = Venue.start(l1, dir, 0)) {
            List<String> common = List.of("--rpc-url", l1.devnet().rpcUrl(), "--rollup", l1.address("Rollup"), "--api",
                    "http://127.0.0.1:" + venue.api().port(), "--key", key);

            CensorshipFreezeTest.Run timedOut = CensorshipFreezeTest.cli(common, "deposit", "2", "--wait", "--wait-seconds", "1");
            assertThat(timedOut.code()).as(timedOut.out()).isEqualTo(1);
            assertThat(timedOut.err()).containsPattern("Deposited 2\\.000000 \\(queue op \\d+, tx 0x[0-9a-f]{64}\\) stands, but the sequencer had"
                    + " not credited it within 1 s \\(--wait-seconds\\)").contains("./clearline status").doesNotContain("\tat ");
            assertThat(token.balanceOf(user.getAddress()).send()).as("the deposit is on L1").isEqualTo(less.apply(2_000_000));

            // the sequencer gone once the deposit is on L1, while the command waits for its credit
            TraderApi leaving = Venue.api(venue.gateway());
            List<String> viaLeaving = List.of("--rpc-url", l1.devnet().rpcUrl(), "--rollup", l1.address("Rollup"), "--api",
                    "http://127.0.0.1:" + leaving.port(), "--key", key);
            var waiting = java.util.concurrent.CompletableFuture.supplyAsync(() -> CensorshipFreezeTest.cli(viaLeaving, "deposit", "3", "--wait",
                    "--wait-seconds", "120"));
            for (int i = 0; i < 600 && token.balanceOf(user.getAddress()).send().equals(less.apply(2_000_000)); i++) Thread.sleep(50);
            assertThat(token.balanceOf(user.getAddress()).send()).as("the second deposit landed").isEqualTo(less.apply(5_000_000));
            leaving.close();
            CensorshipFreezeTest.Run lost = waiting.get(60, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(lost.code()).as(lost.out()).isEqualTo(1);
            assertThat(lost.err()).containsPattern("Deposited 3\\.000000 \\(queue op \\d+, tx 0x[0-9a-f]{64}\\) stands, but waiting for its"
                    + " credit failed: ").doesNotContain("\tat ");

            venue.api().halt("its batches no longer reach L1 (the rollup's tip is not this node's)");
            CensorshipFreezeTest.Run refused = CensorshipFreezeTest.cli(common, "deposit", "1");
            assertThat(refused.code()).isEqualTo(1);
            assertThat(refused.err()).contains("nothing was deposited: the sequencer at http://127.0.0.1:" + venue.api().port()
                    + " has halted (its batches no longer reach L1 (the rollup's tip is not this node's))", "--anyway").doesNotContain("\tat ");
            assertThat(token.balanceOf(user.getAddress()).send()).as("nothing sent").isEqualTo(less.apply(5_000_000));
            CensorshipFreezeTest.Run anyway = CensorshipFreezeTest.cli(common, "deposit", "1", "--anyway");
            assertThat(anyway.code()).as(anyway.err()).isZero();
            assertThat(anyway.out()).contains("it waits in L1's queue until a sequencer consumes it");
            assertThat(token.balanceOf(user.getAddress()).send()).isEqualTo(less.apply(6_000_000));
        }
    }
}
