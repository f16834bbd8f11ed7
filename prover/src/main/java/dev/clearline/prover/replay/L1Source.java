package dev.clearline.prover.replay;

import dev.clearline.prover.l1.RollupLog;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What the watcher reads from L1: the head, block hashes (to notice reorgs) and the batches posted
 * in a block range. {@link RpcL1Source} reads a JSON-RPC endpoint; tests script one.
 * Every method may fail with an {@link IOException} when L1 cannot be reached; the watcher retries.
 */
public interface L1Source {
    /** The newest block number. */
    long head() throws IOException;

    /** The hash of block {@code block} as L1 has it now, or empty when L1 has no such block (it shrank in a reorg). */
    Optional<String> blockHash(long block) throws IOException;

    /** The batches posted in blocks {@code [from, to]}, in L1 order. */
    List<RollupLog.Posted> batches(long from, long to) throws IOException;

    /**
     * How many batches the rollup has finalized: none of them can be disputed any more, so the
     * states before them are never asked for again. 0 when the source cannot say (then nothing is
     * pruned).
     */
    default long finalizedCount() throws IOException {
        return 0;
    }

    /** The block the rollup was deployed in: none of its batches is older. 0 when the source cannot say. */
    default long deploymentBlock() throws IOException {
        return 0;
    }

    /**
     * How many batch submissions the rollup had counted at the end of block {@code block} (its
     * {@code submissions()}), the number the replay checks its log answers against; empty when the
     * source cannot say. Asked only of recent blocks, whose state every node keeps.
     */
    default OptionalLong submissionsAt(long block) throws IOException {
        return OptionalLong.empty();
    }
}
