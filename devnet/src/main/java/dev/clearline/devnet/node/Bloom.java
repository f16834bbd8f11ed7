package dev.clearline.devnet.node;

import java.util.List;
import org.web3j.crypto.Hash;

/** The 2048-bit log bloom of the yellow paper: three bits per address and per topic. */
final class Bloom {
    static final int BYTES = 256;

    private Bloom() {}

    static void add(byte[] bloom, byte[] value) {
        byte[] h = Hash.sha3(value);
        for (int i = 0; i < 6; i += 2) {
            int bit = ((h[i] & 0xff) << 8 | (h[i + 1] & 0xff)) & 2047;
            bloom[BYTES - 1 - bit / 8] |= (byte) (1 << (bit % 8));
        }
    }

    static byte[] of(List<LogEntry> logs) {
        byte[] bloom = new byte[BYTES];
        for (LogEntry log : logs) or(bloom, log.bloom());
        return bloom;
    }

    static byte[] ofLog(byte[] address, List<byte[]> topics) {
        byte[] bloom = new byte[BYTES];
        add(bloom, address);
        for (byte[] t : topics) add(bloom, t);
        return bloom;
    }

    static void or(byte[] into, byte[] other) {
        for (int i = 0; i < BYTES; i++) into[i] |= other[i];
    }
}
