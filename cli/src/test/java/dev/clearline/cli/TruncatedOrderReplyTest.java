package dev.clearline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.sequencer.SequencerMain;
import dev.clearline.sequencer.api.Gateway;
import dev.clearline.sequencer.api.RateLimiter;
import dev.clearline.sequencer.api.TraderApi;
import dev.clearline.sequencer.cluster.NodeConfig;
import dev.clearline.sequencer.cluster.SequencerNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * An order acknowledged without its fills (its reply outgrew the node's largest; here a node whose
 * limit is 2,500 bytes and a sweep of twelve asks) is reported as such, not as "0 lot(s) filled"; a read
 * answered without its lists says so instead of failing on the missing field.
 */
class TruncatedOrderReplyTest {
    @Test
    void aSweepTooLargeToListSaysSoAndPointsToPositions() throws Exception {
        Path dir = Files.createTempDirectory("truncated-order");
        try (SequencerNode node = SequencerNode.start(NodeConfig.ephemeral(dir, UserCommandsTest.GENESIS).withMaxReply(2_500), new NativeSecp256k1Verifier());
             Gateway gateway = new Gateway(node.config().aeronDir(), node.config().ingress(), UserCommandsTest.GENESIS.domain(),
                     new NativeSecp256k1Verifier(), 2)) {
            SequencerMain.devSetup(gateway, UserCommandsTest.GENESIS.domain(), 2);
            try (TraderApi api = new TraderApi(gateway, new RateLimiter(1_000, 1_000, () -> 0L), new RateLimiter(1e9, 1e9, () -> 0L), "127.0.0.1", 0, 64 * 1024)) {
                String url = "http://127.0.0.1:" + api.port();
                for (int i = 0; i < 12; i++) {
                    String price = String.format("0.%04d", 100 + i); // 0.0100, 0.0101, ...: one ask per level
                    UserCommandsTest.Run ask = UserCommandsTest.run("order", "--market", "1", "--side", "sell", "--price", price, "--lots", "1",
                            "--api", url, "--key", UserCommandsTest.keyOf(0));
                    assertThat(ask.code()).as(ask.err()).isZero();
                    assertThat(ask.out()).contains("0 lot(s) filled now;");
                }
                UserCommandsTest.Run sweep = UserCommandsTest.run("order", "--market", "1", "--side", "buy", "--price", "0.0111", "--lots", "12",
                        "--api", url, "--key", UserCommandsTest.keyOf(1));
                assertThat(sweep.code()).as(sweep.err()).isZero();
                assertThat(sweep.out()).contains("accepted at seq", "too many fills to list in the reply", "./clearline positions")
                        .doesNotContain("0 lot(s) filled");
                // this node's limit is small enough that the buyer's account (twelve fills) does not fit either: said, not a crash
                UserCommandsTest.Run positions = UserCommandsTest.run("positions", "--api", url, "--key", UserCommandsTest.keyOf(1));
                assertThat(positions.code()).isEqualTo(1);
                assertThat(positions.err()).contains("more than it sends", "came without [\"account\"]").doesNotContain("This is a bug", "\tat ");
            }
        }
    }
}
