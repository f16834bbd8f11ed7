package dev.clearline.prover.store;

import java.nio.file.Path;

/** The replay store on disk was written for another deployment (chain and rollup) than the one asked for. */
public final class StoreMismatchException extends RuntimeException {
    public StoreMismatchException(Path dir, String stored, String wanted) {
        super("the replay store " + dir + " holds the state of " + stored + ", not of " + wanted
                + "; give another --data-dir (or delete that directory to start over)");
    }
}
