package dev.clearline.devnet.junit;

import java.math.BigInteger;
import java.util.List;
import org.web3j.protocol.Web3jService;
import org.web3j.utils.Numeric;

/**
 * Edits accounts and impersonates them through Hardhat's dev methods ({@code hardhat_setBalance},
 * {@code hardhat_setNonce}, {@code hardhat_setCode}, {@code hardhat_setStorageAt},
 * {@code hardhat_impersonateAccount}, {@code hardhat_stopImpersonatingAccount}), so the same test
 * drives the embedded devnet and Hardhat's node: fund an address without a transfer, plant code
 * or a storage word, act as an account whose key the test does not hold. Edits take effect at
 * once, without a block. A refusal is an {@link IllegalStateException} carrying the node's words.
 */
public final class ChainEdits {
    private final Web3jService service;

    public ChainEdits(Web3jService service) {
        this.service = service;
    }

    public void setBalance(String address, BigInteger wei) {
        DevMethods.call(service, "hardhat_setBalance", List.of(address, Numeric.toHexStringWithPrefix(wei)));
    }

    /** Raises an account's nonce (lowering it is refused, as is an account with transactions waiting). */
    public void setNonce(String address, long nonce) {
        DevMethods.call(service, "hardhat_setNonce", List.of(address, Numeric.toHexStringWithPrefix(BigInteger.valueOf(nonce))));
    }

    public void setCode(String address, byte[] code) {
        DevMethods.call(service, "hardhat_setCode", List.of(address, Numeric.toHexString(code)));
    }

    /** Writes {@code value} (a 32-byte word) at storage {@code slot}. */
    public void setStorageAt(String address, BigInteger slot, BigInteger value) {
        DevMethods.call(service, "hardhat_setStorageAt", List.of(address, Numeric.toHexStringWithPrefix(slot),
                Numeric.toHexStringWithPrefixZeroPadded(value, 64)));
    }

    /** From now on {@code eth_sendTransaction} sends from {@code address} without its key. */
    public void impersonate(String address) {
        DevMethods.call(service, "hardhat_impersonateAccount", List.of(address));
    }

    public void stopImpersonating(String address) {
        DevMethods.call(service, "hardhat_stopImpersonatingAccount", List.of(address));
    }
}
