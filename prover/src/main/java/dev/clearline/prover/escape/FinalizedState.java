package dev.clearline.prover.escape;

import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.state.BalanceLeaf;
import dev.clearline.engine.state.GlobalLeaf;
import dev.clearline.engine.state.MarketLeaf;
import dev.clearline.engine.state.PositionLeaf;
import dev.clearline.engine.state.StateKeys;
import dev.clearline.engine.state.WithdrawalLeaf;
import dev.clearline.engine.stf.StateReads;
import dev.clearline.engine.stf.Stf;
import dev.clearline.engine.stf.TreeLeafStore;
import dev.clearline.engine.transition.Transition;
import dev.clearline.prover.l1.RollupLog;
import dev.clearline.prover.replay.CalldataReplay;
import dev.clearline.prover.replay.SignaturesAhead;
import dev.clearline.tree.SparseMerkleTree;
import dev.clearline.tree.store.MemoryNodeStore;
import dev.clearline.tree.store.NodeStore;
import dev.clearline.tree.store.OverlayNodeStore;
import dev.clearline.tree.store.RocksDbNodeStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import dev.clearline.tree.Bytes32;

/**
 * The L2 state after the rollup's last finalized batch, rebuilt from L1 alone: every finalized
 * batch's calldata (taken from the transactions that posted it) replayed with the Java STF, each
 * post-root checked against the header L1 holds. After a freeze this is the frozen state, and what
 * the escape hatch pays is proven from it; no operator is involved.
 *
 * <p>Besides the leaves it remembers who and what the replayed transitions named (owners and
 * markets), because state keys are hashes: to find every position, one asks each owner's leaf in
 * each market. Every holder of collateral or of a position appears in some transition (a deposit,
 * an order, a liquidation, a deleverage), and the insurance fund is always included. For the same
 * reason it remembers the digests of the orders whose leaves it still holds: the expiring ones'
 * ORDER_HASH leaves ({@link #expiringOrderHashes}) and the resting ones' ORDER leaves by short id
 * ({@link #restingOrderHashes}), which a node taking up this state needs to prune the first and to
 * name the second in the fills of later batches.
 *
 * <p>Rebuilt in memory it replays every finalized batch each time, which grows with the rollup's
 * age; rebuilt with a cache directory ({@link #rebuild(Postings, long, Stf, Progress, Path)}) it
 * keeps the state on disk and replays only the batches finalized since the last rebuild.
 */
public final class FinalizedState implements AutoCloseable {
    /** Told after each replayed batch: how many of how many, and the transitions so far. */
    @FunctionalInterface
    public interface Progress {
        void replayed(long batches, long of, long transitions);

        Progress NONE = (b, of, t) -> { };
    }

    /** A WITHDRAWAL leaf of the finalized state. */
    public record Withdrawal(long id, Address recipient, long amount) {}

    /** Every {@code BatchSubmitted} posting from L1 block {@code fromBlock} on, in L1 order. */
    @FunctionalInterface
    public interface Postings {
        List<RollupLog.Posted> from(long fromBlock) throws IOException;

        /** The rollup's postings, none of which is older than {@code firstBlock} (its deployment). */
        static Postings of(RollupLog log, long firstBlock) {
            return fromBlock -> log.batches(Math.max(fromBlock, firstBlock), log.latestBlock());
        }
    }

    private final NodeStore nodes;
    private final SparseMerkleTree tree;
    private final TreeLeafStore store;
    private final long version;
    private final long finalizedCount;
    private final List<Address> owners;
    private final List<Integer> markets;
    private final List<Hash32> expiring;
    private final Map<Long, Hash32> resting;
    /** The L1 block of the last finalized batch's posting (0 with none final): later postings are at or after it. */
    private final long finalBlock;

    private FinalizedState(NodeStore nodes, SparseMerkleTree tree, TreeLeafStore store, long version, long finalizedCount, Named named,
                           long finalBlock) {
        this.nodes = nodes;
        this.tree = tree;
        this.store = store;
        this.version = version;
        this.finalizedCount = finalizedCount;
        this.owners = named.owners();
        this.markets = named.markets();
        this.expiring = named.expiring();
        this.resting = named.resting();
        this.finalBlock = finalBlock;
    }

