package dev.clearline.conformance.l1;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.contracts.Artifacts;
import dev.clearline.contracts.mutation.MutantArtifacts;
import dev.clearline.engine.order.BouncyCastleVerifier;
import dev.clearline.engine.order.Eip712;
import dev.clearline.engine.stf.LeafStore;
import dev.clearline.engine.stf.Stf;
import dev.clearline.engine.witness.StepWitness;
import dev.clearline.engine.witness.WitnessBuilder;
import dev.clearline.evm.Address;
import dev.clearline.evm.BlockContext;
import dev.clearline.evm.Evm;
import dev.clearline.evm.ExecutionResult;
import dev.clearline.evm.Message;
import dev.clearline.evm.WorldState;
import dev.clearline.tree.Bytes32;
import dev.clearline.tree.SparseMerkleTree;
import dev.clearline.tree.WriteSet;
import dev.clearline.tree.store.MemoryNodeStore;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.DynamicArray;
import org.web3j.abi.datatypes.DynamicBytes;
import org.web3j.abi.datatypes.StaticStruct;
import org.web3j.abi.datatypes.Type;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.abi.datatypes.generated.Uint32;
import org.web3j.abi.datatypes.generated.Uint64;
import org.web3j.crypto.Hash;
import org.web3j.utils.Numeric;

/**
 * A whole dispute against the real Solidity STF: the full L1 set (token, step contracts,
 * StepVerifier, Rollup, DisputeGame, EscapeHatch) in the embedded EVM, a batch of priority ops
 * whose roots the Java STF computes on a real state tree, and the one-step witness from the
 * Java witness builder. A wrong batch is rejected; an honest one survives a challenge.
 */
class RealVerifierDisputeTest {
    static final long CHAIN_ID = 31337;
    static final Address DEPLOYER = Address.ofLong(0xde9);
    static final Address PROPOSER = Address.ofLong(0x9909);
    static final Address CHALLENGER = Address.ofLong(0xc4a1);
    static final Address ALICE = Address.ofLong(0xa11ce);
    static final Address BOB = Address.ofLong(0xb0b);
    static final BigInteger ETH = BigInteger.TEN.pow(18);
    static final BigInteger BOND = ETH;
    static final BigInteger CHALLENGE_BOND = ETH.divide(BigInteger.TEN);
    static final int ARITY = 2;

    final WorldState state = WorldState.inMemory();
    final Evm evm = new Evm(state);
    final Artifacts artifacts = MutantArtifacts.current(); // the built contracts, or a Solidity mutant in front of them
    long now = 1_700_000_000;
    long block = 1;
    final Address token, rollup, game;
    /**
     * The genesis state: the empty tree (root zero, as the standard deployment's genesis root), committed
     * as a version so witnesses can be proven against it.
     */
    final SparseMerkleTree tree = new SparseMerkleTree(new MemoryNodeStore(), 1 << 10);
    final long genesisVersion = tree.commit(new WriteSet());

    RealVerifierDisputeTest() {
        state.setBalance(DEPLOYER, ETH.multiply(BigInteger.valueOf(1000)));
        long n = state.nonce(DEPLOYER);
        token = Address.ofCreate(DEPLOYER, n);
        Address priority = Address.ofCreate(DEPLOYER, n + 1), account = Address.ofCreate(DEPLOYER, n + 2),
                trading = Address.ofCreate(DEPLOYER, n + 3), verifier = Address.ofCreate(DEPLOYER, n + 4);
        rollup = Address.ofCreate(DEPLOYER, n + 5);
        game = Address.ofCreate(DEPLOYER, n + 6);
        Address hatch = Address.ofCreate(DEPLOYER, n + 7);
        deploy("TestCollateral", token, addr(DEPLOYER));
        deploy("PriorityStep", priority);
        deploy("AccountStep", account);
        deploy("TradingStep", trading);
        deploy("StepVerifier", verifier, addr(priority), addr(account), addr(trading));
        deploy("Rollup", rollup, addr(token), addr(DEPLOYER), addr(game), addr(hatch), new Uint64(3600), new Uint64(7200),
                new Uint256(BOND), new Uint256(50), new Uint256(1024), new org.web3j.abi.datatypes.generated.Bytes32(tree.root(genesisVersion).toArray()),
                addr(Address.ZERO)); // open posting: the test's proposers are not an operator's

        deploy("DisputeGame", game, addr(rollup), addr(verifier), new Uint256(ARITY), new Uint64(1800), new Uint256(CHALLENGE_BOND));
        deploy("EscapeHatch", hatch, addr(rollup), new Uint64(3600));
    }

