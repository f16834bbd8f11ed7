package dev.clearline.devnet.compat;

import dev.clearline.devnet.Devnet;
import dev.clearline.devnet.node.NodeConfig;
import java.util.concurrent.atomic.AtomicLong;
import org.web3j.protocol.Web3jService;
import org.web3j.protocol.http.HttpService;

/** The compatibility suite against the embedded devnet, over real HTTP. */
class DevnetCompatibilityTest extends L1Compatibility {
    private Devnet devnet;

    @Override
    Web3jService startNode() {
        AtomicLong clock = new AtomicLong(1_700_000_000L);
        devnet = Devnet.start(Devnet.Options.http(NodeConfig.defaults(clock::get), 0));
        return new HttpService(devnet.rpcUrl());
    }

    @Override
    String webSocketUrl() {
        return devnet.rpcUrl().replaceFirst("^http", "ws");
    }

    @Override
    void stopNode() {
        devnet.close();
    }
}
