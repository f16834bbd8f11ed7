package dev.clearline.tree.store;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A node store in the heap, for tests, simulations and benchmarks. Not thread-safe.
 *
 * <p>It keeps only each retained version's root: nodes the tree builds link to their children
 * directly ({@link Node.Internal#left()}), versions share unchanged subtrees, and pruning a version
 * drops its root so that the garbage collector reclaims whatever no retained version still reaches.
 */
public final class MemoryNodeStore implements NodeStore {
    private final TreeMap<Long, RootRef> roots = new TreeMap<>();
    private final Map<NodeKey, Node> rootNodes = new HashMap<>();
    private long oldest = 0;
    /** The last key of {@link #roots}, kept apart: every read of the tree asks for it. */
    private long latest = -1;
    /** The latest version's root, kept apart too: every first read of a leaf asks for it. */
    private Optional<RootRef> latestRoot = Optional.empty();

    @Override
    public Node node(NodeKey key) {
        return rootNodes.get(key);
    }

    /** Reads only look maps up; nodes never change once built. */
    @Override
    public boolean concurrentReads() {
        return true;
    }

    @Override
    public Optional<RootRef> root(long version) {
        if (version == latest) {
            return latestRoot;
        }
        return Optional.ofNullable(roots.get(version));
    }

    @Override
    public long latestVersion() {
        return latest;
    }

    @Override
    public long oldestVersion() {
        return oldest;
    }

    @Override
    public boolean tracksNodes() {
        return false;
    }

    @Override
    public void commit(VersionCommit commit) {
        Node root = commit.rootNode();
        if (root != null) {
            rootNodes.put(new NodeKey(commit.root().rootNodeVersion(), 0, 0, 0, 0, 0), root);
        }
        roots.put(commit.version(), commit.root());
        latest = roots.lastKey();
        latestRoot = Optional.ofNullable(roots.get(latest));
    }

    @Override
    public void prune(long keepFrom) {
        roots.headMap(keepFrom, false).clear();
        latest = roots.isEmpty() ? -1 : roots.lastKey();
        latestRoot = roots.isEmpty() ? Optional.empty() : Optional.of(roots.get(latest));
        java.util.Set<Long> live = new java.util.HashSet<>();
        roots.values().forEach(r -> live.add(r.rootNodeVersion()));
        rootNodes.keySet().removeIf(k -> !live.contains(k.version()));
        oldest = Math.max(oldest, keepFrom);
    }

    @Override
    public void close() {
        // nothing to release
    }
}
