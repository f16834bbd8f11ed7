package dev.clearline.tree;

import dev.clearline.tree.store.NodeKey;

/** A node a retained version references is not in the store: the store is corrupt (or was pruned behind the tree's back). */
public final class MissingNodeException extends IllegalStateException {
    public MissingNodeException(long version, NodeKey key) {
        super("store is corrupt: version " + version + " references " + key + " but the store does not hold it; "
                + "restore the store from a backup or rebuild it from L1 data");
    }
}
