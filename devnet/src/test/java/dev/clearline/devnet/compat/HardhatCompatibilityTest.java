package dev.clearline.devnet.compat;

import org.web3j.protocol.Web3jService;
import org.web3j.protocol.http.HttpService;

/** The compatibility suite against Hardhat's node (npm hardhat 2.29, EDR), started and stopped here. */
class HardhatCompatibilityTest extends L1Compatibility {
    private HardhatNode hardhat;

    @Override
    Web3jService startNode() {
        hardhat = HardhatNode.start();
        return new HttpService(hardhat.url());
    }

    @Override
    String webSocketUrl() {
        return hardhat.url().replaceFirst("^http", "ws");
    }

    @Override
    void stopNode() {
        if (hardhat != null) hardhat.close();
    }
}
