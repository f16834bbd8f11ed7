package dev.clearline.prover.dispute;

/** The roots a proposer stands by: the state root after the first {@code prefix} transitions of its batch. */
@FunctionalInterface
public interface Claims {
    byte[] rootAfter(int prefix);

    /** An honest proposer's claims: its own replay of the batch. */
    static Claims of(BatchTrace trace) {
        return prefix -> trace.rootAfter(prefix)
                .orElseThrow(() -> new IllegalStateException("the batch has no honest root after " + prefix + " transitions"))
                .bytes();
    }
}
