package dev.clearline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.engine.exchange.Exchange;
import dev.clearline.engine.exchange.SignedOrder;
import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.sequencer.SequencerMain;
import dev.clearline.sequencer.api.Gateway;
import dev.clearline.sequencer.api.RateLimiter;
import dev.clearline.sequencer.api.TraderApi;
import dev.clearline.sequencer.cluster.NodeConfig;
import dev.clearline.sequencer.cluster.SequencerNode;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A trader's order that meets more liquidity than one order may take (400 fills; here one iceberg
 * ask of 500 one-lot slices, each slice a fill): `order` says it stopped there and how much was
 * cancelled, and a FOK of that size is refused with the book's reason and what to do.
 */
class FillLimitOrderTest {
    @Test
    void anOrderStoppedAtTheFillLimitSaysHowMuchWasCancelledAndAFokSaysWhyItWasRefused() throws Exception {
        Path dir = Files.createTempDirectory("fill-limit");
        try (SequencerNode node = SequencerNode.start(NodeConfig.ephemeral(dir, UserCommandsTest.GENESIS), new NativeSecp256k1Verifier());
             Gateway gateway = new Gateway(node.config().aeronDir(), node.config().ingress(), UserCommandsTest.GENESIS.domain(),
                     new NativeSecp256k1Verifier(), 2)) {
            SequencerMain.devSetup(gateway, UserCommandsTest.GENESIS.domain(), 2);
            int slices = Exchange.MAX_FILLS_PER_ORDER + 100;
            Signer maker = new Signer(new BigInteger(UserCommandsTest.keyOf(0).substring(2), 16));
            var domain = UserCommandsTest.GENESIS.domain();
            Order iceberg = new Order(maker.address(), 1, Side.SELL, 10_000, slices * 1_000L, 1_000, TimeInForce.GTC, 0, 0, 1, 100_000_000L);
            var placed = gateway.place(new SignedOrder(iceberg, domain.chainId(), domain.verifyingContract(), maker.sign(domain.orderDigest(iceberg))))
                    .get(30, TimeUnit.SECONDS);
            assertThat(placed.path("outcomes").path(0).path("accepted").asBoolean()).as(placed.toString()).isTrue();
            try (TraderApi api = new TraderApi(gateway, new RateLimiter(1_000, 1_000, () -> 0L), new RateLimiter(1e9, 1e9, () -> 0L), "127.0.0.1", 0, 64 * 1024)) {
                String url = "http://127.0.0.1:" + api.port();
                UserCommandsTest.Run fok = UserCommandsTest.run("order", "--market", "1", "--side", "buy", "--price", "0.01",
                        "--lots", Integer.toString(slices), "--tif", "fok", "--api", url, "--key", UserCommandsTest.keyOf(1));
                assertThat(fok.code()).isEqualTo(1);
                assertThat(fok.err()).contains("BOOK_REJECTED", "more fills than one order may make", "split it into smaller orders")
                        .doesNotContain("\tat ");
                UserCommandsTest.Run ioc = UserCommandsTest.run("order", "--market", "1", "--side", "buy", "--price", "0.01",
                        "--lots", Integer.toString(slices), "--tif", "ioc", "--api", url, "--key", UserCommandsTest.keyOf(1));
                assertThat(ioc.code()).as(ioc.err()).isZero();
                assertThat(ioc.out()).contains(Exchange.MAX_FILLS_PER_ORDER + " lot(s) filled now",
                        "its other 100 lot(s) were cancelled: it stopped at the most fills one order makes; send them as a new order");
            }
        }
    }
}
