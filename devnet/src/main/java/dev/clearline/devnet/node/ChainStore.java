package dev.clearline.devnet.node;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Where mined blocks live between runs: nowhere (memory) or a JSON-lines file in the data
 * directory, one block per line, appended as mined and rewritten when evm_revert drops blocks.
 */
sealed interface ChainStore permits ChainStore.InMemory, ChainStore.JsonLines {

    List<Block> load();

    void append(Block block);

    void rewrite(List<Block> blocks);

    static ChainStore inMemory() {
        return new InMemory();
    }

    static ChainStore inDirectory(Path dir) {
        return new JsonLines(dir.resolve("chain.jsonl"));
    }

    record InMemory() implements ChainStore {
        @Override public List<Block> load() { return List.of(); }
        @Override public void append(Block block) {}
        @Override public void rewrite(List<Block> blocks) {}
    }

    record JsonLines(Path file) implements ChainStore {
        private static final ObjectMapper JSON = new ObjectMapper()
                .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

        @Override
        public List<Block> load() {
            if (!Files.exists(file)) return List.of();
            try {
                List<Block> blocks = new ArrayList<>();
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    if (!line.isBlank()) blocks.add(JSON.readValue(line, Block.class));
                }
                return blocks;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the devnet chain from " + file
                        + "; delete the data directory to start a fresh chain", e);
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
