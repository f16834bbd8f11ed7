package dev.clearline.devnet.node;

import java.util.List;
import org.web3j.utils.Numeric;

/** A log as mined: emitted by {@code address} in transaction {@code transactionHash}. Hex strings are 0x-prefixed lower case. */
public record LogEntry(String address, List<String> topics, String data, long blockNumber, String blockHash,
                       String transactionHash, int transactionIndex, int logIndex) {

    public LogEntry {
        topics = List.copyOf(topics);
    }

    byte[] bloom() {
        return Bloom.ofLog(Numeric.hexStringToByteArray(address),
                topics.stream().map(Numeric::hexStringToByteArray).toList());
    }
}
