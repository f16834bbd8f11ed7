package dev.clearline.tree.store;

/**
 * A persistent store holds bytes that cannot be what this code wrote: a bad checksum, a record of
 * the wrong length, or a root whose node is missing or hashes differently. Raised before anything
 * is written, so the damaged store is left exactly as found.
 */
public final class StoreCorruptedException extends RuntimeException {
    private final long version;
    private final String key;

    public StoreCorruptedException(long version, String key, String problem) {
        super("corrupt tree store: " + problem + " (version " + version + ", key " + key + "); the store was not modified: "
                + "restore it from a backup or rebuild the state from L1 data");
        this.version = version;
        this.key = key;
    }

    public long version() {
        return version;
    }

    public String key() {
        return key;
    }
}
