package dev.clearline.devnet.node;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigInteger;
import java.util.List;
import java.util.function.LongFunction;

/**
 * What the node needs from an EVM world state. The node itself does what a client does around
 * the EVM (nonces, intrinsic gas, fees, refunds, blocks); this port only runs messages and
 * reads and writes accounts. {@link EvmChainState} implements it over the {@code evm} module.
 */
interface ChainState extends AutoCloseable {

    BigInteger balance(String address);

    BigInteger nonce(String address);

    byte[] code(String address);

    /** The 32-byte value at {@code slot} (32 bytes). */
    byte[] storage(String address, byte[] slot);

    void setBalance(String address, BigInteger balance);

    void setNonce(String address, BigInteger nonce);

    void setCode(String address, byte[] code);

    /** Writes the 32-byte {@code value} at the 32-byte {@code slot}. */
    void setStorage(String address, byte[] slot, byte[] value);

    /** Runs a transaction with Ethereum's accounting (nonce, intrinsic gas, fees, refund, tip) and keeps its changes. */
    Execution transact(Message message, BlockEnv env);

    /**
     * As {@link #transact}, for a transaction whose nonce and funds the node checked at admission
     * against this same state: the state need not be asked again.
     */
    default Execution transactAdmitted(Message message, BlockEnv env) {
        return transact(message, env);
    }

    /** Runs a message with the same accounting and throws its changes away (eth_call, eth_estimateGas). */
    Execution call(Message message, BlockEnv env);

    /** Runs like {@link #call} under a tracer ({@code tracer} null: struct logs) and returns geth's JSON. */
    JsonNode trace(Message message, BlockEnv env, String tracer, JsonNode tracerConfig);

    /** Writes the state and returns its root. */
    byte[] commit();

    /** The root the state would have if written now; the state stays as it is, in memory. */
    byte[] root();

    /** Continues from the committed state at {@code root} (earlier or current). */
    void resetTo(byte[] root);

    /** An EIP-1186 account proof against the committed {@code root}, in eth_getProof's JSON shape. */
    JsonNode proof(String address, List<byte[]> slots, byte[] root);

    @Override
    void close();

    /**
     * A message: the whole gas limit (intrinsic gas included) at the effective gas price; a nonce
     * when it is a real transaction, null for a simulated call.
     */
    record Message(String from, String to, BigInteger value, byte[] data, long gasLimit, BigInteger gasPrice, Long nonce) {}

    /** The block the message runs in. */
    record BlockEnv(long number, long timestamp, long gasLimit, BigInteger baseFee, String coinbase,
                    long chainId, byte[] prevRandao, LongFunction<byte[]> blockHashes) {}

    /**
     * The outcome. {@code gasUsed} is what a receipt shows: intrinsic gas included, refund deducted.
     * {@code invalid} is set (and nothing ran) when the message broke a transaction rule.
     */
    record Execution(boolean success, byte[] returnData, long gasUsed, List<RawLog> logs, String createdAddress,
                     String error, boolean invalid) {}

    record RawLog(String address, List<String> topics, String data) {}
}
