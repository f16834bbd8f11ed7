package dev.clearline.sequencer.cluster;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.sequencer.Market;
import dev.clearline.sequencer.api.Gateway;
import dev.clearline.sequencer.command.Command;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A running gateway whose cluster comes back holding another secret (the member that now leads was started with the
 * wrong file) is refused, keeps its requests, keeps asking, and serves them once a member with its secret leads again:
 * a refusal met while reconnecting never ends the gateway.
 */
class RefusedGatewayTest {
    @TempDir
    Path dir;

    @Test
    void aGatewayRefusedForItsSecretKeepsItsRequestsAndServesThemOnceTheClusterAdmitsItAgain() throws Exception {
        ClusterSecret ours = ClusterSecret.parse("a1".repeat(ClusterSecret.BYTES)), other = ClusterSecret.parse("b2".repeat(ClusterSecret.BYTES));
        NodeConfig config = NodeConfig.ephemeral(dir.resolve("node"), Market.GENESIS).withFreePorts().withSecret(ours);
        try (MediaDriver driver = MediaDriver.launchEmbedded(new MediaDriver.Context()
                .aeronDirectoryName(dir.resolve("gateway-aeron").toString())
                .threadingMode(ThreadingMode.SHARED)
                .sharedIdleStrategy(new BackoffIdleStrategy(10, 20, 10_000, 1_000_000))
                .dirDeleteOnStart(true).dirDeleteOnShutdown(true).termBufferSparseFile(true)
                .publicationTermBufferLength(1 << 20).ipcTermBufferLength(1 << 20))) {
            long seq;
            SequencerNode node = SequencerNode.start(config, new NativeSecp256k1Verifier());
            Gateway gateway = null;
            try {
                gateway = new Gateway(driver.aeronDirectoryName(), config.ingress(), Market.GENESIS.domain(), new NativeSecp256k1Verifier(), 1);
                seq = state(gateway).get(30, TimeUnit.SECONDS).path("seq").asLong();
            } finally {
                node.close();
            }
            try {
                // the same member started with another secret: the gateway's reconnection is refused, and counted there
                node = SequencerNode.start(config.withSecret(other), new NativeSecp256k1Verifier());
                CompletableFuture<ObjectNode> waiting = state(gateway);
                long deadline = System.currentTimeMillis() + 60_000;
                while (node.sessionsRefused() == 0) {
                    assertThat(System.currentTimeMillis()).as("the gateway asks the refusing member").isLessThan(deadline);
                    Thread.sleep(50);
                }
                long refusedAgain = node.sessionsRefused();
                while (node.sessionsRefused() == refusedAgain) {
                    assertThat(System.currentTimeMillis()).as("the gateway asks again").isLessThan(deadline);
                    Thread.sleep(50);
                }
                node.close();

                // the member with the right secret again: the request taken while refused is answered
                node = SequencerNode.start(config, new NativeSecp256k1Verifier());
                ObjectNode answer = waiting.get(60, TimeUnit.SECONDS);
                assertThat(answer.path("seq").asLong()).as("the state, as the log left it").isEqualTo(seq);
                assertThat(state(gateway).get(30, TimeUnit.SECONDS).path("seq").asLong()).isEqualTo(seq);
            } finally {
                gateway.close();
                node.close();
            }
        }
    }

    private static CompletableFuture<ObjectNode> state(Gateway gateway) {
        return gateway.query(Command.QueryKind.STATE, 0, null, null);
    }
}
