package dev.clearline.engine.witness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.BouncyCastleVerifier;
import dev.clearline.engine.order.Eip712;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.order.Signature;
import dev.clearline.engine.state.BalanceLeaf;
import dev.clearline.engine.state.GlobalLeaf;
import dev.clearline.engine.state.StateKeys;
import dev.clearline.engine.stf.Reject;
import dev.clearline.engine.stf.Stf;
import dev.clearline.engine.transition.Transition;
import dev.clearline.engine.transition.TransitionCodec;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import dev.clearline.tree.Bytes32;
import dev.clearline.tree.SparseMerkleTree;
import dev.clearline.tree.WriteSet;
import dev.clearline.tree.hash.TreeHash;
import dev.clearline.tree.proof.ProofError;
import dev.clearline.tree.proof.ProofVerifier;
import dev.clearline.tree.store.MemoryNodeStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class WitnessBuilderTest {
    private static final Eip712 DOMAIN = new Eip712(31337, Address.fromHex("0x00000000000000000000000000000000c1ea4111"));
    private static final Address ALICE = Address.fromHex("0x00000000000000000000000000000000000a11ce");
    private final WitnessBuilder builder = new WitnessBuilder(new Stf(DOMAIN, new BouncyCastleVerifier()));
    private final SparseMerkleTree tree = new SparseMerkleTree(new MemoryNodeStore());
    private final long version;

    WitnessBuilderTest() {
        WriteSet ws = new WriteSet();
        ws.put(StateKeys.global(), new GlobalLeaf(0, 2, Hash32.ZERO, 0, 0).encode());
        ws.put(StateKeys.balance(ALICE), new BalanceLeaf(50, 0).encode());
        Random r = new Random(3);
        for (int i = 0; i < 100; i++) {
            byte[] k = new byte[32];
            r.nextBytes(k);
            ws.put(Bytes32.of(k), new byte[] {(byte) i});
        }
        version = tree.commit(ws);
    }

    private static List<Bytes32> hashes(Witness w) {
        return w.leaves().stream().map(l -> l.present() ? Bytes32.of(TreeHash.value(l.value())) : Bytes32.ZERO).toList();
    }

    @Test
    void aDepositWitnessesExactlyTheBalanceAndGlobalLeavesAndProvesThemUnderThePreRoot() {
        StepWitness w = builder.build(tree, version, TransitionCodec.encode(new Transition.Deposit(2, 0, ALICE, 5)));
        assertThat(w.verdict()).isInstanceOf(StepWitness.Verdict.Applied.class);
        assertThat(w.witness().keys()).containsExactlyInAnyOrder(StateKeys.balance(ALICE), StateKeys.global());
        assertThat(ProofVerifier.verify(tree.root(version), w.witness().keys(), hashes(w.witness()), w.witness().proof()))
                .isEqualTo(ProofError.OK);
        assertThat(tree.latestVersion()).as("the pre-state is not modified").isEqualTo(version);
    }

    @Test
    void aRejectedTransitionStillWitnessesWhatItsRuleRead() {
        Signature garbage = new Signature(new byte[65]);
        StepWitness w = builder.build(tree, version, TransitionCodec.encode(new Transition.Allocate(ALICE, 9, 5, 0, garbage)));
        assertThat(w.verdict()).isEqualTo(new StepWitness.Verdict.Rejected(Reject.BAD_SIGNATURE));
        assertThat(w.witness().keys()).containsExactlyInAnyOrder(StateKeys.balance(ALICE), StateKeys.market(9));
        assertThat(w.witness().leaves()).filteredOn(l -> l.key().equals(StateKeys.market(9))).allMatch(l -> !l.present());
        assertThat(ProofVerifier.verify(tree.root(version), w.witness().keys(), hashes(w.witness()), w.witness().proof()))
                .isEqualTo(ProofError.OK);
    }

    @Test
    void malformedBytesAreRejectedAsMalformedWithAnEmptyWitness() {
        byte[] ok = TransitionCodec.encode(new Transition.Deposit(2, 0, ALICE, 5));
        for (byte[] bad : List.of(new byte[0], Arrays.copyOf(ok, ok.length - 1), Arrays.copyOf(ok, ok.length + 1), new byte[] {(byte) 0xee})) {
            StepWitness w = builder.build(tree, version, bad);
            assertThat(w.verdict()).isInstanceOf(StepWitness.Verdict.Malformed.class);
            assertThat(w.verdict().code()).isEqualTo(Reject.MALFORMED.code());
            assertThat(w.witness().encode()).containsExactly(0);
        }
    }

    @Test
    void witnessBytesDecodeToTheSameWitness() {
        Property.forAll(Gens.seeds()).tries(200).check(seed -> {
            Random r = new Random(seed);
            TreeMap<Bytes32, byte[]> leaves = new TreeMap<>();
            for (int i = 0; i < r.nextInt(8); i++) {
                byte[] k = new byte[32];
                r.nextBytes(k);
                byte[] v = r.nextBoolean() ? null : new byte[1 + r.nextInt(400)];
                if (v != null) r.nextBytes(v);
                leaves.put(Bytes32.of(k), v);
            }
            List<WitnessLeaf> ls = new ArrayList<>();
            leaves.forEach((k, v) -> ls.add(new WitnessLeaf(k, v)));
            byte[] proof = ls.isEmpty() ? new byte[0] : new byte[1 + r.nextInt(300)];
            r.nextBytes(proof);
            Witness w = new Witness(ls, proof);
            assertThat(Witness.decode(w.encode())).isEqualTo(w);
        });
    }

    @Test
    void truncatedOrUnsortedWitnessBytesAreRefusedSayingWhy() {
        Witness w = builder.build(tree, version, TransitionCodec.encode(new Transition.Deposit(2, 0, ALICE, 5))).witness();
        byte[] bytes = w.encode();
        assertThatThrownBy(() -> Witness.decode(new byte[0])).hasMessageContaining("empty witness");
        assertThatThrownBy(() -> Witness.decode(Arrays.copyOf(bytes, 20))).hasMessageContaining("truncated in leaf 0");
        List<WitnessLeaf> reversed = new ArrayList<>(w.leaves());
        java.util.Collections.reverse(reversed);
        assertThatThrownBy(() -> new Witness(reversed, w.proof())).hasMessageContaining("strictly ascending");
        assertThatThrownBy(() -> new Witness(w.leaves(), new byte[0])).hasMessageContaining("proof exactly when it has leaves");
    }
}
