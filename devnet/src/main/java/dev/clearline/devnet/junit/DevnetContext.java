package dev.clearline.devnet.junit;

import dev.clearline.devnet.Devnet;
import dev.clearline.devnet.accounts.DevAccounts;
import dev.clearline.devnet.deploy.Manifest;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.Web3jService;

/**
 * What a test gets from {@link DevnetExtension}: a running devnet (one per test class), web3j
 * on it, the deployed contracts' manifest, funded keys and a time-travel handle.
 */
public record DevnetContext(Devnet devnet, Web3jService service, Web3j web3j, Manifest manifest, DevAccounts accounts,
                            TimeTravel time) {

    /** The deployer key, which also mints the test collateral. */
    public Credentials deployer() {
        return accounts.first();
    }

    /** Funded key {@code i} (0 is the deployer). */
    public Credentials key(int i) {
        return accounts.keys().get(i);
    }

    /** The address of deployed contract {@code name}. */
    public String address(String name) {
        return manifest.address(name);
    }
}
