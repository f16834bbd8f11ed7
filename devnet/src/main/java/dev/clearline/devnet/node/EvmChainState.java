package dev.clearline.devnet.node;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clearline.evm.AccountProof;
import dev.clearline.evm.Accounting;
import dev.clearline.evm.Address;
import dev.clearline.evm.BlockContext;
import dev.clearline.evm.Bytes32;
import dev.clearline.evm.Evm;
import dev.clearline.evm.ExecutionOptions;
import dev.clearline.evm.ExecutionResult;
import dev.clearline.evm.Failure;
import dev.clearline.evm.Hardfork;
import dev.clearline.evm.Hex;
import dev.clearline.evm.Log;
import dev.clearline.evm.WorldState;
import dev.clearline.evm.trace.TraceRequest;
import dev.clearline.evm.trace.Traced;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.web3j.utils.Numeric;

/** The node's world state on the {@code evm} module (go-ethereum's EVM through libevm). */
final class EvmChainState implements ChainState {
    private final ObjectMapper json = new ObjectMapper();
    private final WorldState world;
    private final Evm evm;

    private EvmChainState(WorldState world) {
        this.world = world;
        this.evm = new Evm(world);
    }

    /** In memory when {@code dir} is null, else persisted under {@code dir/state}. */
    static EvmChainState open(Path dir) {
        return new EvmChainState(dir == null ? WorldState.inMemory() : WorldState.open(dir.resolve("state")));
    }

    private static Address address(String hex) {
        return Address.of(hex);
    }

    @Override
    public BigInteger balance(String address) {
        return world.balance(address(address));
    }

    @Override
    public BigInteger nonce(String address) {
        return BigInteger.valueOf(world.nonce(address(address)));
    }

    @Override
    public byte[] code(String address) {
        return world.code(address(address));
    }

    @Override
    public byte[] storage(String address, byte[] slot) {
        return world.storageAt(address(address), new Bytes32(slot)).bytes();
    }

    @Override
    public void setBalance(String address, BigInteger balance) {
        world.setBalance(address(address), balance);
    }

    @Override
    public void setNonce(String address, BigInteger nonce) {
        world.setNonce(address(address), nonce.longValueExact());
    }

    @Override
    public void setCode(String address, byte[] code) {
        world.setCode(address(address), code);
    }

    @Override
    public void setStorage(String address, byte[] slot, byte[] value) {
        world.setStorageAt(address(address), new Bytes32(slot), new Bytes32(value));
    }

    @Override
    public Execution transact(Message message, BlockEnv env) {
        return execution(evm.transact(toEvm(message), context(env), ExecutionOptions.ETHEREUM));
    }

    /** The node's pool checked this sender's nonce and funds at admission: no need to read them back. */
    private static final ExecutionOptions ADMITTED = ExecutionOptions.ETHEREUM.withSenderChecked();

    @Override
    public Execution transactAdmitted(Message message, BlockEnv env) {
        return execution(evm.transact(toEvm(message), context(env), ADMITTED));
    }

    /** A free call needs no nonce or fee bookkeeping: half the native round trips of a transaction run. */
    private static final ExecutionOptions BARE_CALL = new ExecutionOptions(Accounting.NONE, false, false);
    /** A simulated transaction's logs are thrown away with its changes: do not read them back. */
    private static final ExecutionOptions SIMULATED = ExecutionOptions.ETHEREUM.withoutLogs();

    @Override
    public Execution call(Message message, BlockEnv env) {
        if (message.gasPrice().signum() != 0 || message.to() == null) {
            return execution(evm.call(toEvm(message), context(env), SIMULATED));
        }
        long intrinsic = GasRules.intrinsicGas(message.data(), false, 0, 0);
        if (message.gasLimit() < intrinsic) {
            return new Execution(false, new byte[0], 0, List.of(), null,
                    "intrinsic gas too low: have " + message.gasLimit() + ", want " + intrinsic, true);
        }
        if (message.gasLimit() == intrinsic) {
            // Nothing is left for execution, which the bare run cannot express: the full rules can.
            return execution(evm.call(toEvm(message), context(env), SIMULATED));
        }
        Message bare = new Message(message.from(), message.to(), message.value(), message.data(), message.gasLimit() - intrinsic,
                message.gasPrice(), null);
        Execution ex = execution(evm.call(toEvm(bare), context(env), BARE_CALL));
        return new Execution(ex.success(), ex.returnData(), ex.gasUsed() + intrinsic, ex.logs(), ex.createdAddress(), ex.error(),
                ex.invalid());
    }

