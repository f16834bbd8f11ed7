package dev.clearline.evm;

/** Who handles the sender's nonce, intrinsic gas and fees around the EVM run. */
public enum Accounting {
    /**
     * Ethereum transaction rules (Shanghai): check the nonce (if the message carries one), the
     * gas limit against intrinsic gas and the block limit, and the balance against
     * {@code gasLimit * gasPrice + value}; then increment the nonce, buy the gas, run, refund
     * (capped at a fifth of the gas used), return unused gas to the sender and pay the tip above
     * the base fee to the coinbase. {@code gasUsed} includes the intrinsic gas.
     */
    TRANSACTION,
    /**
     * A bare message call: no nonce change, no intrinsic gas, no fees, no refund. The whole gas
     * limit goes to the EVM; {@code gasUsed} is execution gas only. For callers (like an L1 node)
     * that charge fees and bump nonces themselves. A creation deploys to
     * {@code Address.ofCreate(from, currentNonce)} and leaves the nonce as it was.
     */
    NONE
}
