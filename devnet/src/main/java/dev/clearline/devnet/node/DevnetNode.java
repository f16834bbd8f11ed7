package dev.clearline.devnet.node;

import com.fasterxml.jackson.databind.JsonNode;
import dev.clearline.devnet.node.ChainState.BlockEnv;
import dev.clearline.devnet.node.ChainState.Execution;
import dev.clearline.devnet.node.ChainState.Message;
import dev.clearline.evm.Hex;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Hash;
import org.web3j.utils.Numeric;

/**
 * An in-process L1: blocks, receipts, logs, nonces, balances, fees and time control over an
 * EVM world state. Thread-safe: every operation holds the node's lock, so requests see a
 * consistent chain (decoding and sender recovery of a raw transaction happen before it).
 * Transactions with a nonce gap are refused, not queued (like Hardhat's
 * automine): send them in nonce order. With automine off ({@link #setAutomine}) accepted
 * transactions wait in a pool until a block is mined; a pooled one is replaced by one of the same
 * sender and nonce that raises both its fees by at least {@link #REPLACEMENT_BUMP_PERCENT}%, as geth
 * and Hardhat replace, which is how a sender's fee bump reaches a stuck transaction.
 */
public final class DevnetNode implements AutoCloseable {
    /** How far above the smallest working gas limit an estimate may stop (geth's error ratio). */
    static final double ESTIMATE_SLACK = 0.015;

    static final String ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";
    static final String ZERO_HASH = "0x" + "0".repeat(64);