    /**
     * Replays the first {@code finalizedCount} batches of {@code posted}, the rollup's postings in L1 order.
     *
     * @throws IOException when a finalized batch is missing, or replays to another root than its header
     *     (the chain finalized fraud: then no escape proof built here would verify)
     */
    public static FinalizedState rebuild(List<RollupLog.Posted> posted, long finalizedCount, Stf stf, Progress progress) throws IOException {
        // no value cache in the tree: the leaf store keeps the leaves at hand
        MemoryNodeStore nodes = new MemoryNodeStore();
        SparseMerkleTree tree = new SparseMerkleTree(nodes, 0);
        TreeLeafStore store = new TreeLeafStore(tree);
        long version = store.commit();
        Named named = Named.fresh();
        version = replay(byIndex(posted), 0, finalizedCount, stf, store, named, progress, version);
        return new FinalizedState(nodes, tree, store, version, finalizedCount, named, finalBlock(posted, finalizedCount));
    }

    /**
     * As {@link #rebuild(List, long, Stf, Progress)}, read from L1 through {@code postings} and keeping the state in {@code cacheDir} (RocksDB, the latest
     * finalized version only) with a record of how far it got: a later rebuild reads L1 from the block of the last
     * batch it replayed and replays only what was finalized since. A cache that does not match L1 (another chain
     * behind the same RPC URL and rollup address, a devnet started again) is dropped and the state rebuilt from the
     * first batch. Close the state to release the directory.
     *
     * @throws IOException when L1 cannot be read, or as the in-memory rebuild
     * @throws IllegalStateException when the cache cannot be opened (another process uses it)
     */
    public static FinalizedState rebuild(Postings postings, long finalizedCount, Stf stf, Progress progress, Path cacheDir) throws IOException {
        CacheMark mark = CacheMark.read(cacheDir);
        if (mark != null && mark.count() > finalizedCount) mark = null; // fewer batches final than the cache holds: not this chain
        List<RollupLog.Posted> posted = finalizedCount == 0 ? List.of() : postings.from(mark == null ? 0 : mark.block());
        if (mark != null) {
            RollupLog.Posted last = byIndex(posted).get(mark.count() - 1);
            if (last == null || last.blockNumber() != mark.block() || !last.batch().header().postStateRoot().equals(mark.root())) {
                mark = null;
                posted = postings.from(0);
            }
        }
        if (mark == null) deleteTree(cacheDir);
        RocksDbNodeStore nodes = open(cacheDir);
        try {
            SparseMerkleTree tree = new SparseMerkleTree(nodes, 0);
            TreeLeafStore store = new TreeLeafStore(tree);
            if (mark != null && !store.root().equals(mark.root())) {
                // the tree on disk is not the one its record names (the record outlived its tree): start again
                nodes.close();
                deleteTree(cacheDir);
                posted = postings.from(0);
                mark = null;
                nodes = open(cacheDir);
                tree = new SparseMerkleTree(nodes, 0);
                store = new TreeLeafStore(tree);
            }
            long version = store.commit();
            Named named = mark == null ? Named.fresh() : Named.of(mark);
            long from = mark == null ? 0 : mark.count();
            version = replay(byIndex(posted), from, finalizedCount, stf, store, named, progress, version);
            if (finalizedCount > from) {
                nodes.prune(nodes.latestVersion());
                nodes.sync(); // the versions on disk before the record that names them
                RollupLog.Posted last = byIndex(posted).get(finalizedCount - 1);
                try {
                    new CacheMark(finalizedCount, last.blockNumber(), store.root(), named.owners(), named.markets(), named.expiring(), named.resting()).write(cacheDir);
                } catch (IOException e) {
                    // the state is whole; without its record the next rebuild starts from the first batch, as with no cache
                    Files.deleteIfExists(cacheDir.resolve(CacheMark.FILE));
                }
            }
            return new FinalizedState(nodes, tree, store, version, finalizedCount, named, finalBlock(posted, finalizedCount));
        } catch (IOException | RuntimeException e) {
            nodes.close();
            throw e;
        }
    }

