package dev.clearline.tree.bench;

import dev.clearline.tree.store.Node;
import dev.clearline.tree.store.NodeKey;
import dev.clearline.tree.store.NodeStore;
import dev.clearline.tree.store.RootRef;
import dev.clearline.tree.store.VersionCommit;
import java.util.Optional;

/** Wraps a store and counts the internal nodes commits hash: each one costs exactly one keccak. */
final class CountingStore implements NodeStore {
    private final NodeStore inner;
    long internalNodesWritten;

    CountingStore(NodeStore inner) {
        this.inner = inner;
    }

    @Override
    public Node node(NodeKey key) {
        return inner.node(key);
    }

    @Override
    public Optional<RootRef> root(long version) {
        return inner.root(version);
    }

    @Override
    public long latestVersion() {
        return inner.latestVersion();
    }

    @Override
    public long oldestVersion() {
        return inner.oldestVersion();
    }

    @Override
    public void commit(VersionCommit commit) {
        internalNodesWritten += commit.internalNodesWritten();
        inner.commit(commit);
    }

    @Override
    public boolean tracksNodes() {
        return inner.tracksNodes();
    }

    @Override
    public int linkedLevels() {
        return inner.linkedLevels();
    }

    @Override
    public void prune(long keepFrom) {
        inner.prune(keepFrom);
    }

    @Override
    public void close() {
        inner.close();
    }
}
