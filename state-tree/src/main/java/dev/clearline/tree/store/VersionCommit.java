package dev.clearline.tree.store;

import java.util.List;

/**
 * Everything one version writes, applied atomically: the new nodes, the nodes this version stopped
 * referencing (kept for older versions until pruned), and the new root. For stores that do not
 * {@linkplain NodeStore#tracksNodes() track nodes} the two lists are empty; {@code rootNode} is the
 * root node itself ({@code null} for the empty tree), {@code internalNodesWritten} the number of
 * internal nodes hashed (one keccak each), for measurements.
 */
public record VersionCommit(long version, List<Written> nodes, List<NodeKey> stale, RootRef root, Node rootNode,
        int internalNodesWritten) {
    /** One node this version wrote, and where. */
    public record Written(NodeKey key, Node node) {}
}
