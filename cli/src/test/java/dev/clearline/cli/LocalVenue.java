package dev.clearline.cli;

import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.sequencer.SequencerMain;
import dev.clearline.sequencer.api.Gateway;
import dev.clearline.sequencer.api.RateLimiter;
import dev.clearline.sequencer.api.TraderApi;
import dev.clearline.sequencer.cluster.NodeConfig;
import dev.clearline.sequencer.cluster.SequencerNode;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A sequencer node without an L1 side for tests of the trader's commands: its trader API on a free port of 127.0.0.1, dev
 * market 1 (tick 100, lot 1,000, mark 10,000 per lot) and {@code traders} funded dev traders ({@link UserCommandsTest#keyOf}).
 */
record LocalVenue(Path dir, SequencerNode node, Gateway gateway, TraderApi api, String url) implements AutoCloseable {
    static LocalVenue start(String name, int traders) throws Exception {
        Path dir = Files.createTempDirectory(name);
        SequencerNode node = SequencerNode.start(NodeConfig.ephemeral(dir, UserCommandsTest.GENESIS), new NativeSecp256k1Verifier());
        Gateway gateway = new Gateway(node.config().aeronDir(), node.config().ingress(), UserCommandsTest.GENESIS.domain(), new NativeSecp256k1Verifier(), 2);
        SequencerMain.devSetup(gateway, UserCommandsTest.GENESIS.domain(), traders);
        TraderApi api = new TraderApi(gateway, new RateLimiter(1_000, 1_000, System::nanoTime), new RateLimiter(4_000, 4_000, System::nanoTime),
                "127.0.0.1", 0, 64 * 1024);
        return new LocalVenue(dir, node, gateway, api, "http://127.0.0.1:" + api.port());
    }

    /** Runs a user command against this venue's API with dev trader {@code trader}'s key ({@link UserCommandsTest#keyOf}). */
    UserCommandsTest.Run as(int trader, String... args) {
        String[] all = java.util.Arrays.copyOf(args, args.length + 4);
        all[args.length] = "--api";
        all[args.length + 1] = url;
        all[args.length + 2] = "--key";
        all[args.length + 3] = UserCommandsTest.keyOf(trader);
        return UserCommandsTest.run(all);
    }

    @Override
    public void close() throws Exception {
        api.close();
        gateway.close();
        node.close();
    }
}
