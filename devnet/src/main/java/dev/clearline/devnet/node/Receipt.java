package dev.clearline.devnet.node;

import java.math.BigInteger;
import java.util.List;

/**
 * A transaction receipt. {@code revertData} is the EVM's return data when {@code success} is
 * false (an ABI-encoded {@code Error(string)}, {@code Panic(uint256)} or custom error), else "0x".
 */
public record Receipt(String transactionHash, int transactionIndex, long blockNumber, String blockHash,
                      String from, String to, String contractAddress, long cumulativeGasUsed, long gasUsed,
                      BigInteger effectiveGasPrice, boolean success, List<LogEntry> logs, String logsBloom,
                      int type, String revertData) {

    public Receipt {
        logs = List.copyOf(logs);
    }
}