    @AfterEach
    void close() {
        state.close();
    }

    private void deploy(String name, Address expected, Type<?>... args) {
        byte[] init = concat(artifacts.load(name).creationBytecode(), encodeArgs(List.of(args)));
        Address got = evm.transact(Message.create(DEPLOYER, init).withGasLimit(29_000_000), ctx()).contractAddress();
        assertThat(got).isEqualTo(expected);
    }

    BlockContext ctx() {
        return BlockContext.of(CHAIN_ID, block, now);
    }

    ExecutionResult send(Address from, Address to, BigInteger value, String sig, Type<?>... args) {
        if (state.balance(from).compareTo(ETH.multiply(BigInteger.TEN)) < 0) state.addBalance(from, ETH.multiply(BigInteger.valueOf(100)));
        byte[] data = concat(Arrays.copyOf(Hash.sha3(sig.getBytes()), 4), encodeArgs(List.of(args)));
        ExecutionResult r = evm.transact(Message.call(from, to, data).withValue(value).withGasLimit(29_000_000), ctx());
        block++;
        now++;
        assertThat(r.succeeded()).as(sig + " " + r.failure()).isTrue();
        return r;
    }

    byte[] view(Address to, String sig, Type<?>... args) {
        byte[] data = concat(Arrays.copyOf(Hash.sha3(sig.getBytes()), 4), encodeArgs(List.of(args)));
        return evm.call(Message.call(DEPLOYER, to, data), ctx()).orThrow().returnData();
    }

    static BigInteger word(byte[] d, int i) {
        return new BigInteger(1, Arrays.copyOfRange(d, 32 * i, 32 * i + 32));
    }

    /** The batch of priority ops (all valid), their roots after each step and the witnesses. */
    final class Chain {
        final List<byte[]> transitions = new ArrayList<>();
        final List<byte[]> roots = new ArrayList<>();
        final List<byte[]> witnesses = new ArrayList<>();

        Chain() {
            long t0 = now;
            send(DEPLOYER, token, BigInteger.ZERO, "mint(address,uint256)", addr(ALICE), new Uint256(1_000_000));
            send(DEPLOYER, token, BigInteger.ZERO, "mint(address,uint256)", addr(BOB), new Uint256(1_000_000));
            send(ALICE, token, BigInteger.ZERO, "approve(address,uint256)", addr(rollup), new Uint256(1_000_000));
            send(BOB, token, BigInteger.ZERO, "approve(address,uint256)", addr(rollup), new Uint256(1_000_000));
            long time = now;
            send(DEPLOYER, rollup, BigInteger.ZERO, "configureMarket(uint32,uint64,uint64,uint32,uint32,uint32,uint32,uint32,address)",
                    new Uint32(1), new Uint64(10), new Uint64(100), new Uint32(100_000), new Uint32(50_000), new Uint32(200),
                    new Uint32(500), new Uint32(10_000), addr(Address.ofLong(0x0c)));
            transitions.add(ByteBuffer.allocate(77).put((byte) 2).putLong(0).putLong(time).putInt(1).putLong(10).putLong(100)
                    .putInt(100_000).putInt(50_000).putInt(200).putInt(500).putInt(10_000).put(Address.ofLong(0x0c).bytes()).array());
            long[] amounts = {500_000, 250_000, 40_000};
            Address[] owners = {ALICE, BOB, ALICE};
            for (int i = 0; i < 3; i++) {
                time = now;
                send(owners[i], rollup, BigInteger.ZERO, "deposit(uint256)", new Uint256(amounts[i]));
                transitions.add(ByteBuffer.allocate(45).put((byte) 1).putLong(i + 1).putLong(time).put(owners[i].bytes())
                        .putLong(amounts[i]).array());
            }
            time = now;
            send(ALICE, rollup, BigInteger.ZERO, "requestForcedWithdrawal(uint256)", new Uint256(100_000));
            transitions.add(ByteBuffer.allocate(45).put((byte) 3).putLong(4).putLong(time).put(ALICE.bytes()).putLong(100_000).array());
            assertThat(t0).isLessThan(now);

            Eip712 domain = new Eip712(CHAIN_ID, dev.clearline.engine.order.Address.fromHex(rollup.toHex()));
            WitnessBuilder builder = new WitnessBuilder(new Stf(domain, new BouncyCastleVerifier()));
            long v = genesisVersion;
            roots.add(tree.root(v).toArray());
            for (byte[] t : transitions) {
                StepWitness w = builder.build(tree, v, t);
                assertThat(w.verdict()).isInstanceOf(StepWitness.Verdict.Applied.class);
                witnesses.add(w.witness().encode());
                WriteSet ws = new WriteSet();
                for (LeafStore.Write write : ((StepWitness.Verdict.Applied) w.verdict()).writes()) {
                    if (write.deletes()) ws.delete(Bytes32.of(write.key()));
                    else ws.put(Bytes32.of(write.key()), write.value());
                }
                v = tree.commit(ws);
                roots.add(tree.root(v).toArray());
            }
        }

