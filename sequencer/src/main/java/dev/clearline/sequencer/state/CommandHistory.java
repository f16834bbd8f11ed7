package dev.clearline.sequencer.state;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.function.BiConsumer;

/**
 * Every state-changing command the state has applied, encoded, with the log timestamp it had: what
 * the {@code HISTORY} audit query answers (a replay of it must reach the node's root); a query or a
 * dropped resend is not recorded. Encoded as entries back to back: timestamp (8), length (4),
 * command bytes. A snapshot carries it after the state's image ({@link Snapshot}), so a member
 * started from a snapshot (its own, or one copied from another member) has it too.
 *
 * <p>It may be a window: {@link #dropBefore} lets go of its oldest commands (a member keeps
 * {@code --keep-history-hours} of it, so that its snapshots, and the time to write and load them,
 * stop growing with every command ever taken). Offsets and counts stay those of the whole history
 * since genesis: {@link #size} and {@link #count} go on growing, and {@link #start} and
 * {@link #startCount} say where the commands still held begin.
 *
 * <p>A cluster member keeps it in a file ({@link FileHistory}): it only grows, some 200-300 bytes a
 * command, and in the heap it was about a tenth of what every order kept for good. Everything else
 * keeps it in memory ({@link InMemoryHistory}).
 */
public sealed interface CommandHistory extends AutoCloseable permits InMemoryHistory, FileHistory {
    /** A history in the heap. */
    static CommandHistory inMemory() {
        return new InMemoryHistory();
    }

    /**
     * A history in {@code file}, which is emptied first: the state it belongs to is rebuilt from genesis or a
     * snapshot, and its history with it, so nothing of an earlier run's file is read.
     */
    static CommandHistory inFile(Path file) {
        return FileHistory.create(file);
    }

    /** Appends one command's bytes ({@code length} of them from {@code offset}) applied at {@code timestampMillis}. */
    void add(long timestampMillis, byte[] command, int offset, int length);

    default void add(long timestampMillis, byte[] command) {
        add(timestampMillis, command, 0, command.length);
    }

    /** How many commands the whole history since genesis holds (those dropped included): the seq it reaches. */
    long count();

    /** The length of the whole encoded history since genesis in bytes (those dropped included). */
    long size();

    /** Where the commands still held begin in the whole encoded history: the bytes dropped. */
    long start();

    /** How many commands were dropped: the first still held is command {@code startCount() + 1}. */
    long startCount();

    /**
     * Drops the oldest commands whose log timestamp is before {@code timestampMillis}, up to the first that is not
     * (log timestamps never go back). What is held stays byte for byte what it was.
     */
    void dropBefore(long timestampMillis);

    /**
     * Bytes {@code from} to at most {@code from + max} of the whole encoded history ({@link #start} to {@link #size}),
     * copying nothing else: one page of the {@code HISTORY} query, which costs the same however long the history has
     * grown. A page may end inside a command; the pages put back to back are the encoded history.
     */
    byte[] range(long from, int max);

    /** The commands still held, encoded, in one array (tests, and the former snapshot format); it must stay under 2 GB. */
    byte[] encoded();

    /** Hands the commands still held over in order, encoded, a chunk at a time (a snapshot streams them so). */
    void forEachChunk(Chunks sink);

    /** Receives one chunk of the encoded history; the array is only valid during the call. */
    @FunctionalInterface
    interface Chunks {
        void accept(byte[] bytes, int offset, int length);
    }

    /**
     * Starts a restore into this empty history: what follows begins after {@code startCount} dropped commands,
     * {@code startBytes} bytes into the whole history.
     */
    void restoreFrom(long startCount, long startBytes);

    /** Appends already encoded entries (a snapshot's history being restored into this empty history); {@link #restored} ends it. */
    void appendEncoded(byte[] encoded, int offset, int length);

    /** Ends a restore: the history since genesis holds {@code count} commands, those dropped included. */
    void restored(long count);

    /** Lets go of what it holds outside the heap (a file's channel). */
    @Override
    void close();

    /** Where {@link #dropBefore} cuts: the whole history's byte the first command kept starts at, and how many commands go. */
    record Cut(long at, long commands) {}

    /** The cut before the first command held whose timestamp is not before {@code timestampMillis}, read through {@link #range}. */
    static Cut cutBefore(CommandHistory h, long timestampMillis) {
        long at = h.start();
        long commands = 0;
        for (long size = h.size(); at < size; commands++) {
            ByteBuffer head = ByteBuffer.wrap(h.range(at, 12));
            if (head.getLong() >= timestampMillis) break;
            at += 12 + head.getInt();
        }
        return new Cut(at, commands);
    }

    /** Walks an {@link #encoded()} image: each command's timestamp and bytes, in order. */
    static void forEach(byte[] encoded, BiConsumer<Long, byte[]> visitor) {
        ByteBuffer b = ByteBuffer.wrap(encoded);
        while (b.hasRemaining()) {
            long ts = b.getLong();
            byte[] c = new byte[b.getInt()];
            b.get(c);
            visitor.accept(ts, c);
        }
    }
}
