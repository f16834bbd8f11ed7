package dev.clearline.evm;

import com.fasterxml.jackson.databind.JsonNode;
import dev.clearline.evm.trace.TraceRequest;
import io.horizen.evm.BlockHashCallback;
import io.horizen.evm.Database;
import io.horizen.evm.EvmContext;
import io.horizen.evm.ForkRules;
import io.horizen.evm.Hash;
import io.horizen.evm.Invocation;
import io.horizen.evm.LevelDBDatabase;
import io.horizen.evm.LibEvmException;
import io.horizen.evm.MemoryDatabase;
import io.horizen.evm.StateDB;
import io.horizen.evm.TraceOptions;
import io.horizen.evm.Tracer;
import io.horizen.evm.results.EvmLog;
import io.horizen.evm.results.InvocationResult;
import io.horizen.evm.results.ProofAccountResult;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The only class that touches libevm (go-ethereum's EVM over JNA). Everything it hands out is one of
 * this module's own types.
 *
 * <p>Two libevm facts shape it: a {@code StateDB} must not be written after {@code commit()} (its
 * root stops moving), so every commit reopens the state at the new root; and libevm's CREATE
 * derives the address from {@code nonce - 1}, expecting the caller to have bumped the nonce first.
 *
 * <p>A third shapes its cost: every operation is one native round trip that carries its
 * parameters and result as JSON, about 6 us of CPU of which roughly 5 are spent inside libevm
 * (measured with {@code dev.clearline.evm.bench.CallOverhead}), whatever the operation does. A
 * small contract's execution costs less than that, so the callers here avoid round trips whose
 * outcome they can infer, and nothing is traced unless asked.
 */
final class GethWorld implements AutoCloseable {
    static {
        // Before any libevm class loads: JNA then maps a cached copy of the library instead of
        // extracting 37 MB on every start. Process-wide by nature (JNA reads a system property).
        NativeLibraryCache.use("evm", NativeLibraryCache.defaultRoot());
    }

    private static final ForkRules SHANGHAI = new ForkRules(true);
    private static final String EMPTY_CODE_HASH_HEX = new Bytes32(StateDB.EMPTY_CODE_HASH.toBytes()).toHex();
    /**
     * Logs of finished transactions one tx hash may hold before runs move to a fresh one: reading a
     * few stale logs back costs less than the round trip that sets a hash; dozens cost more (measured).
     */
    private static final int MAX_KEPT_LOGS = 3;

    private final Database database;
    private final String description;
    private StateDB state;
    /** {@link #state}'s native handle, for {@link LibEvmDirect}'s calls. */
    private int handle;
    /** Whether the frequent small operations go through {@link LibEvmDirect} (libevm's own Jackson mapping otherwise). */
    private static final boolean DIRECT = LibEvmDirect.AVAILABLE;
    /** Tx hashes handed out so far on this world; each fresh one is the next number. */
    private long txContextsIssued;
    /** The tx hash the backend files logs under now: the zero hash on a freshly opened state, as geth starts. */
    private Bytes32 txContext = Bytes32.ZERO;
    /** Logs of finished transactions filed under {@link #txContext}, skipped when reading a run's own; -1 if unknown. */
    private int keptLogs;
    /** Logs of the last run: kept if its transaction finishes, dropped by a journal revert; -1 if not read back. */
    private int lastRunLogs;
    /**
     * A finished transaction whose finalise has not been sent yet. Computing the root or committing
     * finalises by itself, and a block usually ends right after its last transaction, so the round
     * trip is sent only if something else comes first.
     */
    private boolean finalisePending;

    private GethWorld(Database database, String description, Bytes32 root) {
        this.database = database;
        this.description = description;
        try {
            this.state = new StateDB(database, hash(root));
            this.handle = DIRECT ? LibEvmDirect.handle(state) : 0;
        } catch (LibEvmException e) {
            database.close();
            throw new IllegalArgumentException("no state with root " + root + " in " + description
                    + "; open a root that was committed there (WorldState.commit returns it)", e);
        }
    }

    static GethWorld inMemory() {
        return new GethWorld(new MemoryDatabase(), "memory", emptyRoot());
    }

    static GethWorld onDisk(Path directory, Bytes32 root) {
        Database db;
        try {
            db = new LevelDBDatabase(directory.toAbsolutePath().toString());
        } catch (LibEvmException e) {
            throw new IllegalArgumentException("cannot open the state database in " + directory
                    + " (is another process or WorldState using it?): " + e.getMessage(), e);
        }
        return new GethWorld(db, directory.toString(), root);
    }

    static Bytes32 emptyRoot() {
        return new Bytes32(StateDB.EMPTY_ROOT_HASH.toBytes());
    }

    // --- accounts

    BigInteger balance(Address a) {
        if (DIRECT) return LibEvmDirect.quantity(LibEvmDirect.call("StateGetBalance", LibEvmDirect.account(handle, a)));
        return state.getBalance(addr(a));
    }

    void setBalance(Address a, BigInteger wei) {
        finishPending();
        if (DIRECT) {
            LibEvmDirect.call("StateSetBalance", LibEvmDirect.amount(handle, a, wei));
            return;
        }
        state.setBalance(addr(a), wei);
    }

    void addBalance(Address a, BigInteger wei) {
        finishPending();
        if (DIRECT) {
            LibEvmDirect.call("StateAddBalance", LibEvmDirect.amount(handle, a, wei));
            return;
        }
        state.addBalance(addr(a), wei);
    }

    void subBalance(Address a, BigInteger wei) {
        finishPending();
        if (DIRECT) {
            LibEvmDirect.call("StateSubBalance", LibEvmDirect.amount(handle, a, wei));
            return;
        }
        state.subBalance(addr(a), wei);
    }

    long nonce(Address a) {
        if (DIRECT) return LibEvmDirect.quantity(LibEvmDirect.call("StateGetNonce", LibEvmDirect.account(handle, a))).longValueExact();
        return state.getNonce(addr(a)).longValueExact();
    }

    void setNonce(Address a, long nonce) {
        finishPending();
        if (DIRECT) {
            LibEvmDirect.call("StateSetNonce", LibEvmDirect.nonce(handle, a, nonce));
            return;
        }
        state.setNonce(addr(a), BigInteger.valueOf(nonce));
    }

    byte[] code(Address a) {
        byte[] code = state.getCode(addr(a));
        return code == null ? new byte[0] : code;
    }

    Bytes32 codeHash(Address a) {
        return new Bytes32(state.getCodeHash(addr(a)).toBytes());
    }

    /** Whether the account has code, without copying the code across the native boundary. */
    boolean hasCode(Address a) {
        if (DIRECT) {
            String codeHash = LibEvmDirect.string(LibEvmDirect.call("StateGetCodeHash", LibEvmDirect.account(handle, a)));
            return !codeHash.equals(Bytes32.ZERO.toHex()) && !codeHash.equals(EMPTY_CODE_HASH_HEX);
        }
        Hash codeHash = state.getCodeHash(addr(a));
        return !codeHash.equals(Hash.ZERO) && !codeHash.equals(StateDB.EMPTY_CODE_HASH);
    }

    void setCode(Address a, byte[] code) {
        finishPending();
        state.setCode(addr(a), code);
    }

    Bytes32 storage(Address a, Bytes32 slot) {
        return new Bytes32(state.getStorage(addr(a), hash(slot)).toBytes());
    }

    void setStorage(Address a, Bytes32 slot, Bytes32 value) {
        finishPending();
        state.setStorage(addr(a), hash(slot), hash(value));
    }

    boolean isEmpty(Address a) {
        return state.isEmpty(addr(a));
    }

    // --- roots, journal, persistence

    Bytes32 intermediateRoot() {
        finalisePending = false; // the root's computation finalises
        if (DIRECT) return Bytes32.of(LibEvmDirect.string(LibEvmDirect.call("StateIntermediateRoot", LibEvmDirect.handleOnly(handle))));
        return new Bytes32(state.getIntermediateRoot().toBytes());
    }

    Bytes32 commit() {
        finalisePending = false; // the commit finalises
        Hash root = state.commit();
        reopen(new Bytes32(root.toBytes()));
        return new Bytes32(root.toBytes());
    }

    void reopen(Bytes32 root) {
        StateDB reopened;
        try {
            reopened = new StateDB(database, hash(root));
        } catch (LibEvmException e) {
            throw new IllegalArgumentException("no state with root " + root + " in " + description
                    + "; open a root that was committed there", e);
        }
        closeQuietly(state);
        state = reopened;
        handle = DIRECT ? LibEvmDirect.handle(reopened) : 0;
        finalisePending = false;
        txContext = Bytes32.ZERO;
        keptLogs = 0;
        lastRunLogs = 0;
    }

    int journalSnapshot() {
        finishPending();
        if (DIRECT) return Integer.parseInt(LibEvmDirect.call("StateSnapshot", LibEvmDirect.handleOnly(handle)));
        return state.snapshot();
    }

    /** Reverts to journal snapshot {@code id}; logs of a run after it are dropped with it. */
    void journalRevert(int id) {
        finishPending();
        if (DIRECT) {
            LibEvmDirect.call("StateRevertToSnapshot", LibEvmDirect.revision(handle, id));
        } else {
            state.revertToSnapshot(id);
        }
        lastRunLogs = 0;
    }

    /** Ends a transaction: later SSTOREs see these values as original, the refund counter and access list restart. */
    void finishTransaction() {
        finishPending();
        finalisePending = true;
        keptLogs = keptLogs < 0 || lastRunLogs < 0 ? -1 : keptLogs + lastRunLogs;
        lastRunLogs = 0;
    }

    /** Sends the finalise of a finished transaction if it is still owed. */
    private void finishPending() {
        if (finalisePending) {
            finalisePending = false;
            if (DIRECT) {
                LibEvmDirect.call("StateFinalize", LibEvmDirect.handleOnly(handle));
            } else {
                state.finalizeChanges();
            }
        }
    }

    long refund() {
        finishPending();
        if (DIRECT) return LibEvmDirect.quantity(LibEvmDirect.call("RefundGet", LibEvmDirect.handleOnly(handle))).longValueExact();
        return state.getRefund().longValueExact();
    }

    AccountProof proof(Address a, Bytes32 root, List<Bytes32> slots) {
        finishPending();
        ProofAccountResult p;
        try {
            p = state.getProof(addr(a), hash(root), slots.stream().map(GethWorld::hash).toArray(Hash[]::new));
        } catch (LibEvmException e) {
            throw new IllegalArgumentException("cannot prove against root " + root + "; proofs need a committed root "
                    + "(call WorldState.commit() first)", e);
        }
        List<AccountProof.StorageProof> storage = new ArrayList<>();
        for (ProofAccountResult.ProofStorageResult s : p.storageProof) {
            storage.add(new AccountProof.StorageProof(Bytes32.of(new BigInteger(s.key.replaceFirst("^0x", ""), 16)), s.value,
                    Arrays.asList(s.proof)));
        }
        return new AccountProof(a, p.balance, p.nonce.longValueExact(), new Bytes32(p.codeHash.toBytes()),
                new Bytes32(p.storageHash.toBytes()), Arrays.asList(p.accountProof), storage);
    }

    // --- execution

    /**
     * What one EVM run produced, before the facade adds accounting.
     *
     * @param executed whether the EVM spent any execution gas; when it did not, no opcode that costs gas ran,
     *     so there are no logs, no refund and (for a call with no return data) possibly no code at the target
     */
    record Run(byte[] returnData, GasBudget.Settlement gas, String error, boolean reverted, Optional<Address> created,
               List<Log> logs, Optional<String> traceJson, boolean executed) {}

    /** Warms sender, target, coinbase and precompiles (EIP-2929) and starts a fresh access list. */
    void prepareAccess(Address from, Optional<Address> to, Address coinbase) {
        finishPending();
        if (DIRECT) {
            LibEvmDirect.call("AccessSetup", LibEvmDirect.access(handle, from, to.orElse(null), coinbase));
            return;
        }
        state.accessSetup(addr(from), to.map(GethWorld::addr).orElse(null), addr(coinbase), SHANGHAI);
    }

    /**
     * Runs one message. Each native round trip costs several microseconds (the parameters cross as
     * JSON), far more than a small contract's execution, so this crosses only when it must: runs
     * share a tx hash (see {@link #txContextForRun()}), and the refund counter and logs are read only
     * when the EVM spent gas.
     */
    Run run(Address from, Optional<Address> to, BigInteger value, byte[] input, GasBudget gas, BigInteger gasPrice,
            BlockContext block, Optional<TraceRequest<?>> trace, boolean collectLogs) {
        finishPending();
        Bytes32 txHash = txContextForRun();
        // libevm drops a creation's return data, so a reverted constructor's reason would be lost; a
        // tracer sees it. Rather than tracing every deployment, a creation that reverts without data
        // is rolled back to just before the run and replayed once under a call tracer.
        boolean replayable = to.isEmpty() && trace.isEmpty();
        int beforeRun = replayable ? journalSnapshot() : -1;
        Applied applied = apply(from, to, value, input, gas, gasPrice, block, trace);
        if (replayable && applied.result().reverted() && empty(applied.result().returnData())) {
            journalRevert(beforeRun);
            applied = apply(from, to, value, input, gas, gasPrice, block, Optional.of(TraceRequest.callTree()));
        }
        LibEvmDirect.Applied r = applied.result();
        long executionGasLeft = r.leftOverGas();
        boolean executed = executionGasLeft < gas.forExecution();
        GasBudget.Settlement settled = gas.settle(executionGasLeft, gas.refunds() && executed ? refund() : 0);
        String error = r.executionError();
        byte[] returnData = empty(r.returnData()) ? applied.tracedRevertData() : r.returnData();
        Optional<Address> created = to.isEmpty() && error.isEmpty() && r.contractAddress() != null
                ? Optional.of(r.contractAddress()) : Optional.empty();
        boolean mayHaveLogged = error.isEmpty() && executed;
        List<Log> logs = mayHaveLogged && collectLogs ? logs(txHash) : List.of();
        lastRunLogs = collectLogs ? logs.size() : mayHaveLogged ? -1 : 0;
        Optional<String> traceJson = trace.isPresent() ? applied.traceJson() : Optional.empty();
        return new Run(returnData, settled, error, r.reverted(), created, logs, traceJson, executed);
    }

    /** One {@code EvmApply}, under a tracer if requested; the tracer's revert data fills in what libevm drops. */
    private record Applied(LibEvmDirect.Applied result, Optional<String> traceJson, byte[] tracedRevertData) {}

    /**
     * Answers BLOCKHASH for the run in progress. One callback registered for the world's life:
     * registering one per run cost a synchronized registry update and an object each time.
     */
    private final class RunBlockHashes extends BlockHashCallback {
        private BlockHashes source = BlockHashes.NONE;

        @Override
        protected Hash getBlockHash(BigInteger number) {
            return source.hashOf(number.longValueExact()).map(GethWorld::hash).orElse(Hash.ZERO);
        }
    }

    private RunBlockHashes blockHashes;

    private Applied apply(Address from, Optional<Address> to, BigInteger value, byte[] input, GasBudget gas, BigInteger gasPrice,
                          BlockContext block, Optional<TraceRequest<?>> trace) {
        if (blockHashes == null) blockHashes = new RunBlockHashes();
        blockHashes.source = block.blockHashes();
        try {
            if (DIRECT && trace.isEmpty()) {
                // The frequent case, written and read here: libevm's mapper spent more than the EVM run on small calls.
                String json = LibEvmDirect.apply(handle, from, to.orElse(null), value, input, gas.forExecution(), block, gasPrice,
                        blockHashes.handle);
                return new Applied(LibEvmDirect.applied(LibEvmDirect.call("EvmApply", json)), Optional.empty(), new byte[0]);
            }
            return applyTraced(from, to, value, input, gas, gasPrice, block, trace);
        } catch (LibEvmException | IllegalStateException e) {
            throw new IllegalStateException("the EVM backend failed on " + (to.isEmpty() ? "a creation"
                    : "a call of " + to.get()) + ": " + e.getMessage(), e);
        } finally {
            blockHashes.source = BlockHashes.NONE;
        }
    }

    private Applied applyTraced(Address from, Optional<Address> to, BigInteger value, byte[] input, GasBudget gas, BigInteger gasPrice,
                                BlockContext block, Optional<TraceRequest<?>> trace) {
        EvmContext context = new EvmContext(
                BigInteger.valueOf(block.chainId()), addr(block.coinbase()), BigInteger.valueOf(block.gasLimit()),
                gasPrice, BigInteger.valueOf(block.number()), BigInteger.valueOf(block.timestamp()), block.baseFee(),
                hash(block.prevRandao()), SHANGHAI);
        Invocation invocation = new Invocation(addr(from), to.map(GethWorld::addr).orElse(null), value, input,
                BigInteger.valueOf(gas.forExecution()), false);
        Tracer tracer = trace.map(GethWorld::tracerFor).orElse(null);
        try {
            context.setBlockHashCallback(blockHashes);
            context.setTracer(tracer);
            if (tracer != null) {
                tracer.CaptureTxStart(BigInteger.valueOf(gas.limit()));
            }
            InvocationResult r = io.horizen.evm.Evm.Apply(state, invocation, context);
            LibEvmDirect.Applied result = new LibEvmDirect.Applied(r.returnData == null ? new byte[0] : r.returnData,
                    r.leftOverGas.longValueExact(), r.executionError == null ? "" : r.executionError, r.reverted,
                    r.contractAddress == null ? null : new Address(r.contractAddress.toBytes()));
            if (tracer == null) {
                return new Applied(result, Optional.empty(), new byte[0]);
            }
            long refund = gas.refunds() ? refund() : 0;
            tracer.CaptureTxEnd(BigInteger.valueOf(gas.limit() - gas.settle(r.leftOverGas.longValueExact(), refund).gasUsed()));
            JsonNode json = tracer.getResult().result;
            byte[] revertData = invocation.callee == null && r.reverted ? revertDataOf(json) : new byte[0];
            return new Applied(result, Optional.of(json.toString()), revertData);
        } finally {
            if (tracer != null) {
                tracer.close();
            }
        }
    }

    /**
     * The tx hash this run files its logs under. Setting one is a round trip, so runs share a hash
     * and each skips the logs finished transactions left under it; past {@value #MAX_KEPT_LOGS} of
     * them, or an unknown count, a fresh hash starts.
     */
    private Bytes32 txContextForRun() {
        if (keptLogs < 0 || keptLogs > MAX_KEPT_LOGS) {
            txContextsIssued++;
            Bytes32 id = Bytes32.of(txContextsIssued);
            if (DIRECT) {
                LibEvmDirect.call("StateSetTxContext", LibEvmDirect.txContext(handle, id));
            } else {
                state.setTxContext(hash(id), 0);
            }
            txContext = id;
            keptLogs = 0;
        }
        return txContext;
    }

    private static boolean empty(byte[] data) {
        return data == null || data.length == 0;
    }

    /** The revert data in a tracer's result: the call tracer's {@code output} or the struct logger's {@code returnValue}. */
    private static byte[] revertDataOf(JsonNode traceResult) {
        JsonNode data = traceResult.has("output") ? traceResult.get("output") : traceResult.get("returnValue");
        return data == null || data.isNull() ? new byte[0] : Hex.decode(data.asText());
    }

    /** This run's logs: those under {@code txHash} after the ones finished transactions left there. */
    private List<Log> logs(Bytes32 txHash) {
        List<Log> filed;
        if (DIRECT) {
            filed = LibEvmDirect.logsOf(LibEvmDirect.call("StateGetLogs", LibEvmDirect.logs(handle, txHash)));
        } else {
            filed = new ArrayList<>();
            for (EvmLog log : Objects.requireNonNullElse(state.getLogs(hash(txHash)), new EvmLog[0])) {
                List<Bytes32> topics = Arrays.stream(log.topics).map(t -> new Bytes32(t.toBytes())).toList();
                filed.add(new Log(new Address(log.address.toBytes()), topics, log.data == null ? new byte[0] : log.data));
            }
        }
        return filed.size() <= keptLogs ? List.of() : List.copyOf(filed.subList(Math.max(0, keptLogs), filed.size()));
    }

    private static Tracer tracerFor(TraceRequest<?> request) {
        return switch (request) {
            case TraceRequest.Steps s -> new Tracer(new TraceOptions(s.memory(), !s.stack(), !s.storage(), s.returnData(), null, null));
            case TraceRequest.CallTree c -> new Tracer(new TraceOptions(false, false, false, false, "callTracer",
                    com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode()
                            .put("onlyTopCall", c.onlyTopCall()).put("withLog", c.withLog())));
        };
    }

    @Override
    public void close() {
        try {
            if (blockHashes != null) blockHashes.close();
            closeQuietly(state);
        } finally {
            database.close();
        }
    }

    private static void closeQuietly(StateDB s) {
        try {
            s.close();
        } catch (Exception e) {
            throw new IllegalStateException("libevm failed to release a state handle", e);
        }
    }

    private static io.horizen.evm.Address addr(Address a) {
        return new io.horizen.evm.Address(a.bytes());
    }

    private static Hash hash(Bytes32 w) {
        return new Hash(w.bytes());
    }
}
