package dev.clearline.sequencer.cluster;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.engine.order.Signature;
import dev.clearline.engine.order.SignatureVerifier;
import dev.clearline.engine.transition.Transition;
import dev.clearline.sequencer.Market;
import dev.clearline.sequencer.command.Command;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A command that throws inside the state machine (a bug: user errors are replies) stops the member
 * visibly with {@link ServiceStop.Cause#APPLY_FAILED} instead of being handed back to Aeron, which
 * would poll the same fragment forever and hang the node without a word. The throw comes from the
 * one part of the state a node is given from outside: the signature verifier, which recovers the
 * oracle's signer while the command is applied. A verifier that fails on one crafted oracle price
 * stands in for any bug on that path; nothing in production code knows about it.
 * ({@code SequencerMain} turns this stop into exit code 5; that mapping is one line, and driving it
 * from a child process would need a command the real state fails on, i.e. a bug to keep.)
 */
class ApplyFailedTest {
    static final long CLIENT = 21;

    @TempDir
    Path dir;

    @Test
    void aCommandThatThrowsInTheStateMachineStopsTheMemberAndARestartStopsAtTheSameCommand() throws Exception {
        Market m = new Market(2);
        List<Command> opening = m.opening(CLIENT);
        Transition.OraclePrice poison = m.price(12_300, Market.START + 60);
        SignatureVerifier failsOnPoison = new FailingOn(poison.signature(), new NativeSecp256k1Verifier());
        NodeConfig config;
        ServiceStop first;
        try (SequencerNode node = SequencerNode.start(NodeConfig.ephemeral(dir, Market.GENESIS), failsOnPoison)) {
            config = node.config();
            ConcurrentLinkedQueue<ObjectNode> in = new ConcurrentLinkedQueue<>();
            try (ClusterClient client = ClusterClient.connect(config.aeronDir(), config.ingress(), in::add, 20_000)) {
                for (Command c : opening) client.send(c);
                SequencerClusterTest.awaitPolling(client, () -> in.size() >= opening.size());
                assertThat(node.stopped()).as("a healthy flow does not stop the member").isNotDone();

                client.send(new Command.Oracle(CLIENT, opening.size() + 1, poison));
                first = awaitStop(node, client);
                assertThat(first.cause()).isEqualTo(ServiceStop.Cause.APPLY_FAILED);
                assertThat(first.why()).contains("at log position", "(Oracle) failed", "verifier bug on purpose", "This is a bug",
                        "a restart replays the same log and stops at the same command");

                // it applies nothing more: a later command is neither applied nor answered
                in.clear();
                client.send(new Command.Oracle(CLIENT, opening.size() + 2, m.price(10_100, Market.START + 120)));
                client.send(new Command.Query(CLIENT, -1, Command.QueryKind.STATE, 0, null, null));
                long quiet = System.currentTimeMillis() + 1_500;
                while (System.currentTimeMillis() < quiet) if (client.poll() == 0) Thread.sleep(5);
                assertThat(in).as("answers from a member that stopped applying").isEmpty();
            }
        }
        // the command is in the log: a restart replays it and stops at the same place, rather than skipping it
        try (SequencerNode again = SequencerNode.start(config, failsOnPoison)) {
            ServiceStop second = again.stopped().get(60, TimeUnit.SECONDS);
            assertThat(second).as("the stop after replaying the same log").isEqualTo(first);
        }
    }

    /** Waits for the member's stop, polling the client so its session keeps going; fails saying what was awaited. */
    static ServiceStop awaitStop(SequencerNode node, ClusterClient client) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        while (!node.stopped().isDone()) {
            if (System.currentTimeMillis() > deadline) throw new TimeoutException("the member did not stop within 60 s of the failing command");
            if (client.poll() == 0) Thread.sleep(5);
        }
        return node.stopped().get();
    }

    /** Recovers as {@code real} does, except that one signature makes it throw, as a bug in the verifier would. */
    record FailingOn(Signature poison, SignatureVerifier real) implements SignatureVerifier {
        @Override
        public dev.clearline.engine.order.Address recover(dev.clearline.engine.order.Hash32 digest, Signature signature) {
            if (signature.equals(poison)) throw new IllegalStateException("verifier bug on purpose");
            return real.recover(digest, signature);
        }
    }
}