    /** The cache's tree; an {@link IllegalStateException} that says what to do when it cannot be opened (not an L1 problem). */
    private static RocksDbNodeStore open(Path cacheDir) {
        try {
            Files.createDirectories(cacheDir);
        } catch (IOException e) {
            throw new IllegalStateException("the state cache " + cacheDir + " cannot be created (" + whyNot(e) + "); give a directory you can write to", e);
        }
        try {
            return RocksDbNodeStore.open(cacheDir.resolve("tree"), RocksDbNodeStore.Settings.defaults().withCachedNodes(1 << 18)
                    .withDurability(RocksDbNodeStore.Durability.PROCESS_CRASH_ONLY));
        } catch (RuntimeException e) {
            throw new IllegalStateException("the state cache " + cacheDir + " cannot be opened (" + e.getMessage() + "): another command may be"
                    + " using it; wait for it to finish, or give another directory", e);
        }
    }

    /** What stopped a directory's creation, in words (the exception's class name is no help to a trader). */
    static String whyNot(IOException e) {
        return switch (e) {
            case java.nio.file.FileAlreadyExistsException f -> f.getFile() + " is a file, not a directory";
            case java.nio.file.AccessDeniedException a -> "no permission to write in " + a.getFile();
            case java.nio.file.NoSuchFileException n -> n.getFile() + " cannot be made here (its parent is missing or cannot hold directories)";
            case java.nio.file.FileSystemException f when f.getReason() != null -> f.getFile() + ": " + f.getReason();
            default -> e.getMessage();
        };
    }

    private static void deleteTree(Path cacheDir) {
        try {
            Files.deleteIfExists(cacheDir.resolve(CacheMark.FILE));
            Path tree = cacheDir.resolve("tree");
            if (!Files.exists(tree)) return;
            try (var files = Files.walk(tree)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
            }
        } catch (IOException e) {
            throw new IllegalStateException("the state cache " + cacheDir + " cannot be emptied (" + e + "); delete it by hand or give another directory", e);
        }
    }

    private static long finalBlock(List<RollupLog.Posted> posted, long finalizedCount) {
        return finalizedCount == 0 ? 0 : byIndex(posted).get(finalizedCount - 1).blockNumber();
    }

    /** The latest posting of each batch index: a batch index posted again after a rejection, the later posting is the one that stood. */
    private static Map<Long, RollupLog.Posted> byIndex(List<RollupLog.Posted> posted) {
        Map<Long, RollupLog.Posted> byIndex = new HashMap<>();
        for (RollupLog.Posted p : posted) byIndex.put(p.batch().header().batchIndex(), p);
        return byIndex;
    }

    /** Replays batches {@code from} to {@code to - 1} onto {@code store}, each checked against L1's root; the version after the last. */
    private static long replay(Map<Long, RollupLog.Posted> byIndex, long from, long to, Stf stf, TreeLeafStore store, Named named,
                               Progress progress, long version) throws IOException {
        long transitions = 0;
        CalldataReplay.Decoded next = null;
        for (long i = from; i < to; i++) {
            RollupLog.Posted p = byIndex.get(i);
            if (p == null) {
                throw new IOException("finalized batch " + i + " is not among the rollup's BatchSubmitted events; is the RPC an archive of this chain?");
            }
            CalldataReplay.Decoded decoded = next != null ? next : CalldataReplay.decode(p.batch().calldata());
            // the signers of this batch and the next are recovered on the other cores meanwhile (SignaturesAhead)
            if (next == null) SignaturesAhead.prefetchFor(stf, decoded);
            RollupLog.Posted following = i + 1 < to ? byIndex.get(i + 1) : null;
            next = following == null ? null : CalldataReplay.decode(following.batch().calldata());
            if (next != null) SignaturesAhead.prefetchFor(stf, next);
            if (decoded.tail().isPresent()) {
                throw new IOException("finalized batch " + i + " (tx " + p.transactionHash() + ") does not split into transitions: the chain"
                        + " finalized a broken batch; see ./clearline verify-batches");
            }
            // a step that does not decode names nobody; the STF refuses it as MALFORMED, as the Solidity step does
            List<Hash32> postedHere = new ArrayList<>();
            for (CalldataReplay.Step s : decoded.steps()) {
                if (!s.decodes()) continue;
                name(s.transition(), named.ownerSet, named.marketSet);
                if (s.transition() instanceof Transition.PostOrder po) {
                    // the STF's own digest of it (the one its ORDER_HASH key is made from)
                    Hash32 digest = stf.signedDigest(po).digest();
                    postedHere.add(digest);
                    if (po.order().expiry() != 0) named.expiringSet.add(digest);
                }
            }
            // L1 finalized this root: a refused step leaves the state as the Solidity step does (postRoot == preRoot)
            CalldataReplay.apply(stf, store, decoded.steps(), decoded.steps().size(), i, CalldataReplay.OnRefusal.SKIP,
                    CalldataReplay.AfterStep.NONE);
            transitions += decoded.steps().size();
            version = store.commit();
            for (Hash32 d : postedHere) {
                var leaf = StateReads.orderHash(store, d);
                if (leaf != null && !leaf.isTombstone()) named.restingMap.put(leaf.orderId(), d);
            }
            if (!store.root().equals(p.batch().header().postStateRoot())) {
                throw new IOException("finalized batch " + i + " replays to root " + store.root() + " but L1 holds "
                        + p.batch().header().postStateRoot() + ": the chain finalized a wrong batch; see ./clearline verify-batches");
            }
            progress.replayed(i + 1, to, transitions);
        }
        // only the hashes the state still holds: a PostOrder the STF refused wrote none, a PruneOrderHash took its own
        named.expiringSet.removeIf(h -> StateReads.orderHash(store, h) == null);
        named.restingMap.keySet().removeIf(id -> StateReads.order(store, id) == null); // filled, cancelled or evicted: pruned

        return version;
    }

