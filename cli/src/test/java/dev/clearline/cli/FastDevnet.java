package dev.clearline.cli;

import dev.clearline.devnet.accounts.DevAccounts;

import java.time.Duration;

/** The devnet the stack tests run on: loopback, any free port, the dev accounts, automine, L1 time at 60x. */
final class FastDevnet {
    private FastDevnet() {
    }

    /** Options for a devnet whose L1 clock runs 60 times faster, so challenge periods pass in seconds. */
    static NodeOptions options() {
        NodeOptions n = new NodeOptions();
        n.port = 0;
        n.host = "127.0.0.1";
        n.chainId = 31337;
        n.mnemonic = DevAccounts.DEFAULT_MNEMONIC;
        n.accounts = 10;
        n.blockTime = Duration.ZERO;
        n.timeSpeed = 60;
        return n;
    }
}
