package dev.clearline.prover.dispute;

import java.util.ArrayList;
import java.util.List;

/** Every L1 transaction one side of a dispute sent, with the gas it used: what a dispute costs. */
public final class GasLedger {
    /** One mined transaction. */
    public record Entry(String action, long gameId, long gasUsed, String transactionHash) {}

    private final List<Entry> entries = new ArrayList<>();

    synchronized void record(Entry e) {
        entries.add(e);
    }

    public synchronized List<Entry> entries() {
        return List.copyOf(entries);
    }

    public synchronized long totalGas() {
        return entries.stream().mapToLong(Entry::gasUsed).sum();
    }

    public synchronized int transactions() {
        return entries.size();
    }
}
