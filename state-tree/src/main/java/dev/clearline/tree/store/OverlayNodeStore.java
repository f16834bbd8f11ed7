package dev.clearline.tree.store;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A store that reads through to another and keeps its own versions in the heap, leaving the other
 * untouched: a look ahead of a persisted state that must not be written. The escape's finalized
 * state lives in a cache directory that records which version it holds; replaying the batches
 * posted after it (not final, maybe never) on that store would leave the cache naming a state it no
 * longer holds. A tree over this store continues from the base's latest version instead.
 *
 * <p>The base must not commit or prune while this store is in use: its next version would write
 * node keys this store already answers for. Closing this store does not close the base, which
 * belongs to whoever opened it.
 */
public final class OverlayNodeStore implements NodeStore {
    private final NodeStore base;
    private final Map<NodeKey, Node> written = new HashMap<>();
    private final TreeMap<Long, RootRef> roots = new TreeMap<>();
    private long oldest;

    public OverlayNodeStore(NodeStore base) {
        this.base = base;
        this.oldest = base.oldestVersion();
    }

    @Override
    public Node node(NodeKey key) {
        Node n = written.get(key);
        return n != null ? n : base.node(key);
    }

    @Override
    public Optional<RootRef> root(long version) {
        if (version < oldest) return Optional.empty();
        RootRef own = roots.get(version);
        return own != null ? Optional.of(own) : base.root(version);
    }

    @Override
    public long latestVersion() {
        return roots.isEmpty() ? base.latestVersion() : roots.lastKey();
    }

    @Override
    public long oldestVersion() {
        return oldest;
    }

    /** Every written node is kept by its key, whatever the base does: the base's nodes are reached by key. */
    @Override
    public boolean tracksNodes() {
        return true;
    }

    @Override
    public int linkedLevels() {
        return base.linkedLevels();
    }

    @Override
    public void commit(VersionCommit commit) {
        if (commit.version() <= base.latestVersion()) {
            throw new IllegalStateException("version " + commit.version() + " is the base store's (its latest is " + base.latestVersion()
                    + "): an overlay only adds versions after it");
        }
        // a store that tracks nodes is handed every written node by key, the root among them
        for (VersionCommit.Written w : commit.nodes()) written.put(w.key(), w.node());
        roots.put(commit.version(), commit.root());
    }

    /**
     * Forgets this store's versions before {@code keepFrom}; the base's stay as they are. Nodes are
     * kept until the store is dropped: an overlay lives for one look ahead.
     */
    @Override
    public void prune(long keepFrom) {
        roots.headMap(keepFrom, false).clear();
        oldest = Math.max(oldest, Math.min(keepFrom, latestVersion()));
    }

    /** Drops this store's versions; the base stays open. */
    @Override
    public void close() {
        written.clear();
        roots.clear();
    }
}
