package dev.clearline.prover.l1;

/**
 * A batch whose header or calldata cannot be recovered from L1 as posted: the watcher reports it
 * with the transaction to look at instead of judging a batch it did not read.
 */
public final class UnreadableBatchException extends RuntimeException {
    private final long batchIndex;
    private final String transactionHash;

    public UnreadableBatchException(long batchIndex, String transactionHash, String reason) {
        super("batch " + batchIndex + " (transaction " + transactionHash + "): " + reason);
        this.batchIndex = batchIndex;
        this.transactionHash = transactionHash;
    }

    public long batchIndex() {
        return batchIndex;
    }

    public String transactionHash() {
        return transactionHash;
    }
}
