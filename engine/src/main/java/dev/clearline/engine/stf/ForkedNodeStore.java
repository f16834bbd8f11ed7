package dev.clearline.engine.stf;

import dev.clearline.tree.store.Node;
import dev.clearline.tree.store.NodeKey;
import dev.clearline.tree.store.NodeStore;
import dev.clearline.tree.store.RootRef;
import dev.clearline.tree.store.VersionCommit;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A scratch branch of a versioned node store: versions up to {@code baseVersion} are read from
 * the base (whose nodes never change), later versions live only here. Replaying a batch prefix
 * from its pre-state this way leaves the real tree untouched, whatever was committed after it.
 */
public final class ForkedNodeStore implements NodeStore {
    private final NodeStore base;
    private final long baseVersion;
    private final Map<NodeKey, Node> nodes = new HashMap<>();
    private final TreeMap<Long, RootRef> roots = new TreeMap<>();

    public ForkedNodeStore(NodeStore base, long baseVersion) {
        if (baseVersion >= 0 && base.root(baseVersion).isEmpty()) {
            throw new IllegalArgumentException("version " + baseVersion + " is not readable in the base store (pruned or never written)");
        }
        this.base = base;
        this.baseVersion = baseVersion;
    }

    @Override
    public Node node(NodeKey key) {
        return key.version() > baseVersion ? nodes.get(key) : base.node(key);
    }

    @Override
    public Optional<RootRef> root(long version) {
        return version > baseVersion ? Optional.ofNullable(roots.get(version)) : base.root(version);
    }

    @Override
    public long latestVersion() {
        return roots.isEmpty() ? baseVersion : roots.lastKey();
    }

    @Override
    public long oldestVersion() {
        return base.oldestVersion();
    }

    @Override
    public void commit(VersionCommit commit) {
        for (VersionCommit.Written w : commit.nodes()) nodes.put(w.key(), w.node());
        roots.put(commit.version(), commit.root());
    }

    @Override
    public void prune(long keepFrom) {
        throw new UnsupportedOperationException("a fork is scratch space; prune the base store instead");
    }

    @Override
    public void close() {
        // the base belongs to its owner
    }
}
