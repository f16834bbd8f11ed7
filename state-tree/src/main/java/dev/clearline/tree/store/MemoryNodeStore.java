package dev.clearline.tree.store;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** A node store in the heap, for tests, simulations and benchmarks. Not thread-safe. */
public final class MemoryNodeStore implements NodeStore {
    private final Map<NodeKey, Node> nodes = new HashMap<>(1 << 16);
    private final TreeMap<Long, RootRef> roots = new TreeMap<>();
    /** Version since which a node is no longer referenced -> those nodes. */
    private final TreeMap<Long, List<NodeKey>> staleSince = new TreeMap<>();
    private long oldest = 0;

    @Override
    public Node node(NodeKey key) {
        return nodes.get(key);
    }

    @Override
    public Optional<RootRef> root(long version) {
        return Optional.ofNullable(roots.get(version));
    }

    @Override
    public long latestVersion() {
        return roots.isEmpty() ? -1 : roots.lastKey();
    }

    @Override
    public long oldestVersion() {
        return oldest;
    }

    @Override
    public void commit(VersionCommit commit) {
        nodes.putAll(commit.nodes());
        if (!commit.stale().isEmpty()) {
            staleSince.computeIfAbsent(commit.version(), v -> new ArrayList<>()).addAll(commit.stale());
        }
        roots.put(commit.version(), commit.root());
    }

    @Override
    public void prune(long keepFrom) {
        var done = staleSince.headMap(keepFrom, true);
        for (List<NodeKey> keys : done.values()) {
            for (NodeKey k : keys) {
                nodes.remove(k);
            }
        }
        done.clear();
        roots.headMap(keepFrom, false).clear();
        oldest = Math.max(oldest, keepFrom);
    }

    /** Number of stored nodes, for memory measurements. */
    public int nodeCount() {
        return nodes.size();
    }

    @Override
    public void close() {
        // nothing to release
    }
}
