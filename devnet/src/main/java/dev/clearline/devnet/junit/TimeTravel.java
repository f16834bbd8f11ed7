package dev.clearline.devnet.junit;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import org.web3j.protocol.Web3jService;
import org.web3j.utils.Numeric;

/**
 * Moves a node's clock and chain through the standard dev methods ({@code evm_increaseTime},
 * {@code evm_mine}, {@code evm_snapshot}, {@code evm_revert}, {@code evm_setAutomine},
 * {@code hardhat_setNextBlockBaseFeePerGas}, {@code hardhat_dropTransaction}, {@code hardhat_mine}, {@code evm_setIntervalMining}), so the same test
 * drives the embedded devnet and Hardhat's node. Tests cross challenge windows without sleeping,
 * hold transactions in the pool, and drop them from it as a node that evicts them would.
 */
public final class TimeTravel {
    private final Web3jService service;

    public TimeTravel(Web3jService service) {
        this.service = service;
    }

    /** Moves the clock forward by {@code d} and mines a block, whose timestamp reflects the jump. */
    public long advance(Duration d) {
        rpc("evm_increaseTime", List.of(d.toSeconds()));
        return mine();
    }

    /**
     * Moves the clock forward by {@code d} without mining, as time passes on an automining chain
     * nobody sends to: the latest block keeps its time, the next block (and the pending block, which
     * clients read as the chain's time now) carries the jump.
     */
    public void moveClock(Duration d) {
        rpc("evm_increaseTime", List.of(d.toSeconds()));
    }

    /** The pending block's timestamp: what the next block would carry if mined now. */
    public long pendingTimestamp() {
        JsonNode block = rpc("eth_getBlockByNumber", List.of("pending", false));
        return Numeric.decodeQuantity(block.get("timestamp").asText()).longValueExact();
    }

    /** Mines a block (empty unless automine is off and transactions wait); returns its timestamp. */
    public long mine() {
        rpc("evm_mine", List.of());
        return latestTimestamp();
    }

    /**
     * Mines {@code count} blocks {@code intervalSeconds} apart ({@code hardhat_mine}): the first takes
     * what waits in the pool, the others are empty. A chain of confirmations in one call.
     */
    public void mineBlocks(long count, long intervalSeconds) {
        rpc("hardhat_mine", List.of(Numeric.toHexStringWithPrefix(java.math.BigInteger.valueOf(count)),
                Numeric.toHexStringWithPrefix(java.math.BigInteger.valueOf(intervalSeconds))));
    }

    /** Mines an empty block at exactly {@code timestamp} (later than the latest block). */
    public long mineAt(long timestamp) {
        rpc("evm_mine", List.of(timestamp));
        return latestTimestamp();
    }

    /** Stamps the next block mined with exactly {@code timestamp} (later than the latest block), and the pending block now. */
    public void setNextBlockTimestamp(long timestamp) {
        rpc("evm_setNextBlockTimestamp", List.of(timestamp));
    }

    /** The latest block's timestamp: the chain's "now". */
    public long latestTimestamp() {
        JsonNode block = rpc("eth_getBlockByNumber", List.of("latest", false));
        return Numeric.decodeQuantity(block.get("timestamp").asText()).longValueExact();
    }

    /**
     * Off: sent transactions wait in the node's pool until {@link #mine()}, as on a real chain
     * between blocks. Tests switch it back on before they end (a revert does not).
     */
    public void setAutomine(boolean on) {
        rpc("evm_setAutomine", List.of(on));
    }

    /** Mines a block every {@code millis} milliseconds from now on, whatever automine does; 0 stops it ({@code evm_setIntervalMining}). */
    public void setIntervalMining(long millis) {
        rpc("evm_setIntervalMining", List.of(millis));
    }

    /** Gives the next block this base fee, so that it passes over a transaction that pays less. */
    public void setNextBlockBaseFee(java.math.BigInteger wei) {
        rpc("hardhat_setNextBlockBaseFeePerGas", List.of(Numeric.toHexStringWithPrefix(wei)));
    }

    /**
     * Removes a waiting transaction from the node's pool ({@code hardhat_dropTransaction}), as a node
     * that evicts it would: true if it waited, false if the pool does not hold it; a mined one is
     * refused (an {@link IllegalStateException} carrying the node's words).
     */
    public boolean dropTransaction(String hash) {
        return rpc("hardhat_dropTransaction", List.of(hash)).asBoolean();
    }

    public String snapshot() {
        return rpc("evm_snapshot", List.of()).asText();
    }

    /** Returns the chain to {@code snapshot}; false if the node no longer knows it. */
    public boolean revert(String snapshot) {
        return rpc("evm_revert", List.of(snapshot)).asBoolean();
    }

    private JsonNode rpc(String method, List<?> params) {
        return DevMethods.call(service, method, params);
    }
}
