package dev.clearline.tree.store;

import java.util.List;
import java.util.Map;

/**
 * Everything one version writes, applied atomically: the new nodes, the nodes this version stopped
 * referencing (kept for older versions until pruned), and the new root.
 */
public record VersionCommit(long version, Map<NodeKey, Node> nodes, List<NodeKey> stale, RootRef root) {}
