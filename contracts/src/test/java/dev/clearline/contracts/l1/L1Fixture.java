package dev.clearline.contracts.l1;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.contracts.Artifacts;
import dev.clearline.contracts.ContractArtifact;
import dev.clearline.contracts.mutation.MutantArtifacts;
import dev.clearline.evm.Address;
import dev.clearline.evm.BlockContext;
import dev.clearline.evm.Evm;
import dev.clearline.evm.ExecutionResult;
import dev.clearline.evm.Failure;
import dev.clearline.evm.Log;
import dev.clearline.evm.Message;
import dev.clearline.evm.WorldState;
import dev.clearline.evm.revert.Revert;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.DynamicArray;
import org.web3j.abi.datatypes.DynamicBytes;
import org.web3j.abi.datatypes.StaticStruct;
import org.web3j.abi.datatypes.Type;
import org.web3j.abi.datatypes.generated.Bytes32;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.abi.datatypes.generated.Uint32;
import org.web3j.abi.datatypes.generated.Uint64;
import org.web3j.crypto.Hash;
import org.web3j.utils.Numeric;

/**
 * The L1 contract set (collateral token, a one-step verifier, Rollup, DisputeGame, EscapeHatch)
 * deployed into a fresh embedded EVM, with a clock the tests move and thin ABI helpers. The
 * rollup, the game and the hatch refer to each other, so their addresses are predicted from the
 * deployer's nonce before any is deployed (the same scheme the devnet deployer uses).
 */
final class L1Fixture implements AutoCloseable {
    static final long CHAIN_ID = 31337;
    static final long CHALLENGE_PERIOD = 3_600;
    static final long FORCE_DELAY = 7_200;
    static final long CLOCK_BUDGET = 1_800;
    static final long CLAIM_WINDOW = 3_600;
    static final BigInteger PROPOSER_BOND = BigInteger.TEN.pow(18);
    static final BigInteger CHALLENGE_BOND = BigInteger.TEN.pow(17);
    static final int BURN_PERCENT = 50;
    static final BigInteger ETH = BigInteger.TEN.pow(18);

    static final Address DEPLOYER = Address.ofLong(0xde9);
    static final Address GOVERNANCE = Address.ofLong(0x90f);

    /** Deployment parameters a test may change. */
    record Params(int arity, int maxTransitions, String verifier, byte[] genesisRoot, Address sequencer) {
        /** Open posting (no sequencer), as the tests of proposers, disputes and the queue need. */
        static Params defaults() {
            return new Params(16, 4096, "ToyStepVerifier", ToyStf.State.GENESIS.root(), Address.ZERO);
        }

        Params withArity(int k) {
            return new Params(k, maxTransitions, verifier, genesisRoot, sequencer);
        }

        Params withMaxTransitions(int n) {
            return new Params(arity, n, verifier, genesisRoot, sequencer);
        }

        Params withGenesis(byte[] root) {
            return new Params(arity, maxTransitions, verifier, root, sequencer);
        }

        Params withSequencer(Address a) {
            return new Params(arity, maxTransitions, verifier, genesisRoot, a);
        }
    }

    final WorldState state = WorldState.inMemory();
    final Evm evm = new Evm(state);
    final Artifacts artifacts = MutantArtifacts.current(); // the built contracts, or a Solidity mutant in front of them
    final Params params;
    final Address token;
    final Address verifier;
    final Address rollup;
    final Address game;
    final Address hatch;
    long now = 1_700_000_000;
    long blockNumber = 1;

    L1Fixture() {
        this(Params.defaults(), "TestCollateral");
    }

    L1Fixture(Params params) {
        this(params, "TestCollateral");
    }

    L1Fixture(Params params, String tokenContract) {
        this.params = params;
        for (String name : List.of("Rollup", "DisputeGame", "EscapeHatch", "TestCollateral", "ToyStepVerifier",
                "ReentrantToken", "EthReentrant", "QuirkyToken", "ConstructorPoster")) {
            evm.revertDecoder().registerAbi(artifacts.load(name).abiJson());
        }
        state.setBalance(DEPLOYER, ETH.multiply(BigInteger.valueOf(1_000)));
        long n = state.nonce(DEPLOYER);
        token = Address.ofCreate(DEPLOYER, n);
        verifier = Address.ofCreate(DEPLOYER, n + 1);
        rollup = Address.ofCreate(DEPLOYER, n + 2);
        game = Address.ofCreate(DEPLOYER, n + 3);
        hatch = Address.ofCreate(DEPLOYER, n + 4);
        deploy(tokenContract, tokenContract.equals("TestCollateral") ? List.of(addr(DEPLOYER)) : List.of(), token);
        deploy(params.verifier(), List.of(), verifier);
        deploy("Rollup", rollupArgs(args -> { }), rollup);
        deploy("DisputeGame", List.of(addr(rollup), addr(verifier), new Uint256(params.arity()), u64(CLOCK_BUDGET),
                new Uint256(CHALLENGE_BOND)), game);
        deploy("EscapeHatch", List.of(addr(rollup), u64(CLAIM_WINDOW)), hatch);
    }

