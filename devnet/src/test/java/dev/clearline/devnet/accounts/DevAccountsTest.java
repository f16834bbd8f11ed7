package dev.clearline.devnet.accounts;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class DevAccountsTest {
    /** Hardhat's (and Anvil's) ten well-known accounts of the default mnemonic, as their docs list them. */
    private static final List<String> HARDHAT = List.of(
            "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266", "0x70997970c51812dc3a010c7d01b50e0d17dc79c8",
            "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc", "0x90f79bf6eb2c4f870365e785982e1f101e93b906",
            "0x15d34aaf54267db7d7c367839aaf71a00a2c6a65", "0x9965507d1a55bcc2695c58ba16fb37d819b0a4dc",
            "0x976ea74026e726554db657fa54763abd0c3a0aa9", "0x14dc79964da2c08b23698b3d3cc7ca32193d9955",
            "0x23618e81e3f5cdf7f54c3d65f7fbc0abf5b21e8f", "0xa0ee7a142d267c1f36714e4a8f75612f20a79720");

    @Test
    void theWrittenOutDefaultKeysAreWhatDerivationGives() {
        var derived = DevAccounts.derive(DevAccounts.DEFAULT_MNEMONIC, DefaultKeys.COUNT + 2).keys();
        var written = DevAccounts.fromMnemonic(DevAccounts.DEFAULT_MNEMONIC, DefaultKeys.COUNT).keys();
        for (int i = 0; i < DefaultKeys.COUNT; i++) {
            assertThat(written.get(i).getEcKeyPair().getPrivateKey()).as("account %d", i).isEqualTo(derived.get(i).getEcKeyPair().getPrivateKey());
            assertThat(written.get(i).getEcKeyPair().getPublicKey()).as("account %d", i).isEqualTo(derived.get(i).getEcKeyPair().getPublicKey());
            assertThat(written.get(i).getAddress()).isEqualTo(derived.get(i).getAddress());
        }
        // Past the written-out ones, accounts are derived.
        assertThat(DevAccounts.fromMnemonic(DevAccounts.DEFAULT_MNEMONIC, DefaultKeys.COUNT + 2).addresses())
                .isEqualTo(derived.stream().map(org.web3j.crypto.Credentials::getAddress).toList());
        assertThat(DevAccounts.fromMnemonic(DevAccounts.DEFAULT_MNEMONIC, DefaultKeys.COUNT + 2).addresses().subList(0, 10)).isEqualTo(HARDHAT);
    }

    @Test
    void theDefaultMnemonicGivesHardhatsAccountsInOrder() {
        assertThat(DevAccounts.defaults().addresses()).isEqualTo(HARDHAT);
        assertThat(DevAccounts.fromMnemonic(DevAccounts.DEFAULT_MNEMONIC, 3).addresses()).isEqualTo(HARDHAT.subList(0, 3));
    }
}
