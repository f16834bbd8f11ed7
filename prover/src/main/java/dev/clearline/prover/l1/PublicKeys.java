package dev.clearline.prover.l1;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.web3j.crypto.Bip32ECKeyPair;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.MnemonicUtils;

/**
 * The keys of the test mnemonic ("test test ... junk") that Hardhat, anvil and Clearline's devnet
 * fund: anyone holds them. Handing a role to one (governance, the token's minter, an operator's
 * bond) is right on a development node and a gift on any other chain.
 */
public final class PublicKeys {
    public static final String TEST_MNEMONIC = "test test test test test test test test test test test junk";
    /** Chain ids of local development chains (Hardhat's and the devnet's, Ganache's and geth --dev's). */
    private static final Set<Long> DEV_CHAIN_IDS = Set.of(31337L, 1337L);
    /** Client names of development nodes, whatever chain id they were given (web3_clientVersion, lower case). */
    private static final List<String> DEV_CLIENTS = List.of("clearline-devnet", "hardhatnetwork", "anvil", "ganache");
    /** The first twenty accounts of the test mnemonic (m/44'/60'/0'/0/i), lower-case hex: as many as Hardhat's node funds. */
    private static final Set<String> ADDRESSES = derive(20);

    private PublicKeys() {
    }

    /** Whether {@code address} is one of the test mnemonic's accounts. */
    public static boolean isPublic(String address) {
        return address != null && ADDRESSES.contains(address.toLowerCase(Locale.ROOT));
    }

    /** Whether a node with this chain id and client version is a development node, where the public keys are expected. */
    public static boolean isDevNode(long chainId, String clientVersion) {
        String c = clientVersion == null ? "" : clientVersion.toLowerCase(Locale.ROOT);
        return DEV_CHAIN_IDS.contains(chainId) || DEV_CLIENTS.stream().anyMatch(c::startsWith);
    }

    private static Set<String> derive(int count) {
        Bip32ECKeyPair master = Bip32ECKeyPair.generateKeyPair(MnemonicUtils.generateSeed(TEST_MNEMONIC, ""));
        int hardened = Bip32ECKeyPair.HARDENED_BIT;
        Bip32ECKeyPair parent = Bip32ECKeyPair.deriveKeyPair(master, new int[] {44 | hardened, 60 | hardened, hardened, 0});
        return IntStream.range(0, count)
                .mapToObj(i -> Credentials.create(Bip32ECKeyPair.deriveKeyPair(parent, new int[] {i})).getAddress().toLowerCase(Locale.ROOT))
                .collect(Collectors.toUnmodifiableSet());
    }
}