    /** Who and what the replayed transitions named, in the orders {@link #owners()} and {@link #markets()} give. */
    private record Named(TreeSet<Address> ownerSet, TreeSet<Integer> marketSet, TreeSet<Hash32> expiringSet, java.util.TreeMap<Long, Hash32> restingMap) {
        static Named fresh() {
            Named n = new Named(new TreeSet<>(Comparator.comparing(Address::toString)), new TreeSet<>(Comparator.comparingLong(Integer::toUnsignedLong)),
                    new TreeSet<>(Comparator.comparing(Hash32::toString)), new java.util.TreeMap<>());
            n.ownerSet.add(Address.INSURANCE_FUND);
            return n;
        }

        static Named of(CacheMark mark) {
            Named n = fresh();
            n.ownerSet.addAll(mark.owners());
            n.marketSet.addAll(mark.markets());
            n.expiringSet.addAll(mark.expiring());
            n.restingMap.putAll(mark.resting());
            return n;
        }

        List<Address> owners() {
            return List.copyOf(ownerSet);
        }

        List<Integer> markets() {
            return List.copyOf(marketSet);
        }

        List<Hash32> expiring() {
            return List.copyOf(expiringSet);
        }

        Map<Long, Hash32> resting() {
            return java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(restingMap));
        }
    }

    /**
     * Adds the traders and markets the transitions of one batch's calldata name (a step that does not decode names
     * nobody): what a state rebuilt from L1 needs beside its leaves to know whose leaves they are (its keys are hashes).
     */
    public static void namedIn(byte[] calldata, java.util.Set<Address> owners, java.util.Set<Integer> markets) {
        for (CalldataReplay.Step s : CalldataReplay.decode(calldata).steps()) if (s.decodes()) name(s.transition(), owners, markets);
    }

    /**
     * Adds the digest ({@code digests}: the rollup's EIP-712 order digest) of each order with an expiry one batch's calldata
     * posts: what a node taking up the state needs to prune those orders' ORDER_HASH leaves once they expire (their keys
     * are hashes of the digests). A step that does not decode posts nothing.
     */
    public static void expiringIn(byte[] calldata, java.util.function.Function<dev.clearline.engine.order.Order, Hash32> digests,
                                  java.util.Collection<Hash32> out) {
        for (CalldataReplay.Step s : CalldataReplay.decode(calldata).steps()) if (s.decodes()) expiring(s.transition(), digests, out);
    }

    private static void expiring(Transition t, java.util.function.Function<dev.clearline.engine.order.Order, Hash32> digests,
                                 java.util.Collection<Hash32> out) {
        if (t instanceof Transition.PostOrder p && p.order().expiry() != 0) out.add(digests.apply(p.order()));
    }

    private static void name(Transition t, java.util.Set<Address> owners, java.util.Set<Integer> markets) {
        switch (t) {
            case Transition.Deposit d -> owners.add(d.owner());
            case Transition.MarketConfig c -> markets.add(c.marketId());
            case Transition.ForcedWithdrawal f -> owners.add(f.owner());
            case Transition.PostOrder p -> owners.add(p.order().trader());
            case Transition.Allocate a -> owners.add(a.owner());
            case Transition.Release r -> owners.add(r.owner());
            case Transition.Withdraw w -> owners.add(w.owner());
            case Transition.Liquidate l -> owners.add(l.owner());
            case Transition.Deleverage d -> owners.add(d.counterparty());
            default -> { }
        }
    }

    /**
     * The digests of the orders with an expiry whose ORDER_HASH leaf this state holds (posted in a finalized batch, not yet
     * pruned), in hex order: a node taking up L1's state prunes each once its market's oracle time passes the expiry.
     */
    public List<Hash32> expiringOrderHashes() {
        return expiring;
    }

    /**
     * The digest of each order whose ORDER leaf this state holds (posted in a finalized batch and neither filled, cancelled
     * nor pruned since), by short id: a fill in a later batch names such an order by its id alone, and a reader of those
     * batches names it by its digest with this ({@code take-up}'s fills).
     */
    public Map<Long, Hash32> restingOrderHashes() {
        return resting;
    }

    /** How many batches are final (the state is after batch {@code finalizedCount - 1}). */
    public long finalizedCount() {
        return finalizedCount;
    }

    /** The L1 block from which the postings of the batches after the finalized ones are read (0 with none final). */
    public long postedFromBlock() {
        return finalBlock;
    }

    /**
     * A verifier that judges the batches posted after the finalized ones, starting from this state.
     * What it commits goes to an overlay in the heap ({@link OverlayNodeStore}), so this state, and the
     * cache directory it may live in, stay as finalized: a trader proposing a batch replays only what is
     * not final yet. Use it while this state is open, and do not replay {@link #ahead} meanwhile.
     */
    public dev.clearline.prover.replay.BatchVerifier verifierAhead(Stf stf) {
        // an overlay takes no reads from several threads (NodeStore.concurrentReads): each version is computed on the calling thread
        return new dev.clearline.prover.replay.BatchVerifier(stf, new OverlayNodeStore(nodes), null);
    }

    /** The root of the rebuilt state: the last finalized batch's post-root (the frozen root after a freeze). */
    public Hash32 root() {
        return store.root();
    }

    /** How many priority ops the state consumed: queued ops from this index on were never applied (deposits are refunded). */
    public long priorityOpsConsumed() {
        return StateReads.global(store).priorityOpsConsumed();
    }

    /** How many withdrawals the state numbered (its next withdrawal id). */
    public long withdrawalCount() {
        return StateReads.global(store).nextWithdrawalId();
    }

    /** Every owner a replayed transition named, the insurance fund included, in address order. */
    public List<Address> owners() {
        return owners;
    }

    /** Every market a MarketConfig named, in id order (unsigned). */
    public List<Integer> markets() {
        return markets;
    }

    /** Null when {@code owner} has no BALANCE leaf. */
    public BalanceLeaf balance(Address owner) {
        return StateReads.balance(store, owner);
    }

    /** Null when {@code owner} has no POSITION leaf in {@code market}. */
    public PositionLeaf position(Address owner, int market) {
        return StateReads.position(store, owner, market);
    }

    /** Null when the market does not exist. */
    public MarketLeaf market(int market) {
        return StateReads.market(store, market);
    }

    /** Every withdrawal leaf paying {@code recipient}, claimed on L1 or not. */
    public List<Withdrawal> withdrawalsTo(Address recipient) {
        List<Withdrawal> out = new ArrayList<>();
        GlobalLeaf g = StateReads.global(store);
        for (long id = 0; id < g.nextWithdrawalId(); id++) {
            WithdrawalLeaf w = StateReads.withdrawal(store, id);
            if (w != null && w.recipient().equals(recipient)) out.add(new Withdrawal(id, w.recipient(), w.amount()));
        }
        return out;
    }

    /** The encoded proof of {@code owner}'s BALANCE leaf (what escapeBalance and reportFundBalance check). */
    public byte[] balanceProof(Address owner) {
        return prove(StateKeys.balance(owner));
    }

    /** The encoded multi-proof of {@code owner}'s POSITION leaf and the MARKET leaf (what escapePosition checks). */
    public byte[] positionProof(Address owner, int market) {
        return prove(StateKeys.position(owner, Integer.toUnsignedLong(market)), StateKeys.market(Integer.toUnsignedLong(market)));
    }

    /** The encoded proof of withdrawal {@code id}'s leaf (what claimWithdrawal checks). */
    public byte[] withdrawalProof(long id) {
        return prove(StateKeys.withdrawal(id));
    }

    private byte[] prove(Bytes32... keys) {
        return tree.prove(version, List.of(keys)).encode();
    }

    /** A withdrawal made by a batch posted but not final yet: claimable once that batch is final. */
    public record PendingWithdrawal(long batchIndex, long id, Address recipient, long amount) {}

    /**
     * What the batches posted after the finalized ones do, replayed from L1: the withdrawals each
     * makes, and the first batch that does not replay to the root it was posted with (or does not
     * split into transitions), if any. Such a batch is fraud a watcher disputes; it and the batches
     * after it will not stand as posted, so the replay stops before it. {@code priorityOpsConsumed}: the
     * queued ops the replayed batches consumed, counted from the queue's start (a deposit below it is
     * credited in a posted batch).
     */
    public record Ahead(long batchesReplayed, List<PendingWithdrawal> withdrawals, long priorityOpsConsumed, java.util.OptionalLong firstWrong,
                        String wrongBecause) {
        /** The withdrawals paying {@code recipient}. */
        public List<PendingWithdrawal> to(Address recipient) {
            return withdrawals.stream().filter(w -> w.recipient().equals(recipient)).toList();
        }
    }

    /**
     * Replays batches {@code finalizedCount} to {@code postedCount - 1} on top of this state, read from
     * {@code postings} (from the last finalized batch's block on), each checked against its posted root.
     * This state, and the cache directory it may live in, stay as finalized: the replay writes to an
     * overlay of the store that is dropped afterwards ({@link OverlayNodeStore}). {@code progress} is told
     * after each batch (its index plus one, of {@code postedCount}).
     *
     * @throws IOException when L1 cannot be read or lacks a posted batch
     */
    public Ahead ahead(Postings postings, long postedCount, Stf stf, Progress progress) throws IOException {
        if (postedCount <= finalizedCount) return new Ahead(0, List.of(), priorityOpsConsumed(), java.util.OptionalLong.empty(), null);
        Map<Long, RollupLog.Posted> byIndex = byIndex(postings.from(finalBlock));
        try (OverlayNodeStore overlay = new OverlayNodeStore(nodes)) {
            TreeLeafStore look = new TreeLeafStore(new SparseMerkleTree(overlay, 0), 1 << 16);
            List<PendingWithdrawal> made = new ArrayList<>();
            long transitions = 0;
            long consumed = priorityOpsConsumed();
            long nextId = StateReads.global(look).nextWithdrawalId();
            for (long i = finalizedCount; i < postedCount; i++) {
                RollupLog.Posted p = byIndex.get(i);
                if (p == null) throw new IOException("posted batch " + i + " is not among the rollup's BatchSubmitted events; is the RPC a full node of this chain?");
                CalldataReplay.Decoded decoded = CalldataReplay.decode(p.batch().calldata());
                if (decoded.tail().isPresent()) {
                    return new Ahead(i - finalizedCount, made, consumed, java.util.OptionalLong.of(i), "its calldata does not split into transitions");
                }
                SignaturesAhead.prefetchFor(stf, decoded);
                CalldataReplay.apply(stf, look, decoded.steps(), decoded.steps().size(), i, CalldataReplay.OnRefusal.SKIP, CalldataReplay.AfterStep.NONE);
                look.commit();
                if (!look.root().equals(p.batch().header().postStateRoot())) {
                    return new Ahead(i - finalizedCount, made, consumed, java.util.OptionalLong.of(i), "it replays to root " + look.root() + ", not the "
                            + p.batch().header().postStateRoot() + " it was posted with");
                }
                long after = StateReads.global(look).nextWithdrawalId();
                for (long id = nextId; id < after; id++) {
                    WithdrawalLeaf w = StateReads.withdrawal(look, id);
                    if (w != null) made.add(new PendingWithdrawal(i, id, w.recipient(), w.amount()));
                }
                nextId = after;
                consumed = StateReads.global(look).priorityOpsConsumed();
                transitions += decoded.steps().size();
                progress.replayed(i + 1, postedCount, transitions);
            }
            return new Ahead(postedCount - finalizedCount, made, consumed, java.util.OptionalLong.empty(), null);
        }
    }

    /** Releases the state's store (a cache directory's RocksDB); nothing to release in memory. */
    @Override
    public void close() {
        nodes.close();
    }
}