    @Override
    public JsonNode trace(Message message, BlockEnv env, String tracer, JsonNode config) {
        Traced<?> traced;
        if ("callTracer".equals(tracer)) {
            JsonNode callConfig = config == null ? null : config.get("tracerConfig");
            TraceRequest.CallTree tree = new TraceRequest.CallTree(flag(callConfig, "onlyTopCall"), flag(callConfig, "withLog"));
            traced = evm.trace(toEvm(message), context(env), ExecutionOptions.ETHEREUM, tree, false);
        } else if (tracer == null || tracer.isEmpty() || "structLogger".equals(tracer)) {
            TraceRequest.Steps steps = new TraceRequest.Steps(!flag(config, "disableStack"), flag(config, "enableMemory"),
                    !flag(config, "disableStorage"), flag(config, "enableReturnData"));
            traced = evm.trace(toEvm(message), context(env), ExecutionOptions.ETHEREUM, steps, false);
        } else {
            throw new IllegalArgumentException(unsupportedTracer(tracer));
        }
        if (traced.trace() == null) {
            throw new IllegalArgumentException(traced.result().failure().map(Failure::message).orElse("nothing ran"));
        }
        try {
            return json.readTree(traced.trace().toJson());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the evm module wrote a trace that is not JSON", e);
        }
    }

    /** Why {@code tracer} cannot run here, or null if it can. */
    static String unsupportedTracer(String tracer) {
        if (tracer == null || tracer.isEmpty() || "callTracer".equals(tracer) || "structLogger".equals(tracer)) return null;
        return "tracer \"" + tracer + "\" is not supported: the devnet has \"callTracer\" (tracerConfig onlyTopCall, withLog) "
                + "and the struct logger (omit \"tracer\"); prestateTracer, 4byteTracer and JavaScript tracers are not available";
    }

    private static boolean flag(JsonNode config, String name) {
        return config != null && config.path(name).asBoolean(false);
    }

    @Override
    public byte[] commit() {
        return world.commit().bytes();
    }

    @Override
    public byte[] root() {
        return world.root().bytes();
    }

    @Override
    public void resetTo(byte[] root) {
        world.resetTo(new Bytes32(root));
    }

    @Override
    public JsonNode proof(String address, List<byte[]> slots, byte[] root) {
        AccountProof p = world.proof(address(address), slots.stream().map(Bytes32::new).toList(), new Bytes32(root));
        ObjectNode o = json.createObjectNode();
        o.put("address", address.toLowerCase());
        o.put("balance", "0x" + p.balance().toString(16));
        o.put("nonce", "0x" + Long.toHexString(p.nonce()));
        o.put("codeHash", p.codeHash().toHex());
        o.put("storageHash", p.storageHash().toHex());
        ArrayNode accountProof = o.putArray("accountProof");
        p.accountProof().forEach(accountProof::add);
        ArrayNode storage = o.putArray("storageProof");
        for (AccountProof.StorageProof sp : p.storageProof()) {
            ObjectNode s = storage.addObject();
            s.put("key", sp.key().toHex());
            s.put("value", "0x" + sp.value().toString(16));
            ArrayNode proof = s.putArray("proof");
            sp.proof().forEach(proof::add);
        }
        return o;
    }

    @Override
    public void close() {
        world.close();
    }

    private static dev.clearline.evm.Message toEvm(Message m) {
        return new dev.clearline.evm.Message(address(m.from()),
                m.to() == null ? Optional.empty() : Optional.of(address(m.to())), m.value(), m.data(), m.gasLimit(),
                m.gasPrice(), m.nonce() == null ? OptionalLong.empty() : OptionalLong.of(m.nonce()));
    }

    private static BlockContext context(BlockEnv env) {
        return new BlockContext(env.number(), env.timestamp(), env.chainId(), env.baseFee(), address(env.coinbase()),
                env.gasLimit(), new Bytes32(env.prevRandao()),
                n -> Optional.ofNullable(env.blockHashes().apply(n)).filter(h -> h.length == 32).map(Bytes32::new));
    }

    private static Execution execution(ExecutionResult r) {
        List<RawLog> logs = new ArrayList<>();
        for (Log l : r.logs()) {
            // The evm module's hex is lower case already.
            List<String> topics = new ArrayList<>(l.topics().size());
            for (Bytes32 t : l.topics()) topics.add(t.toHex());
            logs.add(new RawLog(l.address().toHex(), topics, Hex.encode(l.data())));
        }
        Optional<Failure> failure = r.failure();
        boolean invalid = failure.isPresent() && failure.get() instanceof Failure.Invalid;
        String error = failure.map(f -> switch (f) {
            case Failure.Reverted rv -> "execution reverted";
            case Failure.Halted h -> Hardfork.explain(h.error());
            case Failure.NoContract nc -> nc.message();
            case Failure.Invalid inv -> inv.reason();
        }).orElse(null);
        return new Execution(r.succeeded(), r.returnData(), r.gasUsed(), logs,
                r.createdAddress().map(Address::toHex).orElse(null), error, invalid);
    }
}