    private final NodeConfig config;
    private final BlockSealer sealer;
    private final ChainState state;
    private final ChainStore store;
    private final List<Block> blocks = new ArrayList<>();
    private final Map<String, Long> blockByHash = new HashMap<>();
    private final Map<String, TxLocation> txByHash = new HashMap<>();
    private final List<SignedTx> pending = new ArrayList<>();
    /** Transactions sent ahead of their sender's next nonce while automine is off, until the gap closes. */
    private final NonceGapQueue gapped = new NonceGapQueue();
    /**
     * Guards everything mutable here and the world state. A lock that parks waiters rather than the
     * monitor, which spins them: with more RPC threads than cores, spinning burnt the CPU the lock
     * holder and the clients needed.
     */
    private final ReentrantLock lock = new ReentrantLock();
    private final KnownSenders senders = new KnownSenders();
    /**
     * Pipelined automine (in memory, {@link NodeConfig#blockTxs()} above 1): eth_sendRawTransaction is
     * judged and answered at once and a miner thread mines the queue in arrival order, while every
     * other operation first waits for the queue to be mined, so no client can tell it from mining
     * before answering. A block per transaction (the default) mines on the caller's thread instead:
     * pipelined with one transaction per block, every transaction cost two thread hand-offs, and on
     * the loaded 2-core machine the default row of the benchmark fell from hundreds of transfers/s
     * to about 20 (senders kept losing the lock to the miner between its blocks); the hand-offs pay
     * only when they buy several transactions per block. With a data directory the answer always
     * waits for the block and its line in the chain file, so that an answered transaction survives
     * a kill (see the README's Durability).
     */
    private final boolean pipelined;
    /** Whether a sent transaction is mined before the answer; starts as configured, switched by {@code evm_setAutomine}. */
    private boolean automine;
    /** The base fee the next block must have ({@code hardhat_setNextBlockBaseFeePerGas}); null: the EIP-1559 rule's. */
    private BigInteger nextBlockBaseFee;
    /** How much a replacement must raise both fees of the pooled transaction it replaces (geth's and Hardhat's rule). */
    static final int REPLACEMENT_BUMP_PERCENT = 10;
    /** Signalled when something is queued or the node closes: wakes the miner. */
    private final Condition work = lock.newCondition();
    /** Signalled when the queue is empty: wakes readers waiting for the transactions answered before them. */
    private final Condition settled = lock.newCondition();
    /** Signalled when the queue shrinks: wakes senders waiting for room. */
    private final Condition room = lock.newCondition();
    /** {@code pending.size()} in pipelined mode, readable without the lock (the head is published before it falls). */
    private volatile int queued;
    private boolean closing;
    private Thread miner;
    /** At most this many answered transactions wait for the miner; a sender beyond it waits for room. */
    static final int MAX_QUEUED = 256;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DevnetNode.class);
    private volatile Block head;
    /**
     * Told, under the node's lock, whenever the head moves (a block mined, a revert), with the
     * highest block number that is still the block it was: WebSocket subscriptions wake on it. Each
     * must only take note (it runs in the miner's critical section).
     */
    private final List<java.util.function.LongConsumer> headWatchers = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final TreeMap<Integer, Snapshot> snapshots = new TreeMap<>();
    private int nextSnapshotId = 1;
    private long timeOffset;
    private String lastDropReason = "";
    private Long nextTimestamp;
    private Optional<String> repair = Optional.empty();
    /**
     * Whether the live state is ahead of what the state database holds. A block's root is computed
     * in memory; the state is written only every {@link #COMMIT_EVERY_BLOCKS} blocks, before
     * anything that must return to a committed root, and on close. Writing it per block reopened
     * the state each time, so every block started from a cold trie.
     */
    private boolean headUncommitted;
    private int blocksSinceCommit;
    /**
     * At most this many blocks are mined between two writes of the state: the most a killed
     * devnet replays from its chain file when it reopens, and a read of an older block replays.
     */
    public static final int COMMIT_EVERY_BLOCKS = 64;
    private static final byte[] EMPTY_STATE_ROOT = dev.clearline.evm.WorldState.emptyRoot().bytes();
    private static final String EMPTY_BLOOM = Hex.encode(new byte[Bloom.BYTES]);
    /**
     * The state roots known to be in the state database: each root this node (or an earlier run in
     * its data directory) wrote, and the root the database was opened at. A read at a past block
     * starts from the nearest of them at or before that block. It used to find one by asking libevm
     * to open each root in turn back from the block, and libevm answers a root that was never
     * written with an ERROR line of its own ({@code StateOpen failed to open state ... missing trie
     * node}) before the refusal: a line per block walked back, for a read whose answer was right.
     */
    private final WrittenStates writtenRoots;
    /** Blocks re-executed to answer reads at past blocks (and to catch up after a kill): see {@link #reExecutedBlocks()}. */
    private long reExecuted;
    /**
     * A block number meaning "the head when the node's lock is taken": what {@code latest},
     * {@code pending}, {@code safe} and {@code finalized} ask for. Resolved earlier, a block mined in
     * between turned the read into one at a past block, re-executed from the last written state.
     */
    public static final long LATEST = Long.MAX_VALUE;

    /** Where a mined transaction sits. */
    public record TxLocation(long blockNumber, int index) {}

    /** A transaction and, once mined, its block. */
    public record TxView(SignedTx tx, Block block, int index) {
        public boolean pending() {
            return block == null;
        }
    }

    /**
     * What {@code evm_revert} restores, as Hardhat's node does: the chain, the clock, the pool (with what waits behind a
     * nonce gap), the head's edits and the settings of the next blocks (coinbase, gas limit, next base fee, next
     * prevRandao; checked on Hardhat's node). Impersonations are not in it there either.
     */
    private record Snapshot(long blockNumber, long timeOffset, Long nextTimestamp, List<SignedTx> pending, List<SignedTx> gapped,
                            List<StateEdit.Applied> headEdits, String coinbase, long blockGasLimit, BigInteger nextBlockBaseFee,
                            byte[] nextPrevRandao) {}

    /**
     * The state edits ({@code hardhat_setBalance} and the like) by the number of the block whose
     * transactions ran after them; those under the head's number + 1 are the head's live state, not
     * yet in a block. Re-executing a block applies its edits first, as the chain file records them.
     */
    private final TreeMap<Long, List<StateEdit.Applied>> edits = new TreeMap<>();
    /** The gas limit of the blocks mined from now on ({@code evm_setBlockGasLimit}); a reopened chain goes on with its head's. */
    private long blockGasLimit;
    /** Who the blocks mined from now on pay their tips to ({@code hardhat_setCoinbase}); a reopened chain goes on with its head's. */
    private String coinbase = ZERO_ADDRESS;
    /** The next block's prevRandao ({@code hardhat_setPrevRandao}); null: {@link BlockSealer#prevRandao}'s. */
    private byte[] nextPrevRandao;
    /** Accounts whose transactions {@code eth_sendTransaction} sends without a key ({@code hardhat_impersonateAccount}). */
    private final java.util.Set<String> impersonated = new java.util.HashSet<>();

    /** The data directory's lock while this node runs (null in memory). */
    private DataDirLock dirLock;

    private DevnetNode(NodeConfig config, ChainState state, ChainStore store) {
        this.config = config;
        this.writtenRoots = config.dataDir() == null ? WrittenStates.inMemory() : WrittenStates.inDirectory(config.dataDir());
        this.sealer = new BlockSealer();
        this.blockGasLimit = config.blockGasLimit();
        this.state = state;
        this.store = store;
        this.pipelined = config.automine() && config.dataDir() == null && config.blockTxs() > 1;
        this.automine = config.automine();
    }

    /**
     * Starts a node on a fresh state, or reopens the chain in {@code config.dataDir()}. A data
     * directory belongs to the chain id it was created with: opening it with another is refused.
     */
    public static DevnetNode start(NodeConfig config) {
        DataDirLock dirLock = config.dataDir() == null ? null : DataDirLock.take(config.dataDir(), ProcessHandle.current().pid());
        try {
            DevnetNode node = open(config);
            node.dirLock = dirLock;
            return node;
        } catch (RuntimeException | Error e) {
            if (dirLock != null) dirLock.close();
            throw e;
        }
    }

    private static DevnetNode open(NodeConfig config) {
        if (config.dataDir() != null) DataDirIdentity.claim(config.dataDir(), config.chainId());
        ChainStore store = config.dataDir() == null ? ChainStore.inMemory() : ChainStore.inDirectory(config.dataDir());
        ChainStore.Loaded saved = store.load();
        ChainState state = EvmChainState.open(config.dataDir());
        DevnetNode node = new DevnetNode(config, state, store);
        node.writtenRoots.add(Numeric.toHexString(state.root())); // the root just opened is in the database
        node.repair = saved.repair();
        if (saved.blocks().isEmpty()) {
            node.genesis();
        } else {
            for (Block b : saved.blocks()) node.index(b);
            node.blockGasLimit = node.head.gasLimit();
            node.coinbase = node.head.miner();
            saved.edits().forEach((n, list) -> node.edits.put(n, new ArrayList<>(list)));
            long replayed = node.restoreHead();
            node.commitHead();
            if (replayed > 0) {
                // A kill left the state behind the chain file: the blocks were re-executed; keep the result.
                String note = "the state was " + replayed + " block(s) behind the chain (the devnet was stopped without closing); "
                        + "those blocks were re-executed from the chain file";
                node.repair = Optional.of(node.repair.map(r -> r + "; " + note).orElse(note));
            }
            // A chain whose latest block is ahead of the clock (it ran under `up`'s fast clock, or was moved with
            // evm_increaseTime) goes on from that block, as it would have had it kept running: with the offset
            // at zero its time stood still, each block one second after the last, until the wall clock caught up
            // (an hour of standing still after a few minutes of `up`), and evm_increaseTime(d) seemed to do nothing
            node.timeOffset = Math.max(0, node.head.timestamp() - config.clockSeconds().getAsLong());
        }
        if (node.pipelined) node.startMiner();
        return node;
    }

    /** What reopening the data directory had to cut off a torn chain file, if anything. */
    public Optional<String> repair() {
        return repair;
    }

    private void genesis() {
        // A state directory may hold roots of a chain whose file was lost or torn before genesis: start empty.
        state.resetTo(EMPTY_STATE_ROOT);
        for (Credentials c : config.accounts().keys()) state.setBalance(c.getAddress().toLowerCase(), config.accountBalance());
        byte[] root = writeState();
        Block genesis = sealer.seal(0, ZERO_HASH, config.clockSeconds().getAsLong(), 0, config.initialBaseFee(), root,
                List.of(), List.of(), new BlockSealer.Settings(blockGasLimit, coinbase, BlockSealer.prevRandao(0)));
        index(genesis);
        store.append(genesis);
    }

    public NodeConfig config() {
        return config;
    }

    public long chainId() {
        return config.chainId();
    }

    /** Lock-free: the head is published whole after each block, and the RPC layer asks for it on most requests. */
    public long blockNumber() {
        return settledHead().number();
    }

    /** The head, after waiting for the miner if transactions answered before this call still wait for their blocks. */
    private Block settledHead() {
        if (queued == 0) return head; // the miner publishes the head before it lowers the count
        lockSettled();
        try {
            return head;
        } finally {
            lock.unlock();
        }
    }

    /** The latest block, once every transaction answered so far is in a block. */
    public Block head() {
        return settledHead();
    }

    public Optional<Block> block(long number) {
        lockSettled();
        try {
            return number >= 0 && number < blocks.size() ? Optional.of(blocks.get((int) number)) : Optional.empty();
        } finally {
            lock.unlock();
        }
    }

    /**
     * The block the node would mine now, as the {@code pending} tag shows it (Hardhat's node and geth
     * keep one too): the head's child, stamped with the time a block mined now would get (the clock,
     * {@code evm_increaseTime} and {@code evm_setNextBlockTimestamp} included), with the transactions
     * still waiting for a block and nothing executed yet. Unsealed, so it has no hash. Clients read its
     * timestamp as "the chain's time now": with automine no block comes while nobody sends, and the
     * latest block's time stands still while the clock runs on.
     */
    public Block pendingBlock() {
        lockSettled();
        try {
            BlockEnv env = nextEnv();
            Block h = head;
            return new Block(env.number(), null, h.hash(), env.timestamp(), env.gasLimit(), 0, env.baseFee(), h.stateRoot(),
                    BlockSealer.EMPTY_TRIE, BlockSealer.EMPTY_TRIE, EMPTY_BLOOM, env.coinbase(), Hex.encode(env.prevRandao()),
                    pending, List.of());
        } finally {
            lock.unlock();
        }
    }

    public Optional<Block> blockByHash(String hash) {
        lockSettled();
        try {
            Long n = blockByHash.get(hash.toLowerCase());
            return n == null ? Optional.empty() : block(n);
        } finally {
            lock.unlock();
        }
    }

    public Optional<TxView> transaction(String hash) {
        lockSettled();
        try {
            String h = hash.toLowerCase();
            TxLocation loc = txByHash.get(h);
            if (loc != null) {
                Block b = blocks.get((int) loc.blockNumber());
                return Optional.of(new TxView(b.transactions().get(loc.index()), b, loc.index()));
            }
            return pending.stream().filter(t -> t.hash().equals(h)).findFirst().or(() -> gapped.byHash(h)).map(t -> new TxView(t, null, -1));
        } finally {
            lock.unlock();
        }
    }

    public Optional<Receipt> receipt(String hash) {
        lockSettled();
        try {
            TxLocation loc = txByHash.get(hash.toLowerCase());
            return loc == null ? Optional.empty() : Optional.of(blocks.get((int) loc.blockNumber()).receipts().get(loc.index()));
        } finally {
            lock.unlock();
        }
    }

    public List<SignedTx> pendingTransactions() {
        lockSettled();
        try {
            return List.copyOf(pending);
        } finally {
            lock.unlock();
        }
    }

    /** The transactions waiting behind a nonce gap (geth's "queued"), by sender and nonce: not mined until the gap closes. */
    public List<SignedTx> gappedTransactions() {
        lockSettled();
        try {
            return gapped.all();
        } finally {
            lock.unlock();
        }
    }

    // ---- account reads at a block ----

    public BigInteger balance(String address, long block) {
        lockSettled();
        try {
            return read(block, s -> s.balance(address.toLowerCase()));
        } finally {
            lock.unlock();
        }
    }

    public BigInteger nonce(String address, long block) {
        lockSettled();
        try {
            return read(block, s -> s.nonce(address.toLowerCase()));
        } finally {
            lock.unlock();
        }
    }

    /** The next nonce counting transactions waiting in the pool. */
    public BigInteger pendingNonce(String address) {
        lockSettled();
        try {
            return pendingNonce(address.toLowerCase(), state.nonce(address.toLowerCase()));
        } finally {
            lock.unlock();
        }
    }

    public byte[] code(String address, long block) {
        lockSettled();
        try {
            return read(block, s -> s.code(address.toLowerCase()));
        } finally {
            lock.unlock();
        }
    }

    public byte[] storage(String address, byte[] slot, long block) {
        lockSettled();
        try {
            return read(block, s -> s.storage(address.toLowerCase(), slot));
        } finally {
            lock.unlock();
        }
    }

    /**
     * An EIP-1186 proof of the account against the state root of {@code block}'s header. State edits
     * made since the head was mined are in no header yet, so a proof at the head proves the state
     * without them (it is checked against the header's root); they show once a block is mined.
     */
    public JsonNode proof(String address, List<byte[]> slots, long block) {
        lockSettled();
        try {
            // libevm proves the account in the state it holds open, whatever root it is given, so the
            // live state must be the block's, written to the database (a proof reads its trie nodes).
            // It used to be reset to the head first: a proof at a past block answered the head's account.
            commitHead();
            long at = Math.min(block, head.number());
            byte[] root = Numeric.hexStringToByteArray(blocks.get((int) at).stateRoot());
            if (at == head.number() && headEdits().isEmpty()) return state.proof(address.toLowerCase(), slots, root);
            try {
                if (restore(at) > 0) writeState();
                return state.proof(address.toLowerCase(), slots, root);
            } finally {
                discardChanges();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Runs {@code f} on the state at {@code block}, then returns to the head. As on Hardhat's node,
     * the state at a block includes the edits made while it was the head: a read answers the same
     * before and after the next block is mined.
     */
    private <T> T read(long block, Function<ChainState, T> f) {
        if (block >= head.number()) return f.apply(state);
        commitHead();
        restore(block);
        for (StateEdit.Applied e : edits.getOrDefault(block + 1, List.of())) e.edit().apply(state);
        try {
            return f.apply(state);
        } finally {
            discardChanges();
        }
    }

    /**
     * Makes the live state the state after {@code block}: its committed root if the database has
     * it, else the nearest earlier committed block's with the blocks after it re-executed (each
     * checked against its recorded root). Returns how many blocks were re-executed.
     */
    private long restore(long block) {
        long from = block;
        while (from > 0 && !writtenRoots.contains(blocks.get((int) from).stateRoot())) from--;
        if (from == 0 && !writtenRoots.contains(blocks.get(0).stateRoot()) || !opens(blocks.get((int) from).stateRoot())) {
            from = probeWritten(block);
        }
        for (long n = from + 1; n <= block; n++) replay(blocks.get((int) n));
        reExecuted += block - from;
        return block - from;
    }

    /**
     * The latest block at or before {@code block} whose state the database holds, found by opening
     * each root in turn. Only for a data directory whose written states this process does not know:
     * one reopened after its chain file lost the block of the state written last (a torn last line).
     * libevm logs an ERROR line for each root it cannot open; the WARN before them says why.
     */
    private long probeWritten(long block) {
        LOG.warn("event=state_search from_block={} note=\"looking for the latest written state before this block; "
                + "libevm logs 'failed to open state' for each block without one\"", block);
        long from = block;
        while (!opens(blocks.get((int) from).stateRoot())) {
            if (from == 0) {
                throw new IllegalStateException("the state database holds no state of this chain (not even genesis); "
                        + "delete the data directory to start a fresh chain");
            }
            from--;
        }
        writtenRoots.add(blocks.get((int) from).stateRoot());
        return from;
    }

    /** Writes the live state to the state database; returns its root, now known to be there. */
    private byte[] writeState() {
        byte[] root = state.commit();
        writtenRoots.add(Numeric.toHexString(root));
        return root;
    }

    /**
     * How many blocks this node re-executed to answer reads at past blocks, to trace a transaction or
     * to catch up with its chain file after a kill. A read at a block whose state was not written
     * costs up to {@link #COMMIT_EVERY_BLOCKS} blocks of re-execution; a read at the head costs none.
     */
    public long reExecutedBlocks() {
        lock.lock();
        try {
            return reExecuted;
        } finally {
            lock.unlock();
        }
    }

    private boolean opens(String root) {
        try {
            state.resetTo(Numeric.hexStringToByteArray(root));
            return true;
        } catch (IllegalArgumentException notCommitted) {
            return false;
        }
    }

    /**
     * Makes the live state the head's: its block's state and the edits made since it was mined.
     * Returns how many blocks were re-executed; leaves {@link #headUncommitted} saying whether the
     * database lacks the result.
     */
    private long restoreHead() {
        List<StateEdit.Applied> since = headEdits();
        if (!since.isEmpty() && writtenRoots.contains(liveRoot()) && opens(liveRoot())) {
            headUncommitted = false;
            return 0;
        }
        long replayed = restore(head.number());
        applyEdits(since, "made after block " + head.number());
        headUncommitted = replayed > 0 || !since.isEmpty();
        return replayed;
    }

    /** The edits made since the head was mined, in order. */
    private List<StateEdit.Applied> headEdits() {
        return edits.getOrDefault(head.number() + 1, List.of());
    }

    /** The root of the head's live state: the head block's, or the one its latest edit left. */
    private String liveRoot() {
        List<StateEdit.Applied> since = headEdits();
        return since.isEmpty() ? head.stateRoot() : since.get(since.size() - 1).root();
    }

    /** Applies recorded edits to the live state and checks the root the last one recorded. */
    private void applyEdits(List<StateEdit.Applied> list, String where) {
        if (list.isEmpty()) return;
        for (StateEdit.Applied e : list) e.edit().apply(state);
        String root = Numeric.toHexString(state.root());
        String recorded = list.get(list.size() - 1).root();
        if (!root.equalsIgnoreCase(recorded)) {
            throw new IllegalStateException("re-applying the state edits " + where + " gave state root " + root + ", the chain records "
                    + recorded + "; the data directory is inconsistent: delete it to start a fresh chain");
        }
    }

    /** Re-executes {@code b}'s edits and transactions on the live state (at its parent) and checks the root they give. */
    private void replay(Block b) {
        BlockEnv env = envOf(b);
        List<StateEdit.Applied> before = edits.getOrDefault(b.number(), List.of());
        for (StateEdit.Applied e : before) e.edit().apply(state);
        for (SignedTx tx : b.transactions()) state.transact(messageOf(tx, b.baseFeePerGas()), env);
        String root = Numeric.toHexString(state.root());
        if (!root.equalsIgnoreCase(b.stateRoot())) {
            throw new IllegalStateException("re-executing block " + b.number() + " gave state root " + root + ", the chain records "
                    + b.stateRoot() + "; the data directory is inconsistent: delete it to start a fresh chain");
        }
    }

    /** Writes the live state (at the head) to the state database if it is ahead of it. */
    private void commitHead() {
        if (!headUncommitted) return;
        writeState();
        headUncommitted = false;
        blocksSinceCommit = 0;
    }

    // ---- fees ----

    public BigInteger nextBaseFee() {
        lockSettled();
        try {
            return baseFeeOfNextBlock();
        } finally {
            lock.unlock();
        }
    }

    /** Like Hardhat: one gwei of tip on top of the next base fee. */
    public BigInteger maxPriorityFeePerGas() {
        return NodeConfig.ONE_GWEI;
    }

    public BigInteger gasPrice() {
        lockSettled();
        try {
            return nextBaseFee().add(maxPriorityFeePerGas());
        } finally {
            lock.unlock();
        }
    }

    // ---- transactions ----

    /** Validates, pools and (on automine) mines a signed transaction; returns its hash. */
    public Outcome<String> sendRawTransaction(byte[] raw) {
        SignedTx tx;
        // Decoding and sender recovery read nothing of the chain: done before taking the lock.
        switch (SignedTx.decode(raw)) {
            case SignedTx.Invalid bad -> { return Outcome.refused(NodeError.rejected(bad.reason())); }
            case SignedTx.Ok ok -> tx = ok.tx();
        }
        return submit(tx);
    }

    /**
     * As {@link #sendRawTransaction}, for a transaction of an impersonated account
     * ({@link SignedTx#impersonated}): refused unless {@code hardhat_impersonateAccount} named its sender.
     */
    public Outcome<String> sendImpersonated(SignedTx tx) {
        lock.lock();
        try {
            if (!impersonated.contains(tx.from())) {
                return Outcome.refused(NodeError.rejected("account " + tx.from() + " is not impersonated: call "
                        + "hardhat_impersonateAccount with it first, or sign the transaction and use eth_sendRawTransaction"));
            }
        } finally {
            lock.unlock();
        }
        return submit(tx);
    }

    private Outcome<String> submit(SignedTx tx) {
        lock.lock();
        try {
            if (pipelined) return queue(tx);
            NodeError error = admissionError(tx);
            if (error != null) return Outcome.refused(error);
            if (!automine) {
                BigInteger next = pendingNonce(tx.from(), senders.nonce(tx.from(), state::nonce));
                if (tx.nonce().compareTo(next) > 0) {
                    NodeError full = gapped.park(tx, next);
                    if (full != null) return Outcome.refused(full);
                    LOG.debug("event=tx_behind_nonce_gap hash={} from={} nonce={} next={}", tx.hash(), tx.from(), tx.nonce(), next);
                    return Outcome.done(tx.hash());
                }
            }
            int replaces = pooledIndex(tx.from(), tx.nonce());
            SignedTx replaced = replaces < 0 ? null : pending.set(replaces, tx);
            if (replaces < 0) pending.add(tx);
            if (replaced != null) LOG.debug("event=tx_replaced old={} new={} nonce={}", replaced.hash(), tx.hash(), tx.nonce());
            if (automine) {
                Block mined = mineBlock(nextTimestampFor(head), true);
                if (mined == null) {
                    if (replaced != null) pending.set(replaces, replaced);
                    else pending.remove(tx);
                    return Outcome.refused(NodeError.rejected("transaction rejected by the EVM's transaction rules: " + lastDropReason));
                }
            }
            pooled(tx);
            if (gapped.holds(tx.from())) promote(tx.from());
            return Outcome.done(tx.hash());
        } finally {
            lock.unlock();
        }
    }

    /** Moves into the pool, in nonce order, what waited behind {@code from}'s nonce gap once the gap is closed. */
    private void promote(String from) {
        BigInteger next = pendingNonce(from, senders.nonce(from, state::nonce));
        for (SignedTx t : gapped.takeFrom(from, next)) {
            pending.add(t);
            pooled(t);
        }
    }

    /**
     * Pipelined automine: admits {@code tx} behind the transactions still waiting for the miner and
     * answers at once. What is answered is sure to be mined: a transaction is queued only when it
     * passes every admission rule against the head plus the queue ahead of it (nonces counted
     * through the queue, the sender's funds net of its own queued costs, a base fee the queue
     * cannot raise). When that cannot be told without the queue mined (or the transaction is
     * refused), the caller waits for the miner and is judged against the head exactly as without
     * pipelining, so every refusal reads as it did.
     */
    private Outcome<String> queue(SignedTx tx) {
        while (pending.size() >= MAX_QUEUED) room.awaitUninterruptibly();
        NodeError error = pending.isEmpty() ? admissionError(tx) : aheadError(tx);
        if (error != null && !pending.isEmpty()) {
            awaitSettled();
            error = admissionError(tx);
        }
        if (error != null) return Outcome.refused(error);
        pending.add(tx);
        queued = pending.size();
        work.signal();
        pooled(tx);
        return Outcome.done(tx.hash());
    }

    /** Admission behind a non-empty queue: an error, {@link #UNSURE} when the queue must be mined first, or null. */
    private NodeError aheadError(SignedTx tx) {
        long target = blockGasLimit / 2;
        // A block over the gas target raises the base fee; below it the fee can only fall, so the head's next fee bounds it.
        for (SignedTx t : pending) if (t.gasLimit().longValueExact() > target) return UNSURE;
        NodeError error = ruleError(tx);
        if (error != null) return error;
        BigInteger cost = tx.gasLimit().multiply(tx.maxFeePerGas()).add(tx.value());
        BigInteger ahead = BigInteger.ZERO;
        for (SignedTx t : pending) {
            if (t.from().equals(tx.from())) ahead = ahead.add(t.gasLimit().multiply(t.maxFeePerGas()).add(t.value()));
        }
        if (senders.surelyHolds(tx.from(), cost.add(ahead))) return null;
        if (ahead.signum() == 0) {
            // None of its own transactions ahead: others' can only add to an account without code.
            BigInteger have = state.balance(tx.from());
            senders.sawBalance(tx.from(), have);
            if (have.compareTo(cost) >= 0) return null;
        }
        return UNSURE;
    }

    /** Not an error sent to anyone: "judge this transaction once the queue is mined". */
    private static final NodeError UNSURE = NodeError.rejected("judged after the queue");

    /** Waits (releasing the lock meanwhile) until every queued transaction is in a block; the caller holds the lock. */
    private void awaitSettled() {
        if (Thread.currentThread() == miner) return;
        while (queued > 0) settled.awaitUninterruptibly();
    }

    /** Takes the node's lock once every transaction answered so far is mined. */
    private void lockSettled() {
        lock.lock();
        awaitSettled();
    }

    /**
     * The miner of pipelined automine: mines the queue in arrival order, up to
     * {@link NodeConfig#blockTxs()} transactions per block, and wakes whoever waits for it.
     * It lets go of the lock between blocks so that senders and readers get their turn.
     */
    private void mineQueue() {
        lock.lock();
        try {
            while (true) {
                while (pending.isEmpty() && !closing) work.awaitUninterruptibly();
                if (pending.isEmpty()) return;
                try {
                    mineBlock(nextTimestampFor(head), true);
                } catch (RuntimeException e) {
                    // Nothing answered may be lost silently: say which transaction could not be mined, then go on.
                    SignedTx dropped = pending.remove(0);
                    LOG.error("event=tx_dropped hash={} from={} nonce={} reason=\"{}\"", dropped.hash(), dropped.from(), dropped.nonce(),
                            e.toString());
                    if (headUncommitted) {
                        LOG.error("event=miner_state_unknown block={} note=\"the live state may hold part of the failed block\"", head.number());
                    } else {
                        discardChanges();
                    }
                }
                queued = pending.size();
                room.signalAll();
                if (queued == 0) settled.signalAll();
                if (lock.hasQueuedThreads()) {
                    lock.unlock();
                    Thread.yield();
                    lock.lock();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private void startMiner() {
        miner = Thread.ofPlatform().name("devnet-miner").daemon(true).unstarted(this::mineQueue);
        miner.start();
    }

    private BigInteger pendingNonce(String a, BigInteger stateNonce) {
        BigInteger n = stateNonce;
        for (SignedTx t : pending) if (t.from().equals(a)) n = n.max(t.nonce().add(BigInteger.ONE));
        return n;
    }

    private NodeError admissionError(SignedTx tx) {
        NodeError error = ruleError(tx);
        if (error != null) return error;
        BigInteger cost = tx.gasLimit().multiply(tx.maxFeePerGas()).add(tx.value());
        if (senders.surelyHolds(tx.from(), cost)) return null;
        BigInteger have = state.balance(tx.from());
        senders.sawBalance(tx.from(), have);
        if (have.compareTo(cost) < 0) {
            return NodeError.rejected("insufficient funds for gas * price + value: address " + tx.from()
                    + " have " + have + " want " + cost);
        }
        return null;
    }

    /** Every admission rule but the sender's funds. */
    private NodeError ruleError(SignedTx tx) {
        if (tx.chainId() != null && tx.chainId() != config.chainId()) {
            return NodeError.rejected("invalid chain id for signer: have " + tx.chainId() + " want " + config.chainId()
                    + "; sign for chain " + config.chainId());
        }
        if (pending.stream().anyMatch(t -> t.hash().equals(tx.hash())) || (!gapped.isEmpty() && gapped.byHash(tx.hash()).isPresent())) {
            return NodeError.rejected("already known: transaction " + tx.hash() + " is waiting to be mined");
        }
        // Without automine a transaction ahead of its sender's next nonce waits behind the gap, as on geth and Hardhat's node;
        // with it, it is refused (Hardhat's node refuses it too: nothing would ever mine it on its own)
        boolean gapsWait = !automine && !pipelined;
        int pooled = pipelined ? -1 : pooledIndex(tx.from(), tx.nonce());
        SignedTx waiting = pooled >= 0 ? pending.get(pooled) : gapsWait ? gapped.at(tx.from(), tx.nonce()).orElse(null) : null;
        NodeError replacement = waiting == null ? null : replacementError(waiting, tx);
        if (replacement != null) return replacement;
        BigInteger expected = pendingNonce(tx.from(), senders.nonce(tx.from(), state::nonce));
        int cmp = waiting != null ? 0 : tx.nonce().compareTo(expected);
        if (cmp < 0) {
            return NodeError.rejected("nonce too low: address " + tx.from() + ", tx: " + tx.nonce() + " state: " + expected);
        }
        if (cmp > 0 && !gapsWait) {
            return NodeError.rejected("nonce too high: address " + tx.from() + ", tx: " + tx.nonce() + " state: " + expected
                    + "; with automine on nothing waits behind a nonce gap (as on Hardhat's node): send in nonce order, or switch"
                    + " automine off (evm_setAutomine) to have it wait until nonce " + expected + " arrives");
        }
        if (tx.gasLimit().compareTo(BigInteger.valueOf(blockGasLimit)) > 0) {
            return NodeError.rejected("exceeds block gas limit: tx gas " + tx.gasLimit() + ", block gas limit " + blockGasLimit);
        }
        if (tx.isCreate() && tx.data().length > GasRules.MAX_INITCODE_SIZE) {
            return NodeError.rejected("max initcode size exceeded: code size " + tx.data().length + " limit " + GasRules.MAX_INITCODE_SIZE);
        }
        long intrinsic = GasRules.intrinsicGas(tx.data(), tx.isCreate(), tx.accessListAddresses(), tx.accessListKeys());
        if (tx.gasLimit().compareTo(BigInteger.valueOf(intrinsic)) < 0) {
            return NodeError.rejected("intrinsic gas too low: have " + tx.gasLimit() + ", want " + intrinsic);
        }
        if (tx.maxPriorityFeePerGas().compareTo(tx.maxFeePerGas()) > 0) {
            return NodeError.rejected("max priority fee per gas higher than max fee per gas: address " + tx.from()
                    + ", maxPriorityFeePerGas: " + tx.maxPriorityFeePerGas() + ", maxFeePerGas: " + tx.maxFeePerGas());
        }
        BigInteger baseFee = baseFeeOfNextBlock();
        // Without automine a transaction below the base fee waits in the pool for the fee to fall, as on geth and Hardhat.
        if (automine && tx.maxFeePerGas().compareTo(baseFee) < 0) {
            return NodeError.rejected("max fee per gas less than block base fee: address " + tx.from()
                    + ", maxFeePerGas: " + tx.maxFeePerGas() + ", baseFee: " + baseFee + " (transaction underpriced)");
        }
        return null;
    }

    /** The position in the pool of {@code from}'s transaction with {@code nonce}, or -1. */
    private int pooledIndex(String from, BigInteger nonce) {
        for (int i = 0; i < pending.size(); i++) {
            SignedTx t = pending.get(i);
            if (t.from().equals(from) && t.nonce().equals(nonce)) return i;
        }
        return -1;
    }

    /** Why {@code tx} may not replace the pooled {@code old} (same sender and nonce), or null. */
    private static NodeError replacementError(SignedTx old, SignedTx tx) {
        BigInteger minFee = raised(old.maxFeePerGas());
        BigInteger minTip = raised(old.maxPriorityFeePerGas());
        if (tx.maxFeePerGas().compareTo(minFee) >= 0 && tx.maxPriorityFeePerGas().compareTo(minTip) >= 0) return null;
        return NodeError.rejected("replacement transaction underpriced: transaction " + old.hash() + " with nonce " + old.nonce()
                + " is waiting to be mined; to replace it send maxFeePerGas at least " + minFee + " and maxPriorityFeePerGas at least "
                + minTip + " (" + REPLACEMENT_BUMP_PERCENT + "% above its " + old.maxFeePerGas() + " and " + old.maxPriorityFeePerGas() + ")");
    }

    private static BigInteger raised(BigInteger fee) {
        BigInteger hundred = BigInteger.valueOf(100);
        // rounded up, so that a raise of exactly the percentage is always enough
        return fee.multiply(BigInteger.valueOf(100 + REPLACEMENT_BUMP_PERCENT)).add(hundred.subtract(BigInteger.ONE)).divide(hundred);
    }

    // ---- calls ----

    public Outcome<byte[]> call(CallRequest req, long block) {
        return call(req, block, List.of());
    }

    /** {@code eth_call} with state overrides: {@code overrides} are applied, in order, for this call alone. */
    public Outcome<byte[]> call(CallRequest req, long block, List<StateEdit> overrides) {
        lockSettled();
        try {
            Execution ex = simulate(req, block, req.gas() == null ? blockGasLimit : req.gas(), overrides);
            if (!ex.success()) return Outcome.refused(revertError(ex));
            return Outcome.done(ex.returnData());
        } catch (UnappliableOverride e) {
            return Outcome.refused(NodeError.invalidParams(e.getMessage()));
        } finally {
            lock.unlock();
        }
    }

    /**
     * A gas limit with which the call succeeds: the gas it used when that is enough (a transfer:
     * exactly 21,000), else at most {@link #ESTIMATE_SLACK} above the smallest such limit, found by
     * bisection as geth does. Each probe is a whole execution, so an exact search cost about twenty
     * of them (a 100 KB batch post spent most of its time on L1 in its estimate); geth's estimate
     * stops at 1.5 % too, and wallets add 20-25 % on top of any estimate.
     */
    public Outcome<Long> estimateGas(CallRequest req, long block) {
        return estimateGas(req, block, List.of());
    }

    /** {@code eth_estimateGas} with state overrides, applied for each trial run alone. */
    public Outcome<Long> estimateGas(CallRequest req, long block, List<StateEdit> overrides) {
        lockSettled();
        try {
            long cap = req.gas() == null ? blockGasLimit : req.gas();
            if (block < head.number()) writePastState(block);
            Execution first = simulate(req, block, cap, overrides);
            if (!first.success()) {
                if (!first.invalid() && first.returnData().length == 0 && first.error() != null && !first.error().contains("revert")) {
                    return Outcome.refused(NodeError.rejected("gas required exceeds allowance (" + cap + "): " + first.error()));
                }
                return Outcome.refused(revertError(first));
            }
            // what it used is enough unless refunds or the 63/64 rule of its sub-calls needed more
            if (first.gasUsed() < cap && simulate(req, block, first.gasUsed(), overrides).success()) return Outcome.done(first.gasUsed());
            long lo = first.gasUsed();
            long hi = cap;
            // Refunds and the 63/64 rule make gasUsed an underestimate; this guess is usually enough.
            long optimistic = Math.min(cap, (first.gasUsed() + 2300) * 64 / 63);
            if (simulate(req, block, optimistic, overrides).success()) hi = optimistic; else lo = optimistic;
            while (lo + 1 < hi && (hi - lo) > hi * ESTIMATE_SLACK) {
                long mid = lo + (hi - lo) / 2;
                if (simulate(req, block, mid, overrides).success()) hi = mid; else lo = mid;
            }
            return Outcome.done(hi);
        } catch (UnappliableOverride e) {
            return Outcome.refused(NodeError.invalidParams(e.getMessage()));
        } finally {
            lock.unlock();
        }
    }

    /**
     * Writes the state after past block {@code block} to the database (re-executing the blocks after
     * the nearest written state), then returns to the head: the estimate's binary search runs about
     * twenty calls at that block, and each would otherwise re-execute those blocks again.
     */
    private void writePastState(long block) {
        commitHead();
        try {
            if (restore(block) > 0) writeState();
        } finally {
            discardChanges();
        }
    }

    /** Runs a call against the state after {@code block} and throws the changes away. */
    private Execution simulate(CallRequest req, long block, long gasLimit, List<StateEdit> overrides) {
        Message m = messageOf(req, gasLimit);
        if (block >= head.number()) {
            if (overrides.isEmpty()) return callOrCreate(m, nextEnv());
            // the overrides are edits of the live state: written first, so that the state can be reset to it after the call
            commitHead();
            try {
                applyOverrides(state, overrides);
                return callOrCreate(m, nextEnv());
            } finally {
                discardChanges();
            }
        }
        Block b = blocks.get((int) block);
        return read(block, s -> {
            applyOverrides(s, overrides);
            return callOrCreate(m, envOf(b.number() + 1, b.timestamp() + 1, nextBaseFeeAfter(b)));
        });
    }

    /**
     * Like geth, a simulated creation returns the code it would deploy (tools use this to check
     * deployments); the evm module's call returns nothing for creations, so run it for real and reset.
     */
    private Execution callOrCreate(Message m, BlockEnv env) {
        if (m.to() != null) return state.call(m, env);
        commitHead();
        try {
            Execution ex = state.transact(m, env);
            if (!ex.success() || ex.createdAddress() == null) return ex;
            return new Execution(true, state.code(ex.createdAddress()), ex.gasUsed(), ex.logs(), ex.createdAddress(), null, false);
        } finally {
            discardChanges();
        }
    }

    private static Message messageOf(CallRequest req, long gasLimit) {
        return new Message(req.from() == null ? ZERO_ADDRESS : req.from().toLowerCase(),
                req.to() == null ? null : req.to().toLowerCase(), req.value() == null ? BigInteger.ZERO : req.value(),
                req.data() == null ? new byte[0] : req.data(), gasLimit,
                req.gasPrice() == null ? BigInteger.ZERO : req.gasPrice(), null);
    }

    /** The EIP-1559 base fee of the block after {@code b}. */
    /** The intrinsic gas an EIP-2930 access list of {@code addresses} addresses and {@code keys} storage keys adds. */
    public static long accessListGas(int addresses, int keys) {
        return addresses * GasRules.ACCESS_LIST_ADDRESS_GAS + keys * GasRules.ACCESS_LIST_KEY_GAS;
    }

    public static BigInteger baseFeeAfter(Block b) {
        return nextBaseFeeAfter(b);
    }

    /** Between operations the live state always equals the head's committed root, so a reset undoes a simulation. */
    private void discardChanges() {
        if (headUncommitted) {
            throw new IllegalStateException("bug: the head's state is not written, so changes cannot be discarded by a reset; "
                    + "call commitHead() before changing the state");
        }
        state.resetTo(Numeric.hexStringToByteArray(liveRoot()));
    }

    /** The next block's base fee: the one set for it, else the EIP-1559 rule's. Caller holds the lock. */
    private BigInteger baseFeeOfNextBlock() {
        return nextBlockBaseFee != null ? nextBlockBaseFee : nextBaseFeeAfter(head);
    }

    private static BigInteger nextBaseFeeAfter(Block b) {
        return GasRules.nextBaseFee(b.baseFeePerGas(), b.gasUsed(), b.gasLimit());
    }

    static NodeError revertError(Execution ex) {
        String data = Numeric.toHexString(ex.returnData());
        String reason = RevertReason.describe(ex.returnData());
        if (ex.invalid() || (reason == null && ex.returnData().length == 0 && ex.error() != null && !ex.error().contains("revert"))) {
            return new NodeError(NodeError.TX_REJECTED, ex.error(), null);
        }
        return new NodeError(NodeError.EXECUTION_REVERTED,
                reason == null ? "execution reverted" : "execution reverted: " + reason, data);
    }

    // ---- traces ----

    public Outcome<JsonNode> traceTransaction(String hash, String tracer, JsonNode tracerConfig) {
        String unsupported = EvmChainState.unsupportedTracer(tracer);
        if (unsupported != null) return Outcome.refused(NodeError.invalidParams(unsupported));
        lockSettled();
        try {
            TxLocation loc = txByHash.get(hash.toLowerCase());
            if (loc == null) return Outcome.refused(NodeError.rejected("transaction " + hash + " not found; is it mined?"));
            Block b = blocks.get((int) loc.blockNumber());
            Block parent = blocks.get((int) b.number() - 1);
            BlockEnv env = envOf(b);
            return Outcome.done(read(parent.number(), s -> {
                for (int i = 0; i < loc.index(); i++) s.transact(messageOf(b.transactions().get(i), b.baseFeePerGas()), env);
                return s.trace(messageOf(b.transactions().get(loc.index()), b.baseFeePerGas()), env, tracer, tracerConfig);
            }));
        } finally {
            lock.unlock();
        }
    }

    public Outcome<JsonNode> traceCall(CallRequest req, long block, String tracer, JsonNode tracerConfig) {
        String unsupported = EvmChainState.unsupportedTracer(tracer);
        if (unsupported != null) return Outcome.refused(NodeError.invalidParams(unsupported));
        lockSettled();
        try {
            Message m = messageOf(req, req.gas() == null ? blockGasLimit : req.gas());
            if (block >= head.number()) return Outcome.done(state.trace(m, nextEnv(), tracer, tracerConfig));
            Block b = blocks.get((int) block);
            return Outcome.done(read(block, s -> s.trace(m, envOf(b.number() + 1, b.timestamp() + 1, nextBaseFeeAfter(b)),
                    tracer, tracerConfig)));
        } catch (IllegalArgumentException e) {
            // The message was refused before the EVM ran (nonce, funds, gas): there is nothing to trace.
            return Outcome.refused(NodeError.rejected("nothing to trace: " + e.getMessage()));
        } finally {
            lock.unlock();
        }
    }

    // ---- logs ----

    /** Logs of blocks {@code from..to} matching the address set (empty: any) and topic positions (null or empty: any). */
    public List<LogEntry> logs(long from, long to, List<String> addresses, List<List<String>> topics) {
        lockSettled();
        try {
            List<LogEntry> out = new ArrayList<>();
            long last = Math.min(to, head.number());
            for (long n = Math.max(0, from); n <= last; n++) {
                for (Receipt r : blocks.get((int) n).receipts()) {
                    for (LogEntry log : r.logs()) if (matches(log, addresses, topics)) out.add(log);
                }
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    static boolean matches(LogEntry log, List<String> addresses, List<List<String>> topics) {
        if (!addresses.isEmpty() && addresses.stream().noneMatch(a -> a.equalsIgnoreCase(log.address()))) return false;
        for (int i = 0; i < topics.size(); i++) {
            List<String> wanted = topics.get(i);
            if (wanted == null || wanted.isEmpty()) continue;
            if (i >= log.topics().size()) return false;
            String actual = log.topics().get(i);
            if (wanted.stream().noneMatch(w -> w.equalsIgnoreCase(actual))) return false;
        }
        return true;
    }

    // ---- time and mining ----

    /** Moves the clock forward by {@code seconds}; returns the total offset, like Hardhat. */
    public long increaseTime(long seconds) {
        lockSettled();
        try {
            if (seconds < 0) throw new IllegalArgumentException("cannot increase time by a negative amount: " + seconds);
            timeOffset += seconds;
            return timeOffset;
        } finally {
            lock.unlock();
        }
    }

    public Outcome<Long> setNextBlockTimestamp(long timestamp) {
        lockSettled();
        try {
            if (timestamp <= head.timestamp()) {
                return Outcome.refused(NodeError.invalidParams("timestamp " + timestamp + " is not after the latest block's "
                        + head.timestamp() + "; pick a later one"));
            }
            nextTimestamp = timestamp;
            return Outcome.done(timestamp);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Turns automine on or off ({@code evm_setAutomine}). Off, sent transactions wait in the pool
     * for {@code evm_mine} or the block interval; transactions pooled when it is turned back on are
     * mined with the next one sent. Pipelined automine ({@code --block-txs} above 1) answers before
     * mining, so it cannot be turned off.
     */
    public Outcome<Boolean> setAutomine(boolean on) {
        lockSettled();
        try {
            if (pipelined && !on) {
                return Outcome.refused(NodeError.invalidParams("this devnet mines up to " + config.blockTxs() + " waiting transactions"
                        + " per block (--block-txs), which needs automine; start it without --block-txs to switch automine off"));
            }
            automine = on;
            return Outcome.done(on);
        } finally {
            lock.unlock();
        }
    }

    public boolean automine() {
        lockSettled();
        try {
            return automine;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Removes a waiting transaction from the pool ({@code hardhat_dropTransaction}), as a node that
     * evicts it would: true if it waited, false if the pool does not hold it, refused if it is
     * mined. The sender's later pooled transactions wait behind the gap it leaves until it is
     * filled (as on Hardhat's node, checked against it), and the sender's pending nonce falls back
     * to the dropped one's, so resending it, or another under its nonce, is accepted.
     */
    public Outcome<Boolean> dropTransaction(String hash) {
        lockSettled();
        try {
            String h = hash.toLowerCase();
            if (txByHash.containsKey(h)) {
                return Outcome.refused(NodeError.invalidParams("transaction " + h + " cannot be dropped: it is mined in block "
                        + txByHash.get(h).blockNumber() + "; only a transaction waiting in the pool can be dropped"));
            }
            SignedTx dropped = pending.stream().filter(t -> t.hash().equals(h)).findFirst().orElse(null);
            if (dropped == null) return Outcome.done(gapped.remove(h)); // one behind a gap goes alone
            List<SignedTx> later = pending.stream()
                    .filter(t -> t.from().equals(dropped.from()) && t.nonce().compareTo(dropped.nonce()) > 0).toList();
            pending.removeIf(t -> t.from().equals(dropped.from()) && t.nonce().compareTo(dropped.nonce()) >= 0);
            parkBehindGap(later, dropped.nonce());
            LOG.debug("event=tx_dropped hash={} from={} nonce={}", h, dropped.from(), dropped.nonce());
            return Outcome.done(true);
        } finally {
            lock.unlock();
        }
    }

    // ---- state edits and impersonation (hardhat_set*, hardhat_impersonateAccount) ----

    private static final BigInteger TWO_256 = BigInteger.ONE.shiftLeft(256);

    /** Sets an account's balance in the head's state ({@code hardhat_setBalance}); a block is not mined. */
    public Outcome<Boolean> setBalance(String address, BigInteger wei) {
        if (wei.signum() < 0 || wei.compareTo(TWO_256) >= 0) {
            return Outcome.refused(NodeError.invalidParams("a balance is 0 to 2^256-1 wei, got " + wei));
        }
        return edit(new StateEdit.Balance(address.toLowerCase(), wei));
    }

    /**
     * Sets an account's nonce ({@code hardhat_setNonce}). As on Hardhat's node it can only rise, and
     * not while the account has transactions waiting in the pool (their nonces would be stranded).
     */
    public Outcome<Boolean> setNonce(String address, BigInteger nonce) {
        String a = address.toLowerCase();
        lockSettled();
        try {
            if (nonce.bitLength() > 63) return Outcome.refused(NodeError.invalidParams("a nonce is at most 2^63-1 here, got " + nonce));
            BigInteger current = state.nonce(a);
            if (nonce.compareTo(current) < 0) {
                return Outcome.refused(NodeError.invalidParams("the nonce of " + a + " is " + current + " and cannot be lowered to " + nonce
                        + "; use evm_snapshot/evm_revert to go back"));
            }
            if (pending.stream().anyMatch(t -> t.from().equals(a)) || gapped.holds(a)) {
                return Outcome.refused(NodeError.invalidParams("account " + a + " has transactions waiting in the pool; mine or drop them "
                        + "(evm_mine, hardhat_dropTransaction) before setting its nonce"));
            }
            return edit(new StateEdit.Nonce(a, nonce));
        } finally {
            lock.unlock();
        }
    }

    /** Replaces an account's code ({@code hardhat_setCode}); empty code makes it an account without code. */
    public Outcome<Boolean> setCode(String address, byte[] code) {
        return edit(new StateEdit.Code(address.toLowerCase(), Numeric.toHexString(code)));
    }

    /** Writes one 32-byte storage word ({@code hardhat_setStorageAt}); {@code slot} and {@code value} are 32 bytes. */
    public Outcome<Boolean> setStorage(String address, byte[] slot, byte[] value) {
        if (slot.length != 32 || value.length != 32) {
            return Outcome.refused(NodeError.invalidParams("a storage slot and its value are 32 bytes each, got " + slot.length
                    + " and " + value.length));
        }
        String a = address.toLowerCase();
        lockSettled();
        try {
            if (isEmpty(state, a)) return Outcome.refused(NodeError.invalidParams(emptyAccountStorage(a, "hardhat_setBalance or hardhat_setCode")));
            return edit(new StateEdit.Storage(a, Numeric.toHexString(slot), Numeric.toHexString(value)));
        } finally {
            lock.unlock();
        }
    }

    /** No code, no balance, nonce 0: an account go-ethereum's state holds no storage for (EIP-161 clears it at the next root). */
    private static boolean isEmpty(ChainState s, String address) {
        return s.nonce(address).signum() == 0 && s.balance(address).signum() == 0 && s.code(address).length == 0;
    }

    /**
     * Why storage cannot be set for {@code address}, and what to do: Hardhat's node keeps it (revm clears no state outside a
     * transaction), go-ethereum's state, which the devnet runs, refuses it.
     */
    private static String emptyAccountStorage(String address, String give) {
        return "cannot set storage of " + address + ": it is an empty account (no code, no balance, nonce 0), and the devnet's"
                + " state (go-ethereum's) keeps no storage for one; give it code or a balance first (" + give + "), as a"
                + " contract's address has";
    }

    /** A state override the call could not apply; its message says why and what to send instead. */
    private static final class UnappliableOverride extends RuntimeException {
        UnappliableOverride(String message) {
            super(message, null, false, false);
        }
    }

    /** Applies a call's state overrides to {@code s}, in their order (the dispatcher puts each account's storage last). */
    private static void applyOverrides(ChainState s, List<StateEdit> overrides) {
        for (StateEdit e : overrides) {
            if (e instanceof StateEdit.Storage st && isEmpty(s, st.address())) {
                throw new UnappliableOverride(emptyAccountStorage(st.address(), "a balance or code override beside its stateDiff"));
            }
            e.apply(s);
        }
    }

    /**
     * Applies {@code e} to the head's state and records it, with the root it leaves, in the chain
     * (the next block re-executes it first). No block is mined, as on Hardhat's node: reads at the
     * head see the edit at once; the head block's header keeps the root it was mined with.
     */
    private Outcome<Boolean> edit(StateEdit e) {
        lockSettled();
        try {
            e.apply(state);
            StateEdit.Applied applied = new StateEdit.Applied(e, Numeric.toHexString(state.root()));
            edits.computeIfAbsent(head.number() + 1, n -> new ArrayList<>()).add(applied);
            store.append(applied);
            headUncommitted = true;
            senders.forget(); // what it knew of balances and nonces may no longer hold
            LOG.debug("event=state_edited after_block={} kind={} address={}", head.number(), e.getClass().getSimpleName(), e.address());
            return Outcome.done(true);
        } finally {
            lock.unlock();
        }
    }

    /** The gas limit of the blocks mined from now on ({@code evm_setBlockGasLimit}); at least 21,000, one transfer's gas. */
    public Outcome<Boolean> setBlockGasLimit(long gasLimit) {
        if (gasLimit < GasRules.TX_GAS) {
            return Outcome.refused(NodeError.invalidParams("a block gas limit below " + GasRules.TX_GAS + " (one transfer) holds no "
                    + "transaction, got " + gasLimit));
        }
        lockSettled();
        try {
            blockGasLimit = gasLimit;
            return Outcome.done(true);
        } finally {
            lock.unlock();
        }
    }

    public long blockGasLimit() {
        lock.lock();
        try {
            return blockGasLimit;
        } finally {
            lock.unlock();
        }
    }

    /** Who the blocks mined from now on pay their tips to, and name as miner ({@code hardhat_setCoinbase}). */
    public void setCoinbase(String address) {
        lockSettled();
        try {
            coinbase = address.toLowerCase();
        } finally {
            lock.unlock();
        }
    }

    /** The next block's prevRandao ({@code hardhat_setPrevRandao}, a 32-byte word); later blocks get the usual one. */
    public Outcome<Boolean> setPrevRandao(byte[] word) {
        if (word.length != 32) return Outcome.refused(NodeError.invalidParams("a prevRandao is one 32-byte word, got " + word.length + " bytes"));
        lockSettled();
        try {
            nextPrevRandao = word.clone();
            return Outcome.done(true);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Starts the chain again from a new genesis ({@code hardhat_reset}): the dev accounts funded, the
     * blocks, the pool, the snapshots, the edits and impersonations gone, the settings back to the
     * configured ones; a data directory's chain file is rewritten to the new genesis alone. The clock
     * is the configured one again (no offset from {@code evm_increaseTime}).
     */
    public void reset() {
        lockSettled();
        try {
            blocks.clear();
            blockByHash.clear();
            txByHash.clear();
            pending.clear();
            gapped.clear();
            snapshots.clear();
            edits.clear();
            impersonated.clear();
            senders.forget();
            nextBlockBaseFee = null;
            nextTimestamp = null;
            timeOffset = 0;
            blockGasLimit = config.blockGasLimit();
            coinbase = ZERO_ADDRESS;
            nextPrevRandao = null;
            headUncommitted = false;
            blocksSinceCommit = 0;
            store.rewrite(List.of(), Map.of());
            genesis();
            LOG.info("event=chain_reset block={} hash={}", head.number(), head.hash());
        } finally {
            lock.unlock();
        }
    }

    /** Lets {@code eth_sendTransaction} send from {@code address} without its key ({@code hardhat_impersonateAccount}). */
    public void impersonate(String address) {
        lock.lock();
        try {
            impersonated.add(address.toLowerCase());
        } finally {
            lock.unlock();
        }
    }

    /** Ends {@link #impersonate}; false if the account was not impersonated. */
    public boolean stopImpersonating(String address) {
        lock.lock();
        try {
            return impersonated.remove(address.toLowerCase());
        } finally {
            lock.unlock();
        }
    }

    public boolean impersonates(String address) {
        lock.lock();
        try {
            return impersonated.contains(address.toLowerCase());
        } finally {
            lock.unlock();
        }
    }

    /** Sets the base fee of the next block mined ({@code hardhat_setNextBlockBaseFeePerGas}); later blocks follow EIP-1559 from it. */
    public Outcome<BigInteger> setNextBlockBaseFee(BigInteger wei) {
        lockSettled();
        try {
            if (wei.signum() < 0) return Outcome.refused(NodeError.invalidParams("a base fee cannot be negative: " + wei));
            nextBlockBaseFee = wei;
            return Outcome.done(wei);
        } finally {
            lock.unlock();
        }
    }

    /** Mines the pending transactions (possibly none) into one block, at {@code timestamp} if given. */
    public Outcome<Block> mine(Long timestamp) {
        lockSettled();
        try {
            if (timestamp != null) {
                if (timestamp <= head.timestamp()) {
                    return Outcome.refused(NodeError.invalidParams("timestamp " + timestamp + " is not after the latest block's "
                            + head.timestamp() + "; pick a later one"));
                }
                // Later blocks keep counting from here, as Hardhat does after evm_mine with a timestamp.
                timeOffset = timestamp - config.clockSeconds().getAsLong();
                return Outcome.done(mineBlock(timestamp, false));
            }
            return Outcome.done(mineBlock(nextTimestampFor(head), false));
        } finally {
            lock.unlock();
        }
    }

    /**
     * Tells {@code watcher} whenever the head moves, until {@link #unwatchHead}: the highest block
     * number still the block it was (one below a block mined, the block a revert returned to). It
     * must return at once: it runs under the node's lock.
     */
    public void watchHead(java.util.function.LongConsumer watcher) {
        headWatchers.add(watcher);
    }

    public void unwatchHead(java.util.function.LongConsumer watcher) {
        headWatchers.remove(watcher);
    }

    /** How many transactions the pool kept a record of for pending-transaction feeds; a reader further behind misses the oldest. */
    static final int POOL_JOURNAL_SIZE = 4096;
    private final PoolJournal poolJournal = new PoolJournal(POOL_JOURNAL_SIZE);
    private final List<Runnable> poolWatchers = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** The transactions the pool accepted, for {@code newPendingTransactions} and pending-transaction filters. */
    public PoolJournal poolJournal() {
        return poolJournal;
    }

    /** Runs {@code watcher} (under the node's lock: it must only take note) whenever the pool accepts a transaction. */
    public void watchPool(Runnable watcher) {
        poolWatchers.add(watcher);
    }

    public void unwatchPool(Runnable watcher) {
        poolWatchers.remove(watcher);
    }

    /** A transaction was accepted (automine: and mined): the pending-transaction feeds hear of it. */
    private void pooled(SignedTx tx) {
        poolJournal.add(tx.hash());
        for (Runnable w : poolWatchers) w.run();
    }

    private void headMoved(long unchangedUpTo) {
        for (java.util.function.LongConsumer w : headWatchers) w.accept(unchangedUpTo);
    }

    /** The most blocks one {@code hardhat_mine} mines: each is a real block (a state root, a line in the chain file). */
    public static final long MAX_BLOCKS_PER_MINE = 100_000;

    /**
     * Mines {@code count} blocks ({@code hardhat_mine}): the first takes what waits in the pool and
     * the clock's next timestamp, each later one is empty and {@code intervalSeconds} after the one
     * before, as on Hardhat's node; later blocks keep counting from the last. Returns the last block.
     */
    public Outcome<Block> mineBlocks(long count, long intervalSeconds) {
        if (count < 1 || count > MAX_BLOCKS_PER_MINE) {
            return Outcome.refused(NodeError.invalidParams("hardhat_mine mines 1 to " + MAX_BLOCKS_PER_MINE + " blocks per call, asked for "
                    + count + "; call it again for more"));
        }
        if (intervalSeconds < 1) {
            return Outcome.refused(NodeError.invalidParams("hardhat_mine's interval must be at least 1 second (each block's timestamp is"
                    + " after its parent's), got " + intervalSeconds));
        }
        lockSettled();
        try {
            Block last = mineBlock(nextTimestampFor(head), false);
            for (long i = 1; i < count; i++) last = mineBlock(Math.addExact(last.timestamp(), intervalSeconds), false);
            // later blocks count from the last one mined, as after evm_mine with a timestamp
            timeOffset = Math.max(timeOffset, last.timestamp() - config.clockSeconds().getAsLong());
            return Outcome.done(last);
        } finally {
            lock.unlock();
        }
    }

    public int snapshot() {
        lockSettled();
        try {
            int id = nextSnapshotId++;
            commitHead(); // evm_revert returns to this block's state: keep it in the database
            snapshots.put(id, new Snapshot(head.number(), timeOffset, nextTimestamp, List.copyOf(pending), gapped.all(), List.copyOf(headEdits()), coinbase,
                    blockGasLimit, nextBlockBaseFee, nextPrevRandao == null ? null : nextPrevRandao.clone()));
            return id;
        } finally {
            lock.unlock();
        }
    }

    /** Returns to snapshot {@code id}; it and every later snapshot are used up. False if unknown. */
    public boolean revert(int id) {
        lockSettled();
        try {
            Snapshot s = snapshots.get(id);
            if (s == null) return false;
            snapshots.tailMap(id, true).clear();
            while (head.number() > s.blockNumber()) {
                Block dropped = blocks.remove(blocks.size() - 1);
                head = blocks.get(blocks.size() - 1);
                blockByHash.remove(dropped.hash());
                for (SignedTx t : dropped.transactions()) txByHash.remove(t.hash());
            }
            headMoved(head.number());
            edits.tailMap(s.blockNumber() + 1, true).clear();
            if (!s.headEdits().isEmpty()) edits.put(s.blockNumber() + 1, new ArrayList<>(s.headEdits()));
            headUncommitted = false; // whatever is live belongs to a dropped block
            restoreHead();
            senders.forget();
            pending.clear();
            pending.addAll(s.pending());
            gapped.restore(s.gapped());
            nextBlockBaseFee = s.nextBlockBaseFee();
            coinbase = s.coinbase();
            blockGasLimit = s.blockGasLimit();
            nextPrevRandao = s.nextPrevRandao() == null ? null : s.nextPrevRandao().clone();
            timeOffset = s.timeOffset();
            nextTimestamp = s.nextTimestamp();
            store.rewrite(blocks, edits);
            return true;
        } finally {
            lock.unlock();
        }
    }

    private long nextTimestampFor(Block parent) {
        if (nextTimestamp != null) {
            long t = nextTimestamp;
            nextTimestamp = null;
            timeOffset = t - config.clockSeconds().getAsLong();
            return t;
        }
        return Math.max(parent.timestamp() + 1, config.clockSeconds().getAsLong() + timeOffset);
    }

    /**
     * Mines the pool into a block at {@code timestamp}. {@code forSend}: the caller mines what was
     * just sent (automine, or the pipelined miner), and a block with nothing the rules admitted is not
     * mined (null); otherwise a block is always mined, empty if nothing in the pool can go in.
     */
    private Block mineBlock(long timestamp, boolean forSend) {
        Block parent = head;
        long number = parent.number() + 1;
        BigInteger baseFee = baseFeeOfNextBlock();
        // Admission judged these against the head: automine's one transaction, or the pipelined queue.
        boolean admittedAgainstHead = pipelined || (automine && forSend && pending.size() == 1);
        BlockEnv env = envOf(number, timestamp, baseFee);
        List<SignedTx> included = new ArrayList<>();
        List<Receipt> receipts = new ArrayList<>();
        long cumulative = 0;
        List<SignedTx> refused = new ArrayList<>();
        // Pipelined: the queue's first transactions, their gas limits within the gas target after the first,
        // so that a block of several never raises the base fee the queue was admitted against.
        int most = pipelined ? config.blockTxs() : Integer.MAX_VALUE;
        long limits = 0;
        for (SignedTx tx : pending) {
            if (included.size() + refused.size() >= most) break;
            long gasLimit = tx.gasLimit().longValueExact();
            if (cumulative + gasLimit > blockGasLimit) break;
            if (pipelined && limits > 0 && limits + gasLimit > blockGasLimit / 2) break;
            limits += gasLimit;
            if (!admittedAgainstHead && !stillValid(tx, baseFee)) continue;
            Applied a = applyTx(state, tx, env);
            if (a == null) {
                if (pipelined) {
                    // Answered already: it must not wait in the queue forever, and its sender must hear of it in the log.
                    refused.add(tx);
                    LOG.error("event=tx_dropped hash={} from={} nonce={} reason=\"{}\"", tx.hash(), tx.from(), tx.nonce(), lastDropReason);
                }
                continue;
            }
            cumulative += a.ex().gasUsed();
            senders.mined(tx.from(), tx.nonce(), tx.gasLimit().multiply(a.price()).add(tx.value()));
            included.add(tx);
            receipts.add(a.toReceipt(tx, included.size() - 1, number, cumulative));
        }
        pending.removeAll(refused);
        if (included.isEmpty() && forSend && (!pending.isEmpty() || !refused.isEmpty())) {
            // The transaction was refused by the rules before it ran, so it wrote nothing: no block,
            // and the state stays at the head.
            if (!headUncommitted) discardChanges();
            return null;
        }
        pending.removeAll(included);
        nextBlockBaseFee = null;
        // Queued transactions were judged against the queue ahead of them, not the head: nothing to drop.
        if (!pending.isEmpty() && !pipelined) dropStale();
        byte[] root = sealRoot();
        Block sealed = sealer.seal(number, parent.hash(), timestamp, cumulative, baseFee, root, included, receipts,
                new BlockSealer.Settings(env.gasLimit(), env.coinbase(), env.prevRandao()));
        nextPrevRandao = null;
        // A block pushed past the clock (one second after its parent) moves the clock with it, so
        // evm_increaseTime(d) always lands d seconds after the latest block, as on Hardhat.
        timeOffset = Math.max(timeOffset, timestamp - config.clockSeconds().getAsLong());
        index(sealed);
        store.append(sealed);
        return sealed;
    }

    /** The new block's state root: computed in memory, and written every {@link #COMMIT_EVERY_BLOCKS} blocks. */
    private byte[] sealRoot() {
        if (++blocksSinceCommit >= COMMIT_EVERY_BLOCKS) {
            headUncommitted = false;
            blocksSinceCommit = 0;
            return writeState();
        }
        headUncommitted = true;
        return state.root();
    }

    /**
     * Drops from the pool what can never be mined now: a transaction whose nonce the chain has used
     * or whose sender can no longer pay for it. The sender's later ones leave the pool for the
     * transactions behind a nonce gap, mined once the gap is filled (as geth and Hardhat's node
     * keep them). One below the base fee stays: the fee may fall (geth and Hardhat keep it too).
     */
    private void dropStale() {
        Map<String, BigInteger> expected = new HashMap<>();
        Map<String, BigInteger> gapAt = new HashMap<>();
        List<SignedTx> behind = new ArrayList<>();
        pending.removeIf(t -> {
            BigInteger next = expected.computeIfAbsent(t.from(), a -> senders.nonce(a, state::nonce));
            if (t.nonce().compareTo(next) < 0) return true; // the chain used its nonce
            if (gapAt.containsKey(t.from()) || t.nonce().compareTo(next) > 0) {
                gapAt.putIfAbsent(t.from(), next);
                behind.add(t);
                return true;
            }
            if (!affords(t)) {
                gapAt.put(t.from(), next); // the later ones wait behind its nonce
                return true;
            }
            expected.put(t.from(), next.add(BigInteger.ONE));
            return false;
        });
        for (SignedTx t : behind) parkBehindGap(List.of(t), gapAt.get(t.from()));
    }

    /** Puts a sender's pooled transactions behind the gap at {@code next}; one the gaps have no room for is dropped, and logged. */
    private void parkBehindGap(List<SignedTx> later, BigInteger next) {
        for (SignedTx t : later) {
            NodeError full = gapped.park(t, next);
            if (full != null) LOG.warn("event=tx_dropped hash={} from={} nonce={} reason=\"{}\"", t.hash(), t.from(), t.nonce(), full.message());
        }
    }

    private boolean affords(SignedTx tx) {
        BigInteger cost = tx.gasLimit().multiply(tx.maxFeePerGas()).add(tx.value());
        if (senders.surelyHolds(tx.from(), cost)) return true;
        BigInteger have = state.balance(tx.from());
        senders.sawBalance(tx.from(), have);
        return have.compareTo(cost) >= 0;
    }

    /** A pooled transaction cannot go in the block being mined when an earlier one spent the funds, or the base fee is above it. */
    private boolean stillValid(SignedTx tx, BigInteger baseFee) {
        if (!tx.nonce().equals(senders.nonce(tx.from(), state::nonce)) || tx.maxFeePerGas().compareTo(baseFee) < 0) return false;
        return affords(tx);
    }

    private record Applied(Execution ex, BigInteger price) {
        Receipt toReceipt(SignedTx tx, int index, long blockNumber, long cumulative) {
            List<LogEntry> logs = new ArrayList<>();
            for (ChainState.RawLog l : ex.logs()) {
                logs.add(new LogEntry(l.address(), l.topics(), l.data(), blockNumber, null, tx.hash(), index, -1));
            }
            return new Receipt(tx.hash(), index, blockNumber, null, tx.from(), tx.to(),
                    tx.isCreate() && ex.success() ? ex.createdAddress() : null, cumulative, ex.gasUsed(), price,
                    ex.success(), logs, Numeric.toHexString(Bloom.of(logs)), tx.type(),
                    ex.success() ? "0x" : Numeric.toHexString(ex.returnData()));
        }
    }

    private Applied applyTx(ChainState s, SignedTx tx, BlockEnv env) {
        Execution ex = s.transactAdmitted(messageOf(tx, env.baseFee()), env); // nonce and funds checked at admission or by stillValid
        if (ex.invalid()) {
            // Refused before running, so nothing changed: leave it out of the block.
            lastDropReason = ex.error();
            return null;
        }
        return new Applied(ex, tx.effectiveGasPrice(env.baseFee()));
    }

    private static Message messageOf(SignedTx tx, BigInteger baseFee) {
        return new Message(tx.from(), tx.to(), tx.value(), tx.data(), tx.gasLimit().longValueExact(),
                tx.effectiveGasPrice(baseFee), tx.nonce().longValueExact());
    }

    private BlockEnv nextEnv() {
        Block h = head;
        long ts = nextTimestamp != null ? nextTimestamp : Math.max(h.timestamp() + 1, config.clockSeconds().getAsLong() + timeOffset);
        if (nextBlockBaseFee != null) return envOf(h.number() + 1, ts, nextBlockBaseFee);
        if (h != nextBaseFeeOf) {
            nextBaseFee = nextBaseFeeAfter(h);
            nextBaseFeeOf = h;
        }
        return envOf(h.number() + 1, ts, nextBaseFee);
    }

    /** The head {@link #nextBaseFee} was computed for: every eth_call at the head needs it, and it changes once per block. */
    private Block nextBaseFeeOf;
    private BigInteger nextBaseFee;
    /** The block number {@link #randao} belongs to: a keccak per call saved while the head stays. */
    private long randaoNumber = -1;
    private byte[] randao;

    /** The environment of a block mined now (or simulated on top of {@code number - 1}): the node's current settings. */
    private BlockEnv envOf(long number, long timestamp, BigInteger baseFee) {
        byte[] prevRandao;
        if (nextPrevRandao != null && number == head.number() + 1) {
            prevRandao = nextPrevRandao;
        } else {
            if (number != randaoNumber) {
                randao = BlockSealer.prevRandao(number);
                randaoNumber = number;
            }
            prevRandao = randao;
        }
        return new BlockEnv(number, timestamp, blockGasLimit, baseFee, coinbase, config.chainId(), prevRandao, hashesBefore(number));
    }

    /** The environment {@code b} was mined in, as it records it: what re-executing it needs. */
    private BlockEnv envOf(Block b) {
        return new BlockEnv(b.number(), b.timestamp(), b.gasLimit(), b.baseFeePerGas(), b.miner(), config.chainId(),
                Hex.decode(b.mixHash()), hashesBefore(b.number()));
    }

    private java.util.function.LongFunction<byte[]> hashesBefore(long number) {
        return n -> n >= 0 && n < blocks.size() && n < number ? Hex.decode(blocks.get((int) n).hash()) : new byte[32];
    }

    private void index(Block b) {
        blocks.add(b);
        head = b;
        headMoved(b.number() - 1);
        blockByHash.put(b.hash(), b.number());
        for (int i = 0; i < b.transactions().size(); i++) txByHash.put(b.transactions().get(i).hash(), new TxLocation(b.number(), i));
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closing = true; // the miner mines what was answered, then stops
            work.signalAll();
        } finally {
            lock.unlock();
        }
        if (miner != null && miner != Thread.currentThread()) {
            boolean interrupted = false;
            while (miner.isAlive()) {
                try {
                    miner.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) Thread.currentThread().interrupt();
        }
        lock.lock();
        try {
            commitHead();
            state.close();
        } finally {
            lock.unlock();
            if (dirLock != null) dirLock.close(); // the state database is closed: another devnet may take the directory
        }
    }
}
