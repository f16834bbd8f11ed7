package dev.clearline.devnet.node;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where mined blocks live between runs: nowhere (memory) or a JSON-lines file in the data
 * directory, one block per line, appended as mined and rewritten when evm_revert drops blocks.
 *
 * <p>A crash can tear the line being appended. The file then ends in a partial record; loading
 * cuts it off and reopens at the last complete block, and says what was dropped. A bad line
 * anywhere else is not a torn write but damage, and is refused.
 */
sealed interface ChainStore permits ChainStore.InMemory, ChainStore.JsonLines {

    /**
     * The stored blocks, oldest first.
     *
     * @param repair what was cut off a torn end of the store, if anything
     */
    record Loaded(List<Block> blocks, Optional<String> repair) {}

    Loaded load();

    void append(Block block);

    void rewrite(List<Block> blocks);

    static ChainStore inMemory() {
        return new InMemory();
    }

    static ChainStore inDirectory(Path dir) {
        return new JsonLines(dir.resolve("chain.jsonl"));
    }

    record InMemory() implements ChainStore {
        @Override public Loaded load() { return new Loaded(List.of(), Optional.empty()); }
        @Override public void append(Block block) {}
        @Override public void rewrite(List<Block> blocks) {}
    }

    record JsonLines(Path file) implements ChainStore {
        private static final ObjectMapper JSON = new ObjectMapper()
                .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

        @Override
        public Loaded load() {
            if (!Files.exists(file)) return new Loaded(List.of(), Optional.empty());
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(file);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the devnet chain from " + file, e);
            }
            List<Block> blocks = new ArrayList<>();
            int start = 0;
            int line = 0;
            while (start < bytes.length) {
                int end = start;
                while (end < bytes.length && bytes[end] != '\n') end++;
                line++;
                String text = new String(bytes, start, end - start, StandardCharsets.UTF_8);
                boolean last = end >= bytes.length - 1;
                if (!text.isBlank()) {
                    Block block;
                    try {
                        block = JSON.readValue(text, Block.class);
                    } catch (IOException e) {
                        if (!last) {
                            throw new IllegalStateException("the devnet chain in " + file + " is damaged at line " + line
                                    + " (not a block record, and not the last line, so not a torn write); "
                                    + "restore it from a backup or delete the data directory to start a fresh chain");
                        }
                        return new Loaded(blocks, Optional.of(cutTornEnd(start, bytes.length - start, blocks)));
                    }
                    if (end >= bytes.length) {
                        // A complete record whose newline never made it to disk: finish the line.
                        append("\n");
                    }
                    blocks.add(block);
                }
                start = end + 1;
            }
            return new Loaded(blocks, Optional.empty());
        }

        /** Truncates the partial record at {@code offset}; returns what was dropped, for the operator. */
        private String cutTornEnd(int offset, int length, List<Block> kept) {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                ch.truncate(offset);
                ch.force(true);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot cut the torn last record off " + file, e);
            }
            long lastBlock = kept.isEmpty() ? -1 : kept.get(kept.size() - 1).number();
            return "the last record of " + file + " was torn (" + length + " bytes of an incomplete block, probably a crash "
                    + "while writing block " + (lastBlock + 1) + "); it was dropped and the chain reopens at block " + lastBlock
                    + (lastBlock >= 0 ? "" : " (none: a fresh genesis)")
                    + "; transactions of the dropped block must be sent again";
        }

        private void append(String text) {
            try {
                Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write to " + file, e);
            }
        }

        @Override
        public void append(Block block) {
            try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
                w.write(JSON.writeValueAsString(block));
                w.newLine();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot append block " + block.number() + " to " + file, e);
            }
        }

        @Override
        public void rewrite(List<Block> blocks) {
            try {
                Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
                List<String> lines = new ArrayList<>();
                for (Block b : blocks) lines.add(JSON.writeValueAsString(b));
                Files.write(tmp, lines, StandardCharsets.UTF_8);
                Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot rewrite " + file, e);
            }
        }
    }
}
