package dev.clearline.prover.l1;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.web3j.crypto.Hash;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.utils.Numeric;

/**
 * A contract's counter as it stood at the end of one block ({@code eth_call} at that block): what
 * a reader of logs checks its answer against, since a node a block behind answers a log query for
 * the newest blocks with no logs and no error, but a call at a block it lacks with an error.
 */
public final class CounterAt {
    private CounterAt() {
    }

    /**
     * The uint view {@code signature} (no arguments) of {@code contract} at the end of
     * {@code block}; 0 when there was no code there then. Fails when the node does not answer for
     * that block (it is behind it, or no longer keeps its state).
     */
    public static long read(Web3j web3j, String contract, String signature, long block) throws IOException {
        String selector = Numeric.toHexString(Arrays.copyOf(Hash.sha3(signature.getBytes(StandardCharsets.US_ASCII)), 4));
        var call = web3j.ethCall(Transaction.createEthCallTransaction(null, contract, selector), DefaultBlockParameter.valueOf(BigInteger.valueOf(block)))
                .send();
        if (call.hasError()) throw new IOException("reading " + signature + " of " + contract + " at block " + block + " failed: " + call.getError().getMessage());
        byte[] word = Numeric.hexStringToByteArray(call.getValue() == null ? "0x" : call.getValue());
        if (word.length == 0) return 0;
        if (word.length != 32) throw new IOException(signature + " of " + contract + " at block " + block + " answered " + word.length + " bytes, not one word");
        return new BigInteger(1, word).longValueExact();
    }
}
