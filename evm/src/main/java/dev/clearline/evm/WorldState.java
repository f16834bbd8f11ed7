package dev.clearline.evm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Ethereum accounts (balance, nonce, code, storage) in a Merkle-Patricia state, in memory or in a
 * directory. Holds native resources: close it (try-with-resources); a closed state rejects use.
 * Not thread-safe: one thread at a time.
 *
 * <p>Snapshots are nested: {@link #snapshot()} returns an id, {@link #revertTo(int)} restores that
 * state and drops the snapshot and every later one. A snapshot commits the state to the backing
 * database (so it survives any number of transactions in between); it does not move the
 * persisted head of an on-disk state, only {@link #commit()} does.
 */
public final class WorldState implements AutoCloseable {
    private static final String HEAD_FILE = "HEAD";
    private static final String DB_DIR = "state";

    private final GethWorld world;
    private final Optional<Path> directory;
    private final List<Bytes32> snapshots = new ArrayList<>();
    private boolean closed;

    private WorldState(GethWorld world, Optional<Path> directory) {
        this.world = world;
        this.directory = directory;
    }

    /** An empty state in memory; gone when closed. */
    public static WorldState inMemory() {
        return new WorldState(GethWorld.inMemory(), Optional.empty());
    }

    /**
     * The state persisted in {@code directory} at its last {@link #commit()}, or an empty state if
     * the directory is new. Creates the directory if needed.
     */
    public static WorldState open(Path directory) {
        return open(directory, head(directory).orElse(GethWorld.emptyRoot()));
    }

    /** The state in {@code directory} at {@code root}, which must have been committed there. */
    public static WorldState open(Path directory, Bytes32 root) {
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the state directory " + directory, e);
        }
        return new WorldState(GethWorld.onDisk(directory.resolve(DB_DIR), root), Optional.of(directory));
    }

    /** The root last committed in {@code directory}, if any. */
    public static Optional<Bytes32> head(Path directory) {
        Path head = directory.resolve(HEAD_FILE);
        if (!Files.exists(head)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Bytes32.of(Files.readString(head, StandardCharsets.US_ASCII).strip()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + head, e);
        }
    }

    /** The root of an empty state. */
    public static Bytes32 emptyRoot() {
        return GethWorld.emptyRoot();
    }

    public BigInteger balance(Address account) {
        return live().balance(account);
    }

    public void setBalance(Address account, BigInteger wei) {
        requireUint256(wei, "balance");
        live().setBalance(account, wei);
    }

    public void addBalance(Address account, BigInteger wei) {
        requireUint256(wei, "amount");
        live().addBalance(account, wei);
    }

    public long nonce(Address account) {
        return live().nonce(account);
    }

    public void setNonce(Address account, long nonce) {
        if (nonce < 0) {
            throw new IllegalArgumentException("nonce must be >= 0, got " + nonce);
        }
        live().setNonce(account, nonce);
    }

    /** The account's code; empty for an externally owned or missing account. */
    public byte[] code(Address account) {
        return live().code(account);
    }

    public Bytes32 codeHash(Address account) {
        return live().codeHash(account);
    }

    public void setCode(Address account, byte[] code) {
        live().setCode(account, code.clone());
    }

    public Bytes32 storageAt(Address account, Bytes32 slot) {
        return live().storage(account, slot);
    }

    public void setStorageAt(Address account, Bytes32 slot, Bytes32 value) {
        live().setStorage(account, slot, value);
    }

    /** True unless the account is empty in the EIP-161 sense (no nonce, balance or code). */
    public boolean exists(Address account) {
        return !live().isEmpty(account);
    }

    public boolean hasCode(Address account) {
        return live().hasCode(account);
    }

    /** The root the state would have if committed now. */
    public Bytes32 root() {
        return live().intermediateRoot();
    }

    /**
     * Writes the state to its database and returns the root. For an on-disk state the root becomes
     * the head that {@link #open(Path)} reopens.
     */
    public Bytes32 commit() {
        Bytes32 root = live().commit();
        directory.ifPresent(dir -> writeHead(dir, root));
        return root;
    }

    /** Switches this state to an earlier committed {@code root} (dropping uncommitted changes and snapshots). */
    public void resetTo(Bytes32 root) {
        live().reopen(root);
        snapshots.clear();
    }

    /** Records the current state; returns an id for {@link #revertTo(int)}. */
    public int snapshot() {
        snapshots.add(live().commit());
        return snapshots.size() - 1;
    }

    /** Restores the state recorded by snapshot {@code id} and forgets that snapshot and every later one. */
    public void revertTo(int id) {
        live();
        if (id < 0 || id >= snapshots.size()) {
            throw new IllegalArgumentException("no snapshot " + id + "; valid ids are 0.." + (snapshots.size() - 1)
                    + " (a revert consumes its snapshot and every later one)");
        }
        world.reopen(snapshots.get(id));
        snapshots.subList(id, snapshots.size()).clear();
    }

    /** The number of snapshots that can still be reverted to. */
    public int snapshotDepth() {
        return snapshots.size();
    }

    /**
     * An EIP-1186 proof of {@code account} and its {@code slots} against {@code root}, which must be
     * a committed root (e.g. the one {@link #commit()} returned).
     */
    public AccountProof proof(Address account, List<Bytes32> slots, Bytes32 root) {
        return live().proof(account, root, slots);
    }

    /** Releases the native state and database. Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            world.close();
        }
    }

    GethWorld live() {
        if (closed) {
            throw new IllegalStateException("this WorldState is closed; open a new one with WorldState.inMemory() or WorldState.open(dir)");
        }
        return world;
    }

    private static void writeHead(Path dir, Bytes32 root) {
        try {
            Path tmp = dir.resolve(HEAD_FILE + ".tmp");
            Files.writeString(tmp, root.toHex(), StandardCharsets.US_ASCII);
            Files.move(tmp, dir.resolve(HEAD_FILE), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record the committed root in " + dir, e);
        }
    }

    private static void requireUint256(BigInteger v, String what) {
        if (v.signum() < 0 || v.bitLength() > 256) {
            throw new IllegalArgumentException(what + " must be an unsigned 256-bit amount of wei, got " + v);
        }
    }

    @Override
    public String toString() {
        return "WorldState[" + directory.map(Path::toString).orElse("memory") + (closed ? ", closed" : "") + "]";
    }
}