        StaticStruct header(byte[] post) {
            return new StaticStruct(new Uint64(0), new org.web3j.abi.datatypes.generated.Bytes32(roots.getFirst()),
                    new org.web3j.abi.datatypes.generated.Bytes32(post), new Uint32(transitions.size()),
                    new org.web3j.abi.datatypes.generated.Bytes32(transitionsRoot(transitions)), new Uint64(transitions.size()));
        }
    }

    /** Plays the game: the proposer posts {@code claimed} roots, the challenger disputes the first part it disagrees with. */
    int play(long gameId, Chain chain, List<byte[]> claimed) {
        List<byte[]> posted = List.of();
        for (int guard = 0; guard < 50; guard++) {
            byte[] g = view(game, "game(uint256)", new Uint256(gameId));
            int status = word(g, 2).intValueExact();
            if (status != 1) return status;
            int lo = word(g, 4).intValueExact(), hi = word(g, 5).intValueExact();
            boolean proposerToMove = !word(g, 7).testBit(192);
            List<Integer> cuts = new ArrayList<>();
            int parts = Math.min(ARITY, hi - lo);
            for (int j = 0; j <= parts; j++) cuts.add(lo + (hi - lo) * j / parts);
            if (proposerToMove) {
                posted = new ArrayList<>();
                for (int j = 1; j < parts; j++) posted.add(claimed.get(cuts.get(j)));
                send(PROPOSER, game, BigInteger.ZERO, "bisect(uint256,bytes32[])", new Uint256(gameId), roots(posted));
            } else if (hi - lo > 1) {
                int pick = parts - 1;
                for (int j = 0; j < parts; j++) {
                    byte[] end = j == parts - 1 ? Arrays.copyOfRange(g, 9 * 32, 10 * 32) : posted.get(j);
                    if (!Arrays.equals(end, chain.roots.get(cuts.get(j + 1)))) {
                        pick = j;
                        break;
                    }
                }
                send(CHALLENGER, game, BigInteger.ZERO, "choose(uint256,bytes32[],uint256)", new Uint256(gameId), roots(posted), new Uint256(pick));
            } else {
                send(CHALLENGER, game, BigInteger.ZERO, "oneStep(uint256,bytes,bytes32[],bytes)", new Uint256(gameId),
                        new DynamicBytes(chain.transitions.get(lo)), roots(proof(chain.transitions, lo)), new DynamicBytes(chain.witnesses.get(lo)));
            }
        }
        throw new AssertionError("game did not end");
    }

