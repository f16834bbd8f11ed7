package dev.clearline.sequencer.cluster;

import dev.clearline.sequencer.state.Genesis;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Path;

/**
 * Where one single-member sequencer keeps its files and which loopback UDP ports its cluster uses
 * (client ingress, consensus, log, catch-up, archive control). Ports of 0 are picked free at start.
 */
public record NodeConfig(Path dir, Genesis genesis, int ingressPort, int consensusPort, int logPort, int catchupPort, int archivePort) {
    public static NodeConfig ephemeral(Path dir, Genesis genesis) {
        return new NodeConfig(dir, genesis, 0, 0, 0, 0, 0);
    }

    /** The same directory and settings with every 0 port replaced by a free one. */
    public NodeConfig withFreePorts() throws IOException {
        return new NodeConfig(dir, genesis, free(ingressPort), free(consensusPort), free(logPort), free(catchupPort), free(archivePort));
    }

    private static int free(int port) throws IOException {
        if (port != 0) return port;
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    public String aeronDir() {
        return dir.resolve("aeron").toString();
    }

    String members() {
        return "0,localhost:" + ingressPort + ",localhost:" + consensusPort + ",localhost:" + logPort
                + ",localhost:" + catchupPort + ",localhost:" + archivePort;
    }

    public String ingressEndpoints() {
        return "0=localhost:" + ingressPort;
    }
}
