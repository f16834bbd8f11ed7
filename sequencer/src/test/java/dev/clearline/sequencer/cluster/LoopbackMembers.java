package dev.clearline.sequencer.cluster;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/** Member lists on loopback for tests of clusters in one JVM. */
final class LoopbackMembers {
    private LoopbackMembers() {}

    /**
     * {@code n} members on 127.0.0.1, each with five free UDP ports. The sockets stay bound until every port is taken:
     * one closed at once may come back for the next port, and a config naming a port twice is refused (it was, once, in CI).
     */
    static List<NodeConfig.Member> free(int n) throws IOException {
        List<NodeConfig.Member> list = new ArrayList<>();
        List<DatagramSocket> held = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                StringBuilder spec = new StringBuilder(i + "=127.0.0.1");
                for (int k = 0; k < 5; k++) {
                    DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
                    held.add(socket);
                    spec.append(':').append(socket.getLocalPort());
                }
                list.add(NodeConfig.Member.parse(spec.toString()));
            }
        } finally {
            for (DatagramSocket socket : held) socket.close();
        }
        return list;
    }
}