    long submitAndChallenge(Chain chain, byte[] post) {
        send(PROPOSER, rollup, BOND, "joinProposers()");
        send(PROPOSER, rollup, BigInteger.ZERO, "submitBatch((uint64,bytes32,bytes32,uint32,bytes32,uint64),bytes)", chain.header(post),
                new DynamicBytes(concat(chain.transitions.toArray(byte[][]::new))));
        send(CHALLENGER, game, CHALLENGE_BOND, "challenge((uint64,bytes32,bytes32,uint32,bytes32,uint64))", chain.header(post));
        return word(view(game, "gameCount()"), 0).longValueExact();
    }

    @Test
    void test_aBatchWithAWrongRoot_isRejectedByTheRealOneStep() {
        Chain chain = new Chain();
        List<byte[]> claimed = new ArrayList<>(chain.roots);
        for (int i = 3; i < claimed.size(); i++) claimed.set(i, Hash.sha3(("wrong" + i).getBytes()));
        long id = submitAndChallenge(chain, claimed.getLast());
        assertThat(play(id, chain, claimed)).isEqualTo(2);
        assertThat(word(view(rollup, "nextBatchIndex()"), 0)).isZero();
    }

    @Test
    void test_anHonestBatch_survivesAChallengeThroughTheRealOneStep() {
        Chain chain = new Chain();
        long id = submitAndChallenge(chain, chain.roots.getLast());
        // This challenger disputes everything after the first root; the real step proves it wrong.
        List<byte[]> honest = new ArrayList<>(chain.roots);
        List<byte[]> challengerView = new ArrayList<>(honest);
        for (int i = 1; i < challengerView.size(); i++) challengerView.set(i, new byte[32]);
        assertThat(playWithView(id, chain, honest, challengerView)).isEqualTo(3);
        assertThat(word(view(rollup, "nextBatchIndex()"), 0)).isOne();
    }

    int playWithView(long id, Chain chain, List<byte[]> claimed, List<byte[]> challengerRoots) {
        List<byte[]> saved = new ArrayList<>(chain.roots);
        chain.roots.clear();
        chain.roots.addAll(challengerRoots);
        try {
            return play(id, chain, claimed);
        } finally {
            chain.roots.clear();
            chain.roots.addAll(saved);
        }
    }

    // ------------------------------------------------------------------ helpers

    static byte[] transitionsRoot(List<byte[]> ts) {
        int size = 1;
        while (size < ts.size()) size <<= 1;
        List<byte[]> level = new ArrayList<>();
        for (int i = 0; i < size; i++) level.add(i < ts.size() ? Hash.sha3(ts.get(i)) : new byte[32]);
        while (level.size() > 1) {
            List<byte[]> next = new ArrayList<>();
            for (int i = 0; i < level.size(); i += 2) next.add(Hash.sha3(concat(level.get(i), level.get(i + 1))));
            level = next;
        }
        return level.getFirst();
    }

    static List<byte[]> proof(List<byte[]> ts, int index) {
        int size = 1;
        while (size < ts.size()) size <<= 1;
        List<byte[]> level = new ArrayList<>();
        for (int i = 0; i < size; i++) level.add(i < ts.size() ? Hash.sha3(ts.get(i)) : new byte[32]);
        List<byte[]> siblings = new ArrayList<>();
        for (int at = index; level.size() > 1; at >>= 1) {
            siblings.add(level.get(at ^ 1));
            List<byte[]> next = new ArrayList<>();
            for (int i = 0; i < level.size(); i += 2) next.add(Hash.sha3(concat(level.get(i), level.get(i + 1))));
            level = next;
        }
        return siblings;
    }

    static DynamicArray<org.web3j.abi.datatypes.generated.Bytes32> roots(List<byte[]> rs) {
        List<org.web3j.abi.datatypes.generated.Bytes32> list = new ArrayList<>();
        for (byte[] r : rs) list.add(new org.web3j.abi.datatypes.generated.Bytes32(r));
        return new DynamicArray<>(org.web3j.abi.datatypes.generated.Bytes32.class, list);
    }

    static org.web3j.abi.datatypes.Address addr(Address a) {
        return new org.web3j.abi.datatypes.Address(a.toHex());
    }

    @SuppressWarnings({"rawtypes", "unchecked"})
    static byte[] encodeArgs(List<Type<?>> args) {
        return Numeric.hexStringToByteArray(FunctionEncoder.encodeConstructor((List<Type>) (List) args));
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
}
