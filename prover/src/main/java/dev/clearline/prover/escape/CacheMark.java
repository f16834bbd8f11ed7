package dev.clearline.prover.escape;

import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Hash32;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * How far a cached {@link FinalizedState} got: the batches it replayed, the L1 block of the last
 * one's posting (where the next rebuild starts reading), the root after it, who and what the
 * replayed transitions named, the digests of the orders with an expiry whose ORDER_HASH leaf
 * the state still holds, and the digest of each order whose ORDER leaf it still holds, by short
 * id. One text file beside the tree, replaced atomically after the tree's versions are synced, so
 * it never names a state the disk does not hold. A record of the first version (no digests) does
 * not read: that cache is rebuilt from the first batch, once.
 */
record CacheMark(long count, long block, Hash32 root, List<Address> owners, List<Integer> markets, List<Hash32> expiring,
                 java.util.Map<Long, Hash32> resting) {
    CacheMark {
        resting = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(resting));
    }

    static final String FILE = "replayed";
    private static final String MAGIC = "clearline-finalized-state 2";

    /** The record in {@code dir}, or null when there is none or it does not read (the cache is then rebuilt). */
    static CacheMark read(Path dir) {
        Path file = dir.resolve(FILE);
        if (!Files.exists(file)) return null;
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
            if (lines.size() != 8 || !lines.get(0).equals(MAGIC)) return null;
            long count = Long.parseLong(field(lines.get(1), "count"));
            long block = Long.parseLong(field(lines.get(2), "block"));
            Hash32 root = new Hash32(HexFormat.of().parseHex(field(lines.get(3), "root").substring(2)));
            List<Address> owners = new ArrayList<>();
            for (String a : field(lines.get(4), "owners").split(",")) if (!a.isEmpty()) owners.add(Address.fromHex(a));
            List<Integer> markets = new ArrayList<>();
            for (String m : field(lines.get(5), "markets").split(",")) if (!m.isEmpty()) markets.add(Integer.parseUnsignedInt(m));
            List<Hash32> expiring = new ArrayList<>();
            for (String h : field(lines.get(6), "expiring").split(",")) if (!h.isEmpty()) expiring.add(new Hash32(HexFormat.of().parseHex(h.substring(2))));
            java.util.Map<Long, Hash32> resting = new java.util.TreeMap<>();
            for (String e : field(lines.get(7), "resting").split(",")) {
                if (e.isEmpty()) continue;
                int colon = e.indexOf(':');
                long id = Long.parseLong(e.substring(0, colon));
                if (id < 1 || resting.put(id, new Hash32(HexFormat.of().parseHex(e.substring(colon + 3)))) != null) return null;
            }
            if (count < 1 || block < 0) return null;
            return new CacheMark(count, block, root, List.copyOf(owners), List.copyOf(markets), List.copyOf(expiring), resting);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static String field(String line, String name) {
        if (!line.startsWith(name + " ")) throw new IllegalArgumentException("expected " + name + ", got " + line);
        return line.substring(name.length() + 1).trim();
    }

    void write(Path dir) throws IOException {
        StringBuilder text = new StringBuilder(MAGIC).append('\n');
        text.append("count ").append(count).append('\n').append("block ").append(block).append('\n').append("root ").append(root).append('\n');
        text.append("owners ").append(String.join(",", owners.stream().map(Address::toString).toList())).append('\n');
        text.append("markets ").append(String.join(",", markets.stream().map(Integer::toUnsignedString).toList())).append('\n');
        text.append("expiring ").append(String.join(",", expiring.stream().map(Hash32::toString).toList())).append('\n');
        text.append("resting ").append(String.join(",", resting.entrySet().stream().map(e -> e.getKey() + ":" + e.getValue()).toList())).append('\n');
        Path next = dir.resolve(FILE + ".next");
        try (FileChannel ch = FileChannel.open(next, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.US_ASCII)));
            ch.force(true);
        }
        try {
            Files.move(next, dir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(next, dir.resolve(FILE), StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
