package dev.clearline.tree.store;

import java.util.Optional;

/** Versioned node storage behind the tree: in memory or RocksDB. */
public interface NodeStore extends AutoCloseable {
    /** The node at {@code key}, or {@code null} when absent (the tree reports that as a corrupt or pruned store). */
    Node node(NodeKey key);

    /** The root of {@code version}, or empty if it was never committed or has been pruned. */
    Optional<RootRef> root(long version);

    /** The last completed version, or {@code -1} for a store that has none yet. */
    long latestVersion();

    /** The oldest version still readable ({@code 0} until something is pruned). */
    long oldestVersion();

    /**
     * Whether commits must list every written and stale node with its key. A store that keeps only
     * in-memory roots (nodes link to their children directly) says no, and saves the bookkeeping.
     */
    default boolean tracksNodes() {
        return true;
    }

    /**
     * How many levels of the tree keep in-memory links to their children: a node the tree builds at
     * depth {@code d} links its children only when {@code d + 1 < linkedLevels()}. Links cost
     * nothing to follow but pin what they reach; a store that keeps everything in memory says
     * {@link Integer#MAX_VALUE}, a persistent one bounds the linked top of the tree so that walks
     * through it need no look-ups while the levels below stay evictable.
     */
    default int linkedLevels() {
        return Integer.MAX_VALUE;
    }

    /**
     * Whether {@link #node} and {@link #root} may be called from several threads at once (while no
     * commit or prune runs): a tree then lets a helper thread compute half of a large version.
     */
    default boolean concurrentReads() {
        return false;
    }

    /** Applies one version atomically: afterwards either all of it is visible or none. */
    void commit(VersionCommit commit);

    /**
     * Drops every version older than {@code keepFrom} and the nodes only they referenced. Versions
     * {@code >= keepFrom} stay fully readable.
     */
    void prune(long keepFrom);

    @Override
    void close();
}
