package dev.clearline.prover.replay;

import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.junit.jupiter.api.Test;

import java.util.concurrent.ForkJoinPool;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pool a replay's tree computes each version on: one thread per core, none on a one-core machine (the replay thread
 * hashes alone there rather than hand pieces to a thread that shares its core), daemon threads named for thread dumps,
 * so a verifier dropped without closing leaves nothing that keeps the JVM alive.
 */
class TreeHelperProperties {
    @Test
    void oneThreadPerCoreAndNoneOnOneCore() {
        Property.forAll(Gens.ints(-2, 12)).tries(60).check(cores -> {
            ForkJoinPool pool = TreeHelper.forCores(cores);
            if (cores < 2) {
                assertThat(pool).as("%d core(s): all on the replay's thread", cores).isNull();
                return;
            }
            try {
                assertThat(pool).as("%d cores", cores).isNotNull();
                assertThat(pool.getParallelism()).isEqualTo(cores);
                Thread worker = pool.submit(Thread::currentThread).get(60, java.util.concurrent.TimeUnit.SECONDS); // a pool that cannot start a thread fails, not hangs
                assertThat(worker.getName()).matches("tree-helper-\\d+");
                assertThat(worker.isDaemon()).as("a dropped verifier's pool never holds the JVM open").isTrue();
            } finally {
                pool.shutdownNow();
            }
        });
    }

    @Test
    void thisMachinesPoolHasAThreadPerCore() {
        int cores = Runtime.getRuntime().availableProcessors();
        ForkJoinPool pool = TreeHelper.forThisMachine();
        try {
            if (cores < 2) assertThat(pool).isNull();
            else assertThat(pool.getParallelism()).isEqualTo(cores);
        } finally {
            if (pool != null) pool.shutdownNow();
        }
    }
}
