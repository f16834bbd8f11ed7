package dev.clearline.devnet.junit;

import java.math.BigInteger;
import java.util.List;
import org.web3j.protocol.Web3jService;
import org.web3j.utils.Numeric;

/**
 * What the blocks a node mines from now on carry, through the dev methods the devnet and Hardhat's
 * node share: who they pay tips to, their gas limit, the next one's base fee and prevRandao.
 */
public final class NextBlocks {
    private final Web3jService service;

    public NextBlocks(Web3jService service) {
        this.service = service;
    }

    public void setCoinbase(String address) {
        DevMethods.call(service, "hardhat_setCoinbase", List.of(address));
    }

    public void setGasLimit(long gas) {
        DevMethods.call(service, "evm_setBlockGasLimit", List.of(Numeric.toHexStringWithPrefix(BigInteger.valueOf(gas))));
    }

    public void setNextBaseFee(BigInteger wei) {
        DevMethods.call(service, "hardhat_setNextBlockBaseFeePerGas", List.of(Numeric.toHexStringWithPrefix(wei)));
    }

    /** The next block's prevRandao (its header's mixHash), a 32-byte word. */
    public void setNextPrevRandao(byte[] word) {
        DevMethods.call(service, "hardhat_setPrevRandao", List.of(Numeric.toHexString(word)));
    }
}
