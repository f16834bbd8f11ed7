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
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Where mined blocks live between runs: nowhere (memory) or a JSON-lines file in the data
 * directory, one block per line, appended as mined and rewritten when evm_revert drops blocks.
 * A state edit ({@code hardhat_setBalance} and the like) is a line of its own, {@code {"edit":...}},
 * before the block whose transactions ran after it.
 *
 * <p>A crash can tear the line being appended. The file then ends in a partial record; loading
 * cuts it off and reopens at the last complete block, and says what was dropped. A bad line
 * anywhere else is not a torn write but damage, and is refused.
 */
sealed interface ChainStore permits ChainStore.InMemory, ChainStore.JsonLines {

    /**
     * The stored blocks, oldest first.
     *
     * @param edits  the state edits by the number of the block they came before (the block after
     *               the last one for edits made since it was mined), each list in the order made
     * @param repair what was cut off a torn end of the store, if anything
     */
    record Loaded(List<Block> blocks, Map<Long, List<StateEdit.Applied>> edits, Optional<String> repair) {}

    Loaded load();

    void append(Block block);

    void append(StateEdit.Applied edit);

    /** Replaces the store with {@code blocks} and the {@code edits} before each (keyed as {@link Loaded#edits()}). */
    void rewrite(List<Block> blocks, Map<Long, List<StateEdit.Applied>> edits);

    static ChainStore inMemory() {
        return new InMemory();
    }

    static ChainStore inDirectory(Path dir) {
        return new JsonLines(dir.resolve("chain.jsonl"));
    }

    record InMemory() implements ChainStore {
        @Override public Loaded load() { return new Loaded(List.of(), Map.of(), Optional.empty()); }
        @Override public void append(Block block) {}
        @Override public void append(StateEdit.Applied edit) {}
        @Override public void rewrite(List<Block> blocks, Map<Long, List<StateEdit.Applied>> edits) {}
    }

    record JsonLines(Path file) implements ChainStore {
        private static final String EDIT_PREFIX = "{\"edit\":";
        private static final ObjectMapper JSON = new ObjectMapper()
                .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

        @Override
        public Loaded load() {
            if (!Files.exists(file)) return new Loaded(List.of(), Map.of(), Optional.empty());
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(file);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the devnet chain from " + file, e);
            }
            List<Block> blocks = new ArrayList<>();
            Map<Long, List<StateEdit.Applied>> edits = new TreeMap<>();
            int start = 0;
            int line = 0;
            while (start < bytes.length) {
                int end = start;
                while (end < bytes.length && bytes[end] != '\n') end++;
                line++;
                String text = new String(bytes, start, end - start, StandardCharsets.UTF_8);
                boolean last = end >= bytes.length - 1;
                if (!text.isBlank()) {
                    boolean isEdit = text.startsWith(EDIT_PREFIX);
                    Object record;
                    try {
                        record = isEdit ? JSON.readValue(text, StateEdit.Applied.class) : JSON.readValue(text, Block.class);
                    } catch (IOException e) {
                        if (!last) {
                            throw new IllegalStateException("the devnet chain in " + file + " is damaged at line " + line
                                    + " (not a block or state edit record, and not the last line, so not a torn write); "
                                    + "restore it from a backup or delete the data directory to start a fresh chain");
                        }
                        return new Loaded(blocks, edits, Optional.of(cutTornEnd(start, bytes.length - start, blocks, isEdit)));
                    }
                    if (end >= bytes.length) {
                        // A complete record whose newline never made it to disk: finish the line.
                        append("\n");
                    }
                    if (record instanceof StateEdit.Applied edit) {
                        edits.computeIfAbsent((long) blocks.size(), n -> new ArrayList<>()).add(edit);
                    } else {
                        blocks.add((Block) record);
                    }
                }
                start = end + 1;
            }
            return new Loaded(blocks, edits, Optional.empty());
        }

        /** Truncates the partial record at {@code offset}; returns what was dropped, for the operator. */
        private String cutTornEnd(int offset, int length, List<Block> kept, boolean edit) {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                ch.truncate(offset);
                ch.force(true);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot cut the torn last record off " + file, e);
            }
            long lastBlock = kept.isEmpty() ? -1 : kept.get(kept.size() - 1).number();
            if (edit) {
                return "the last record of " + file + " was torn (" + length + " bytes of an incomplete state edit, probably a crash "
                        + "while recording a hardhat_set* call made after block " + lastBlock + "); it was dropped: "
                        + "make that call again if it was answered";
            }
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
        public void append(StateEdit.Applied edit) {
            try {
                append(line(edit) + "\n");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot record a state edit in " + file, e);
            }
        }

        /** An edit's line: {@code {"edit":{...},"root":...}}, told from a block by its start. */
        private static String line(StateEdit.Applied edit) throws IOException {
            String text = JSON.writeValueAsString(edit);
            if (!text.startsWith(EDIT_PREFIX)) throw new IllegalStateException("bug: an edit record must start with " + EDIT_PREFIX);
            return text;
        }

        @Override
        public void rewrite(List<Block> blocks, Map<Long, List<StateEdit.Applied>> edits) {
            try {
                Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
                List<String> lines = new ArrayList<>();
                for (Block b : blocks) {
                    for (StateEdit.Applied e : edits.getOrDefault(b.number(), List.of())) lines.add(line(e));
                    lines.add(JSON.writeValueAsString(b));
                }
                for (StateEdit.Applied e : edits.getOrDefault((long) blocks.size(), List.of())) lines.add(line(e));
                Files.write(tmp, lines, StandardCharsets.UTF_8);
                Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot rewrite " + file, e);
            }
        }
    }
}
