package dev.clearline.tree.store;

/** A committed version's root: the version that wrote the root node ({@link Node#NO_CHILD} for the empty tree) and its hash. */
public record RootRef(long version, long rootNodeVersion, byte[] hash) {
    public boolean isEmpty() {
        return rootNodeVersion == Node.NO_CHILD;
    }
}
