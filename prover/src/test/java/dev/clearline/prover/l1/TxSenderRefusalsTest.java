package dev.clearline.prover.l1;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How the sender reads a node's refusal decides whether it bumps, waits, resyncs or gives up. */
class TxSenderRefusalsTest {
    @Test
    void theRefusalsOfGethHardhatAndTheDevnetAreReadAlike() {
        assertThat(TxSender.classify("replacement transaction underpriced")).isEqualTo(TxSender.Refusal.UNDERPRICED);
        assertThat(TxSender.classify("transaction underpriced: tip needed 1, tip permitted 0")).isEqualTo(TxSender.Refusal.UNDERPRICED);
        assertThat(TxSender.classify("max fee per gas less than block base fee: address 0x.., maxFeePerGas: 1, baseFee: 7 (transaction underpriced)"))
                .isEqualTo(TxSender.Refusal.UNDERPRICED);
        assertThat(TxSender.classify("Transaction maxFeePerGas (1) is too low for the next block, which has a baseFeePerGas of 7; fee too low"))
                .isEqualTo(TxSender.Refusal.UNDERPRICED);
        assertThat(TxSender.classify("already known")).isEqualTo(TxSender.Refusal.KNOWN);
        assertThat(TxSender.classify("Known transaction: 0xabc")).isEqualTo(TxSender.Refusal.KNOWN);
        assertThat(TxSender.classify("nonce too low: address 0x.., tx: 3 state: 4")).isEqualTo(TxSender.Refusal.NONCE_TOO_LOW);
        assertThat(TxSender.classify("Nonce too high. Expected nonce to be 2 but got 5.")).isEqualTo(TxSender.Refusal.NONCE_TOO_HIGH);
        assertThat(TxSender.classify("insufficient funds for gas * price + value")).isEqualTo(TxSender.Refusal.OTHER);
        assertThat(TxSender.classify("")).isEqualTo(TxSender.Refusal.OTHER);
    }

    @Test
    void aBumpBelowWhatNodesAcceptForAReplacementIsRefusedUpFront() {
        assertThatThrownBy(() -> new TxSender.FeePolicy(java.math.BigInteger.ONE, 5, 1_000, java.math.BigInteger.TEN, 10))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 10%");
    }
}
