package dev.clearline.devnet.node;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;
import org.web3j.crypto.AccessListObject;
import org.web3j.crypto.Hash;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.SignedRawTransaction;
import org.web3j.crypto.TransactionDecoder;
import org.web3j.crypto.TransactionEncoder;
import org.web3j.crypto.transaction.type.Transaction1559;
import org.web3j.crypto.transaction.type.Transaction2930;
import org.web3j.utils.Numeric;

/**
 * A decoded, sender-recovered transaction as the node keeps it. Legacy (type 0, EIP-155 or
 * unprotected), EIP-2930 (type 1) and EIP-1559 (type 2) envelopes are accepted.
 *
 * @param to        lower-case 0x address, or null for contract creation
 * @param chainId   the signed chain id, or null for a pre-EIP-155 legacy transaction
 */
public record SignedTx(String hash, byte[] raw, int type, String from, String to, BigInteger nonce,
                       BigInteger gasLimit, BigInteger maxFeePerGas, BigInteger maxPriorityFeePerGas,
                       BigInteger value, byte[] data, Long chainId, int accessListAddresses,
                       int accessListKeys, BigInteger v, BigInteger r, BigInteger s) {

    /** Decoding outcome: a transaction or the reason the bytes are not one. */
    public sealed interface Decoded permits Ok, Invalid {}

    public record Ok(SignedTx tx) implements Decoded {}

    public record Invalid(String reason) implements Decoded {}

    public boolean isCreate() {
        return to == null;
    }

    private static String abbreviate(String hex) {
        return hex.length() <= 42 ? hex : hex.substring(0, 42) + "...";
    }

    /** Legacy transactions pay their gas price whatever the base fee; others pay base fee + tip, capped. */
    public BigInteger effectiveGasPrice(BigInteger baseFee) {
        if (type == 0 || type == 1) return maxFeePerGas;
        return maxFeePerGas.min(baseFee.add(maxPriorityFeePerGas));
    }

    /**
     * A transaction of an impersonated account ({@code hardhat_impersonateAccount}): {@code from}
     * holds no key here, so the envelope carries a stand-in signature (r and s are the sender's
     * address, v 27 or y parity 0) that recovers to no one's key. Its hash is the envelope's, as for
     * any transaction; {@code from} is what the node runs it as. Any of the three envelopes.
     */
    public static SignedTx impersonated(RawTransaction unsigned, long chainId, String from) {
        byte[] word = Numeric.toBytesPadded(Numeric.toBigInt(from), 32);
        // web3j's typed encoder turns v = 27 into y parity 0
        byte[] raw = TransactionEncoder.encode(unsigned, new org.web3j.crypto.Sign.SignatureData((byte) 27, word, word));
        String to = unsigned.getTo() == null || unsigned.getTo().isEmpty() || unsigned.getTo().equals("0x") ? null
                : Numeric.prependHexPrefix(unsigned.getTo()).toLowerCase();
        int type;
        BigInteger maxFee;
        BigInteger tip;
        List<AccessListObject> al;
        BigInteger v = BigInteger.ZERO;
        if (unsigned.getTransaction() instanceof Transaction1559 t) {
            type = 2;
            maxFee = t.getMaxFeePerGas();
            tip = t.getMaxPriorityFeePerGas();
            al = t.getAccessList();
        } else if (unsigned.getTransaction() instanceof Transaction2930 t) {
            type = 1;
            maxFee = t.getGasPrice();
            tip = t.getGasPrice();
            al = t.getAccessList();
        } else {
            type = 0;
            maxFee = unsigned.getGasPrice();
            tip = unsigned.getGasPrice();
            al = null;
            v = BigInteger.valueOf(27);
        }
        int alAddresses = 0;
        int alKeys = 0;
        if (al != null) for (AccessListObject o : al) { alAddresses++; alKeys += o.getStorageKeys().size(); }
        return new SignedTx(Numeric.toHexString(Hash.sha3(raw)), raw, type, from.toLowerCase(), to, unsigned.getNonce(),
                unsigned.getGasLimit(), maxFee, tip, unsigned.getValue(),
                Numeric.hexStringToByteArray(unsigned.getData() == null ? "" : unsigned.getData()), chainId, alAddresses, alKeys,
                v, Numeric.toBigInt(word), Numeric.toBigInt(word));
    }

    public static Decoded decode(byte[] raw) {
        RawTransaction decoded;
        try {
            decoded = TransactionDecoder.decode(Numeric.toHexString(raw));
        } catch (RuntimeException e) {
            // web3j's decoder fails with class-cast and index errors whose text means nothing to a client.
            return new Invalid("rlp: " + raw.length + " bytes (" + abbreviate(Numeric.toHexString(raw)) + ") are not an RLP-encoded signed transaction; "
                    + "send the signed envelope: a legacy RLP list, or 0x01/0x02 followed by an EIP-2930/EIP-1559 payload");
        }
        if (!(decoded instanceof SignedRawTransaction signed)) {
            return new Invalid("transaction is not signed: sign it before eth_sendRawTransaction");
        }
        // One encoding per transaction, as geth requires: bytes after the envelope, or padded
        // fields, would give the same signed transaction a second hash.
        byte[] canonical;
        try {
            canonical = TransactionEncoder.encode(decoded, signed.getSignatureData());
        } catch (RuntimeException e) {
            return new Invalid("rlp: cannot re-encode the transaction (" + e.getMessage() + ")");
        }
        if (!Arrays.equals(canonical, raw)) {
            return new Invalid("rlp: not the canonical encoding of a transaction (" + raw.length + " bytes given, the "
                    + "transaction encodes to " + canonical.length + "); send exactly the signed envelope");
        }
        int type = switch (decoded.getType()) {
            case LEGACY -> 0;
            case EIP2930 -> 1;
            case EIP1559 -> 2;
            default -> -1;
        };
        if (type < 0) return new Invalid("transaction type not supported: " + decoded.getType() + " (use legacy or EIP-1559)");
        BigInteger maxFee;
        BigInteger tip;
        int alAddresses = 0;
        int alKeys = 0;
        Long chainId;
        if (decoded.getTransaction() instanceof Transaction1559 t) {
            maxFee = t.getMaxFeePerGas();
            tip = t.getMaxPriorityFeePerGas();
            chainId = t.getChainId();
            List<AccessListObject> al = t.getAccessList();
            if (al != null) for (AccessListObject o : al) { alAddresses++; alKeys += o.getStorageKeys().size(); }
        } else if (decoded.getTransaction() instanceof Transaction2930 t) {
            maxFee = t.getGasPrice();
            tip = t.getGasPrice();
            chainId = t.getChainId();
            List<AccessListObject> al = t.getAccessList();
            if (al != null) for (AccessListObject o : al) { alAddresses++; alKeys += o.getStorageKeys().size(); }
        } else {
            maxFee = decoded.getGasPrice();
            tip = decoded.getGasPrice();
            chainId = signed.getChainId();
        }
        String to = decoded.getTo();
        if (to != null && (to.isEmpty() || to.equals("0x"))) to = null;
        if (to != null) to = Numeric.prependHexPrefix(to).toLowerCase();
        var sig = signed.getSignatureData();
        BigInteger v = Numeric.toBigInt(sig.getV());
        int recoveryId;
        Long signingChainId;
        if (type == 0) {
            // Legacy: v = 27/28 before EIP-155, chainId * 2 + 35/36 after.
            recoveryId = v.compareTo(BigInteger.valueOf(35)) >= 0 ? v.subtract(BigInteger.valueOf(35)).testBit(0) ? 1 : 0 : v.intValue() - 27;
            signingChainId = v.compareTo(BigInteger.valueOf(35)) >= 0 ? chainId : null;
        } else {
            // Typed: y parity, which web3j may hand back as 27/28.
            recoveryId = v.intValue() >= 27 ? v.intValue() - 27 : v.intValue();
            v = BigInteger.valueOf(recoveryId);
            // The chain id is inside the typed payload; web3j's encoder must not append it again.
            signingChainId = null;
        }
        // A typed envelope is canonical (checked above), so what its sender signed is a slice of it.
        var sender = type == 0 ? SenderRecovery.sender(signed, recoveryId, signingChainId)
                : SenderRecovery.sender(signed, recoveryId, TypedSigningPayload.of(raw));
        if (sender.isEmpty()) return new Invalid("invalid sender: the signature (v, r, s) does not recover to a public key");
        String from = sender.get();
        return new Ok(new SignedTx(Numeric.toHexString(Hash.sha3(raw)), raw.clone(), type, from, to,
                decoded.getNonce(), decoded.getGasLimit(), maxFee, tip, decoded.getValue(),
                Numeric.hexStringToByteArray(decoded.getData() == null ? "" : decoded.getData()), chainId,
                alAddresses, alKeys, v, Numeric.toBigInt(sig.getR()),
                Numeric.toBigInt(sig.getS())));
    }
}
