package dev.clearline.prover.store;

/**
 * How far the watcher has read L1, as of one block: every batch posted up to and including
 * {@code block} is judged and the verified state is tree version {@code treeVersion}. The block's
 * hash lets a later poll tell whether L1 still has that block or reorganised it away.
 *
 * @param treeVersion the state tree version holding the verified state ({@code -1}: genesis, nothing committed)
 * @param batchesJudged batches judged from the first block up to here
 */
public record BlockMark(long block, String blockHash, long treeVersion, long batchesJudged) {}
