package dev.clearline.devnet.accounts;

import java.util.ArrayList;
import java.util.List;
import org.web3j.crypto.Bip32ECKeyPair;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.MnemonicUtils;

/**
 * Funded development keys derived from a BIP-39 mnemonic along m/44'/60'/0'/0/i, the path
 * Hardhat, Anvil and Ganache use, so the default mnemonic yields the accounts every tool knows.
 */
public record DevAccounts(String mnemonic, List<Credentials> keys) {

    /** Hardhat's and Anvil's default mnemonic: its first account is 0xf39F...2266. */
    public static final String DEFAULT_MNEMONIC = "test test test test test test test test test test test junk";

    public DevAccounts {
        keys = List.copyOf(keys);
    }

    /** Derives {@code count} accounts from {@code mnemonic} (no passphrase). */
    public static DevAccounts fromMnemonic(String mnemonic, int count) {
        if (DEFAULT_MNEMONIC.equals(mnemonic) && count <= DefaultKeys.COUNT) {
            return new DevAccounts(mnemonic, DefaultKeys.first(count));
        }
        return derive(mnemonic, count);
    }

    /** BIP-39 seed, then BIP-32 along m/44'/60'/0'/0/i, whatever the mnemonic. */
    static DevAccounts derive(String mnemonic, int count) {
        if (!MnemonicUtils.validateMnemonic(mnemonic)) {
            throw new IllegalArgumentException("not a valid BIP-39 mnemonic (check the words and their number): " + mnemonic);
        }
        Bip32ECKeyPair master = Bip32ECKeyPair.generateKeyPair(MnemonicUtils.generateSeed(mnemonic, ""));
        // m/44'/60'/0'/0 once, then one step per account: each step is an EC multiplication, and
        // deriving every account's full path from the master cost five of them apiece at start-up.
        Bip32ECKeyPair parent = Bip32ECKeyPair.deriveKeyPair(master,
                new int[] {44 | Bip32ECKeyPair.HARDENED_BIT, 60 | Bip32ECKeyPair.HARDENED_BIT, Bip32ECKeyPair.HARDENED_BIT, 0});
        List<Credentials> keys = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            keys.add(Credentials.create(Bip32ECKeyPair.deriveKeyPair(parent, new int[] {i})));
        }
        return new DevAccounts(mnemonic, keys);
    }

    public static DevAccounts defaults() {
        return fromMnemonic(DEFAULT_MNEMONIC, 10);
    }

    public Credentials first() {
        return keys.get(0);
    }

    public List<String> addresses() {
        return keys.stream().map(Credentials::getAddress).toList();
    }
}