    private void deploy(String name, List<Type<?>> args, Address expected) {
        ContractArtifact a = artifacts.load(name);
        byte[] init = concat(a.creationBytecode(), encodeArgs(args));
        Address got = evm.transact(Message.create(DEPLOYER, init), block()).contractAddress();
        assertThat(got).as(name + " address").isEqualTo(expected);
    }

    /** Deploys {@code name} from the deployer with {@code args}: the result, whether it deployed or reverted. */
    ExecutionResult tryDeploy(String name, List<Type<?>> args) {
        byte[] init = concat(artifacts.load(name).creationBytecode(), encodeArgs(args));
        ExecutionResult r = evm.transact(Message.create(DEPLOYER, init), block());
        blockNumber++;
        return r;
    }

    /** The Rollup's constructor arguments as this fixture deploys it, with {@code change} applied (index: the parameter). */
    List<Type<?>> rollupArgs(java.util.function.Consumer<List<Type<?>>> change) {
        List<Type<?>> args = new ArrayList<>(List.of(addr(token), addr(GOVERNANCE), addr(game), addr(hatch), u64(CHALLENGE_PERIOD),
                u64(FORCE_DELAY), new Uint256(PROPOSER_BOND), new Uint256(BURN_PERCENT), new Uint256(params.maxTransitions()),
                new Bytes32(params.genesisRoot()), addr(params.sequencer())));
        change.accept(args);
        return args;
    }

    BlockContext block() {
        return BlockContext.of(CHAIN_ID, blockNumber, now);
    }

    void advance(long seconds) {
        now += seconds;
        blockNumber++;
    }

    // ------------------------------------------------------------------ transactions

    ExecutionResult send(Address from, Address to, String signature, Type<?>... args) {
        return send(from, to, BigInteger.ZERO, signature, args);
    }

    ExecutionResult send(Address from, Address to, BigInteger value, String signature, Type<?>... args) {
        if (state.balance(from).compareTo(ETH) < 0) state.addBalance(from, ETH.multiply(BigInteger.valueOf(100)));
        ExecutionResult r = evm.transact(Message.call(from, to, calldata(signature, args)).withValue(value).withGasLimit(29_000_000), block());
        blockNumber++;
        return r;
    }

    ExecutionResult ok(ExecutionResult r) {
        assertThat(r.succeeded()).as(() -> r.failure().map(Failure::toString).orElse("")).isTrue();
        return r;
    }

    byte[] view(Address to, String signature, Type<?>... args) {
        ExecutionResult r = evm.call(Message.call(Address.ofLong(0x7777), to, calldata(signature, args)), block());
        ok(r);
        return r.returnData();
    }

    BigInteger viewUint(Address to, String signature, Type<?>... args) {
        return word(view(to, signature, args), 0);
    }

    static BigInteger word(byte[] data, int i) {
        return new BigInteger(1, Arrays.copyOfRange(data, 32 * i, 32 * i + 32));
    }

    static byte[] wordBytes(byte[] data, int i) {
        return Arrays.copyOfRange(data, 32 * i, 32 * i + 32);
    }

    static void assertReverted(ExecutionResult r, String errorSignature) {
        assertThat(r.failure()).as("expected a revert with " + errorSignature).isPresent();
        Failure f = r.failure().get();
        assertThat(f).isInstanceOf(Failure.Reverted.class);
        Revert reason = ((Failure.Reverted) f).reason();
        assertThat(reason).as(f.toString()).isInstanceOf(Revert.CustomError.class);
        assertThat(((Revert.CustomError) reason).signature()).isEqualTo(errorSignature);
    }

    static List<Object> revertArgs(ExecutionResult r) {
        return ((Revert.CustomError) ((Failure.Reverted) r.failure().orElseThrow()).reason()).arguments();
    }

    static List<Log> events(ExecutionResult r, String eventSignature) {
        dev.clearline.evm.Bytes32 topic = new dev.clearline.evm.Bytes32(Hash.sha3(eventSignature.getBytes()));
        return r.logs().stream().filter(l -> !l.topics().isEmpty() && l.topics().getFirst().equals(topic)).toList();
    }

    static Log event(ExecutionResult r, String eventSignature) {
        List<Log> found = events(r, eventSignature);
        assertThat(found).as("event " + eventSignature + " in " + r.logs().size() + " logs").hasSize(1);
        return found.getFirst();
    }

