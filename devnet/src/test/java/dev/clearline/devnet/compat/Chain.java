package dev.clearline.devnet.compat;

import java.io.IOException;
import java.math.BigInteger;
import java.util.List;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.Type;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.TransactionEncoder;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.EthCall;
import org.web3j.protocol.core.methods.response.EthSendTransaction;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.utils.Numeric;

/** Test helpers over plain web3j: the same client code for every node. */
public record Chain(Web3j web3j, long chainId) {

    public static String mint(String to, long amount) {
        return encode("mint", new Address(to), new Uint256(amount));
    }

    public static String transfer(String to, long amount) {
        return encode("transfer", new Address(to), new Uint256(amount));
    }

    public static String balanceOf(String who) {
        return encode("balanceOf", new Address(who));
    }

    public static String encode(String name, Type<?>... args) {
        return FunctionEncoder.encode(new Function(name, List.of(args), List.of()));
    }

    /** Signs an EIP-1559 transaction with the next nonce and sends it. */
    public EthSendTransaction send(Credentials key, String to, String data, long gas) throws IOException {
        BigInteger nonce = web3j.ethGetTransactionCount(key.getAddress(), DefaultBlockParameterName.PENDING).send().getTransactionCount();
        return sendWithNonce(key, nonce, to, data, gas);
    }

    public EthSendTransaction sendWithNonce(Credentials key, BigInteger nonce, String to, String data, long gas) throws IOException {
        return web3j.ethSendRawTransaction(signed(key, nonce, to, data, gas)).send();
    }

    public String signed(Credentials key, BigInteger nonce, String to, String data, long gas) {
        return signed(key, nonce, to, data, gas, BigInteger.valueOf(1_000_000_000L), BigInteger.valueOf(10_000_000_000L));
    }

    /** An EIP-1559 transaction with the given tip and fee cap (wei per gas). */
    public String signed(Credentials key, BigInteger nonce, String to, String data, long gas, BigInteger tip, BigInteger maxFee) {
        RawTransaction tx = RawTransaction.createTransaction(chainId, nonce, BigInteger.valueOf(gas), to, BigInteger.ZERO, data, tip, maxFee);
        return Numeric.toHexString(TransactionEncoder.signMessage(tx, chainId, key));
    }

    /** Sends and returns the receipt; the transaction must have been accepted. */
    public TransactionReceipt mined(Credentials key, String to, String data, long gas) throws IOException {
        EthSendTransaction sent = send(key, to, data, gas);
        if (sent.hasError()) throw new IllegalStateException("refused: " + sent.getError().getMessage());
        return web3j.ethGetTransactionReceipt(sent.getTransactionHash()).send().getTransactionReceipt()
                .orElseThrow(() -> new IllegalStateException("no receipt for " + sent.getTransactionHash() + " on an automining node"));
    }

    public EthCall call(String from, String to, String data) throws IOException {
        return web3j.ethCall(Transaction.createEthCallTransaction(from, to, data), DefaultBlockParameterName.LATEST).send();
    }

    public BigInteger tokenBalance(String token, String who) throws IOException {
        return Numeric.toBigInt(call(who, token, balanceOf(who)).getValue());
    }

    public long blockNumber() throws IOException {
        return web3j.ethBlockNumber().send().getBlockNumber().longValueExact();
    }

    /** A 65-byte signature as JSON-RPC signers answer it: r || s || v (27 or 28). */
    public static String signature(org.web3j.crypto.Sign.SignatureData sig) {
        byte[] out = java.util.Arrays.copyOf(sig.getR(), 65);
        System.arraycopy(sig.getS(), 0, out, 32, 32);
        out[64] = sig.getV()[0];
        return Numeric.toHexString(out);
    }

    /**
     * The revert data of a failed call, wherever the node put it: geth and the devnet answer code 3
     * with the data as a hex string; Hardhat answers -32603 with {message, data}.
     */
    public static String revertData(org.web3j.protocol.core.Response.Error error) {
        String data = error.getData();
        if (data == null) return null;
        if (data.startsWith("0x")) return data;
        try {
            // web3j keeps the raw JSON of "data": a quoted string or an object.
            var node = new com.fasterxml.jackson.databind.ObjectMapper().readTree(data);
            if (node.isTextual()) return node.asText();
            return node.path("data").isTextual() ? node.get("data").asText() : null;
        } catch (IOException e) {
            return null;
        }
    }
}
