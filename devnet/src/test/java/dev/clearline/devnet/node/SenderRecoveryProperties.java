package dev.clearline.devnet.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.List;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.AccessListObject;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.SignedRawTransaction;
import org.web3j.crypto.TransactionDecoder;
import org.web3j.crypto.TransactionEncoder;
import org.web3j.utils.Numeric;

/** The native sender recovery agrees with web3j's Bouncy Castle recovery on every envelope the node accepts. */
class SenderRecoveryProperties {

    private static Credentials key(long seed) {
        return Credentials.create(ECKeyPair.create(BigInteger.valueOf(seed).multiply(BigInteger.valueOf(0x9E3779B97F4A7C15L).abs()).add(BigInteger.ONE)));
    }

    private static void assertSameSender(byte[] raw, Credentials signer) throws Exception {
        String web3j = ((SignedRawTransaction) TransactionDecoder.decode(Numeric.toHexString(raw))).getFrom().toLowerCase();
        SignedTx tx = ((SignedTx.Ok) SignedTx.decode(raw)).tx();
        assertThat(tx.from()).isEqualTo(web3j).isEqualTo(signer.getAddress().toLowerCase());
    }

    @Test
    void eip1559SendersMatch() {
        Property.forAll(Gens.longs(1, Long.MAX_VALUE / 2), Gens.allOf(Gens.longs(0, 1000), Gens.longs(1, 1_000_000)))
                .tries(60).check((seed, fields) -> {
            long nonce = fields.get(0);
            long chainId = fields.get(1);
            Credentials k = key(seed);
            RawTransaction tx = RawTransaction.createTransaction(chainId, BigInteger.valueOf(nonce), BigInteger.valueOf(50_000),
                    "0x00000000000000000000000000000000000000aa", BigInteger.ONE, "0x1234", BigInteger.ONE, BigInteger.TEN);
            assertSameSender(TransactionEncoder.signMessage(tx, chainId, k), k);
        });
    }

    @Test
    void legacySendersMatchWithAndWithoutEip155() {
        Property.forAll(Gens.longs(1, Long.MAX_VALUE / 2), Gens.longs(1, 1_000_000)).tries(60).check((seed, chainId) -> {
            Credentials k = key(seed);
            RawTransaction tx = RawTransaction.createTransaction(BigInteger.ZERO, BigInteger.TEN, BigInteger.valueOf(21_000),
                    "0x00000000000000000000000000000000000000bb", BigInteger.ONE, "");
            assertSameSender(TransactionEncoder.signMessage(tx, chainId, k), k);
            assertSameSender(TransactionEncoder.signMessage(tx, k), k);
        });
    }

    @Test
    void aTypedEnvelopesSignedPayloadIsTheSliceWeb3jEncodes() {
        // Data lengths around the RLP short/long boundaries (55/56 bytes of string or list payload), access lists of 0-3 entries.
        Property.forAll(Gens.longs(1, Long.MAX_VALUE / 2), Gens.bytes(0, 300)).tries(120).check((seed, data) -> {
            int entries = (int) (seed % 4);
            boolean eip1559 = seed / 4 % 2 == 0;
            Credentials k = key(seed);
            List<AccessListObject> accessList = new java.util.ArrayList<>();
            for (int e = 0; e < entries; e++) {
                accessList.add(new AccessListObject("0x00000000000000000000000000000000000000c" + e,
                        java.util.Collections.nCopies(e, "0x" + "0".repeat(63) + e)));
            }
            String to = "0x00000000000000000000000000000000000000aa";
            RawTransaction tx = eip1559
                    ? RawTransaction.createTransaction(31337, BigInteger.valueOf(seed % 1000), BigInteger.valueOf(90_000), to, BigInteger.TEN,
                            Numeric.toHexString(data), BigInteger.ONE, BigInteger.valueOf(2_000_000_000L), accessList)
                    : RawTransaction.createTransaction(31337, BigInteger.valueOf(seed % 1000), BigInteger.valueOf(7), BigInteger.valueOf(90_000), to,
                            BigInteger.TEN, Numeric.toHexString(data), accessList);
            byte[] raw = TransactionEncoder.signMessage(tx, k);
            SignedRawTransaction decoded = (SignedRawTransaction) TransactionDecoder.decode(Numeric.toHexString(raw));
            assertThat(TypedSigningPayload.of(raw)).isEqualTo(decoded.getEncodedTransaction(null));
            assertSameSender(raw, k);
        });
    }
}
