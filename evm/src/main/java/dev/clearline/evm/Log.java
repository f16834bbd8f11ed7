package dev.clearline.evm;

import java.util.List;

/** An event emitted by a LOG0..LOG4 opcode. */
public record Log(Address address, List<Bytes32> topics, byte[] data) {
    public Log {
        topics = List.copyOf(topics);
        data = data.clone();
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Log other && address.equals(other.address) && topics.equals(other.topics)
                && java.util.Arrays.equals(data, other.data);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * address.hashCode() + topics.hashCode()) + java.util.Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "Log[address=" + address + ", topics=" + topics + ", data=" + Hex.encode(data) + "]";
    }
}
