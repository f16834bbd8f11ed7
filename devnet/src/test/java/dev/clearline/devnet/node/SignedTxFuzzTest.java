package dev.clearline.devnet.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.web3j.crypto.Hash;
import org.web3j.crypto.SignedRawTransaction;
import org.web3j.crypto.TransactionDecoder;
import org.web3j.crypto.TransactionEncoder;
import org.web3j.utils.Numeric;

/**
 * Coverage-guided fuzz target for what eth_sendRawTransaction decodes: bytes from anyone on the
 * network. Without JAZZER_FUZZ=1 (CI) it replays the corpus under
 * src/test/resources/dev/clearline/devnet/node/SignedTxFuzzTestInputs/&lt;method&gt;/; with it, Jazzer
 * mutates inputs for the given time (README, "Testing").
 */
class SignedTxFuzzTest {

    /**
     * Any bytes give a transaction or a reason, never an exception. An accepted transaction keeps
     * the exact bytes it came from, its hash is their keccak, its sender is an address, decoding
     * is repeatable, and the envelope re-encodes to the same bytes (one encoding per transaction,
     * so a transaction hash cannot be changed by re-encoding it).
     */
    @FuzzTest(maxDuration = "60s")
    void decodeIsTotalAndAcceptedBytesReencodeToThemselves(byte[] input) {
        SignedTx.Decoded decoded = SignedTx.decode(input);
        switch (decoded) {
            case SignedTx.Invalid bad -> assertThat(bad.reason()).isNotBlank();
            case SignedTx.Ok ok -> {
                SignedTx tx = ok.tx();
                assertThat(tx.raw()).isEqualTo(input);
                assertThat(tx.hash()).isEqualTo(Numeric.toHexString(Hash.sha3(input)));
                assertThat(tx.from()).matches("0x[0-9a-f]{40}");
                assertThat(tx.type()).isBetween(0, 2);
                assertThat(((SignedTx.Ok) SignedTx.decode(input)).tx().from()).isEqualTo(tx.from());
                SignedRawTransaction envelope = (SignedRawTransaction) TransactionDecoder.decode(Numeric.toHexString(input));
                assertThat(TransactionEncoder.encode(envelope, envelope.getSignatureData()))
                        .as("canonical re-encoding").isEqualTo(input);
            }
        }
    }
}