    // ------------------------------------------------------------------ token

    void fund(Address who, long amount) {
        ok(send(DEPLOYER, token, "mint(address,uint256)", addr(who), uint(amount)));
        ok(send(who, token, "approve(address,uint256)", addr(rollup), new Uint256(BigInteger.TWO.pow(256).subtract(BigInteger.ONE))));
    }

    BigInteger tokenBalance(Address who) {
        return viewUint(token, "balanceOf(address)", addr(who));
    }

    // ------------------------------------------------------------------ rollup operations

    /** Deposits and returns the Deposit transition the queue now holds. */
    byte[] deposit(Address who, long amount) {
        long index = queueLength();
        ok(send(who, rollup, "deposit(uint256)", uint(amount)));
        return Transitions.deposit(index, now, who, amount);
    }

    long queueLength() {
        return viewUint(rollup, "queueLength()").longValueExact();
    }

    void join(Address proposer) {
        ok(send(proposer, rollup, PROPOSER_BOND, "joinProposers()"));
    }

    long nextBatchIndex() {
        return viewUint(rollup, "nextBatchIndex()").longValueExact();
    }

    long finalizedCount() {
        return viewUint(rollup, "finalizedCount()").longValueExact();
    }

    byte[] tipRoot() {
        return wordBytes(view(rollup, "tip()"), 0);
    }

    ExecutionResult submit(Address proposer, Header h, byte[] calldata) {
        return send(proposer, rollup, "submitBatch((uint64,bytes32,bytes32,uint32,bytes32,uint64),bytes)",
                h.struct(), new DynamicBytes(calldata));
    }

    ExecutionResult challenge(Address challenger, Header h) {
        return send(challenger, game, CHALLENGE_BOND, "challenge((uint64,bytes32,bytes32,uint32,bytes32,uint64))", h.struct());
    }

    ExecutionResult finalizeBatches(long max) {
        return send(Address.ofLong(0xf1a1), rollup, "finalizeBatches(uint64)", u64(max));
    }

    BigInteger ethCredit(Address who) {
        return viewUint(rollup, "ethCredit(address)", addr(who));
    }

    BigInteger gameCredit(Address who) {
        return viewUint(game, "credit(address)", addr(who));
    }

    /** The header of a batch as a proposer would post it. */
    record Header(long batchIndex, byte[] prev, byte[] post, int count, byte[] transitionsRoot, long priorityOpsConsumed) {
        StaticStruct struct() {
            return new StaticStruct(u64(batchIndex), new Bytes32(prev), new Bytes32(post), new Uint32(count),
                    new Bytes32(transitionsRoot), u64(priorityOpsConsumed));
        }

        byte[] hash() {
            return Hash.sha3(encode());
        }

        byte[] encode() {
            return concat(Numeric.toBytesPadded(BigInteger.valueOf(batchIndex), 8), prev, post,
                    Numeric.toBytesPadded(BigInteger.valueOf(count), 4), transitionsRoot,
                    Numeric.toBytesPadded(BigInteger.valueOf(priorityOpsConsumed), 8));
        }

        Header withPost(byte[] p) {
            return new Header(batchIndex, prev, p, count, transitionsRoot, priorityOpsConsumed);
        }
    }

    static Header header(long index, byte[] prev, byte[] post, List<byte[]> transitions, long consumedAfter) {
        return new Header(index, prev, post, transitions.size(), Transitions.root(transitions), consumedAfter);
    }

    // ------------------------------------------------------------------ ABI

    static byte[] calldata(String signature, Type<?>... args) {
        byte[] selector = Arrays.copyOf(Hash.sha3(signature.getBytes()), 4);
        return concat(selector, encodeArgs(List.of(args)));
    }

    @SuppressWarnings({"rawtypes", "unchecked"})
    static byte[] encodeArgs(List<Type<?>> args) {
        return Numeric.hexStringToByteArray(FunctionEncoder.encodeConstructor((List<Type>) (List) args));
    }

    static org.web3j.abi.datatypes.Address addr(Address a) {
        return new org.web3j.abi.datatypes.Address(a.toHex());
    }

    static Uint256 uint(long v) {
        return new Uint256(BigInteger.valueOf(v));
    }

    static Uint64 u64(long v) {
        return new Uint64(BigInteger.valueOf(v));
    }

    static Bytes32 b32(byte[] v) {
        return new Bytes32(v);
    }

    static DynamicArray<Bytes32> roots(List<byte[]> roots) {
        List<Bytes32> list = new ArrayList<>();
        for (byte[] r : roots) list.add(new Bytes32(r));
        return new DynamicArray<>(Bytes32.class, list);
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) n += p.length;
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    @Override
    public void close() {
        state.close();
    }
}
