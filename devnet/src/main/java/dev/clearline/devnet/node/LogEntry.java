package dev.clearline.devnet.node;

import dev.clearline.evm.Hex;
import java.util.ArrayList;
import java.util.List;

/** A log as mined: emitted by {@code address} in transaction {@code transactionHash}. Hex strings are 0x-prefixed lower case. */
public record LogEntry(String address, List<String> topics, String data, long blockNumber, String blockHash,
                       String transactionHash, int transactionIndex, int logIndex) {

    public LogEntry {
        topics = List.copyOf(topics);
    }

    byte[] bloom() {
        List<byte[]> topicBytes = new ArrayList<>(topics.size());
        for (String t : topics) topicBytes.add(Hex.decode(t));
        return Bloom.ofLog(Hex.decode(address), topicBytes);
    }
}
