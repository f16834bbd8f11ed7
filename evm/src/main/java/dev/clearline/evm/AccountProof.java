package dev.clearline.evm;

import java.math.BigInteger;
import java.util.List;

/**
 * An EIP-1186 Merkle-Patricia proof of an account and some of its storage slots against a committed
 * state root (what {@code eth_getProof} returns).
 *
 * @param accountProof RLP-encoded trie nodes from the root to the account, as hex
 */
public record AccountProof(
        Address address,
        BigInteger balance,
        long nonce,
        Bytes32 codeHash,
        Bytes32 storageHash,
        List<String> accountProof,
        List<StorageProof> storageProof) {

    public AccountProof {
        accountProof = List.copyOf(accountProof);
        storageProof = List.copyOf(storageProof);
    }

    /** A storage slot's value and the trie nodes from the account's storage root to it. */
    public record StorageProof(Bytes32 key, BigInteger value, List<String> proof) {
        public StorageProof {
            proof = List.copyOf(proof);
        }
    }
}
