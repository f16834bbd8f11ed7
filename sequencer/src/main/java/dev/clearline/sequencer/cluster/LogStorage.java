package dev.clearline.sequencer.cluster;

import java.time.Duration;
import java.time.temporal.ChronoUnit;

/**
 * How a member stores its recorded log: the log's term length, the length of the archive's segment
 * files (the unit the log is trimmed in: whole files are deleted from its start) and how long it
 * keeps the log behind its snapshots ({@link LogTrim}).
 *
 * <p>A member never deletes the log after its older kept snapshot (it may have to fall back on that
 * one, {@code --drop-latest-snapshot}). Before that, it keeps {@code keep} of log, so that a member
 * of a cluster that was down for less than that catches up from the others' logs. A member down
 * longer is started again from an empty directory and copies the latest snapshot from the others.
 *
 * @param termBytes    the log's term length (Aeron: a power of two, 64 KiB to 1 GiB; a command is at most an eighth of it)
 * @param segmentBytes the archive's segment file length (a power of two, a multiple of the term length)
 * @param keep         how far back the log is kept behind the older snapshot; {@link #FOREVER} keeps all of it
 * @param keepHistory  how far back, by log time, a snapshot keeps the command history (the {@code HISTORY} audit
 *                     query's, {@code CommandHistory}); {@link #FOREVER} keeps all of it since genesis
 */
public record LogStorage(int termBytes, int segmentBytes, Duration keep, Duration keepHistory) {
    /** Keep every command since genesis: the log is never trimmed. */
    public static final Duration FOREVER = ChronoUnit.FOREVER.getDuration();
    /** How much command history a member keeps unless told otherwise: a day, like the log. */
    public static final Duration DEFAULT_HISTORY = Duration.ofHours(24);
    /** A day of log and of history; 4 MiB terms and 128 MiB segment files (Aeron's default). */
    public static final LogStorage DEFAULT = new LogStorage(4 << 20, 128 << 20, Duration.ofHours(24));

    /** With a day of command history. */
    public LogStorage(int termBytes, int segmentBytes, Duration keep) {
        this(termBytes, segmentBytes, keep, DEFAULT_HISTORY);
    }

    public LogStorage {
        if (termBytes < 64 << 10 || Integer.bitCount(termBytes) != 1) {
            throw new IllegalArgumentException("the log's term length must be a power of two of at least 64 KiB, got " + termBytes);
        }
        if (Integer.bitCount(segmentBytes) != 1 || segmentBytes < termBytes) {
            throw new IllegalArgumentException("a log segment must be a power of two no shorter than a term (" + termBytes + " bytes), got " + segmentBytes);
        }
        if (keep == null || keep.isNegative()) throw new IllegalArgumentException("how long the log is kept must be zero or more");
        if (keepHistory == null || keepHistory.isNegative()) throw new IllegalArgumentException("how long the command history is kept must be zero or more");
    }

    /** Whether the log is never trimmed. */
    public boolean keepsAll() {
        return keep.equals(FOREVER);
    }

    /** The same with {@code keep} of log kept behind the older snapshot. */
    public LogStorage keeping(Duration keep) {
        return new LogStorage(termBytes, segmentBytes, keep, keepHistory);
    }

    /** The same with {@code keepHistory} of command history kept in each snapshot. */
    public LogStorage keepingHistory(Duration keepHistory) {
        return new LogStorage(termBytes, segmentBytes, keep, keepHistory);
    }

    /**
     * Parses {@code --keep-history-hours}: a whole number of hours, or {@code forever}.
     *
     * @throws IllegalArgumentException saying what to write instead
     */
    public static Duration parseHistoryHours(String value) {
        try {
            return parseHours(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--keep-history-hours " + value + " is not a number of hours; give 0 to 1000000 (the"
                    + " command history of that many hours before each snapshot) or forever (all of it since genesis)");
        }
    }

    /**
     * Parses {@code --keep-log-hours}: a whole number of hours, or {@code forever}.
     *
     * @throws IllegalArgumentException saying what to write instead
     */
    public static Duration parseHours(String value) {
        if (value.trim().equalsIgnoreCase("forever")) return FOREVER;
        try {
            long hours = Long.parseLong(value.trim());
            if (hours >= 0 && hours <= 1_000_000) return Duration.ofHours(hours);
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException("--keep-log-hours " + value + " is not a number of hours; give 0 to 1000000 (0: only back to"
                + " the older snapshot) or forever (never delete the log)");
    }
}
