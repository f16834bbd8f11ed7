package dev.clearline.tree.store;

import java.util.List;

/**
 * Everything one version writes, applied atomically: the new nodes, the nodes this version stopped
 * referencing (kept for older versions until pruned), and the new root.
 */
public record VersionCommit(long version, List<Written> nodes, List<NodeKey> stale, RootRef root) {
    /** One node this version wrote, and where. */
    public record Written(NodeKey key, Node node) {}

    /** The root node this version wrote, or {@code null} if its root is empty or an older version's node. */
    public Node rootNode() {
        for (int i = nodes.size() - 1; i >= 0; i--) {
            Written w = nodes.get(i);
            if (w.key().depth() == 0 && w.key().version() == version) {
                return w.node();
            }
        }
        return null;
    }
}
