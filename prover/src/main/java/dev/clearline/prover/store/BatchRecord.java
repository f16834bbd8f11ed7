package dev.clearline.prover.store;

/**
 * The watcher's note on one posted batch: where L1 holds it, which tree versions hold the state
 * before it and after it (equal when it was fraud and did not advance the state), and the verdict.
 *
 * @param sequence 0-based order of the batch among all batches the watcher read (a batch index may
 *     be posted again after a challenge rewound the rollup, so the index alone is not a key)
 * @param verdict the verdict in the CLI's one-line form ({@code honest ...}, {@code fraud:<kind> ...})
 */
public record BatchRecord(long sequence, long batchIndex, long block, String transactionHash, long preVersion, long postVersion,
                          boolean honest, String verdict) {}
