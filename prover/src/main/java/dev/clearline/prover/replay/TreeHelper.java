package dev.clearline.prover.replay;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;

/**
 * The threads a replay's tree computes each batch's version on
 * ({@link dev.clearline.tree.SparseMerkleTree#SparseMerkleTree(dev.clearline.tree.store.NodeStore, int, ForkJoinPool)}):
 * a fork-join pool of one thread per core, whose idle threads end on their own (daemon threads, gone
 * after a minute without work), so a verifier that is dropped leaves nothing running and needs no
 * closing. Work stealing shares a version's pieces by how much CPU each thread gets, which matters
 * where signature recovery ({@link SignaturesAhead}) keeps the other cores busy.
 */
public final class TreeHelper {
    private TreeHelper() {}

    /** A pool of {@code cores} threads on a machine with a second core; {@code null} (all on the replay's thread) on one core. */
    public static ForkJoinPool forCores(int cores) {
        if (cores < 2) return null;
        return new ForkJoinPool(cores, pool -> {
            ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
            t.setName("tree-helper-" + t.getPoolIndex());
            return t;
        }, null, false);
    }

    /** {@link #forCores} for this machine. */
    public static ForkJoinPool forThisMachine() {
        return forCores(Runtime.getRuntime().availableProcessors());
    }
}
