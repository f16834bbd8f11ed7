package dev.clearline.conformance.stf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.conformance.DeployedOnce;
import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.BouncyCastleVerifier;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.state.BalanceLeaf;
import dev.clearline.engine.state.GlobalLeaf;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.state.StateKeys;
import dev.clearline.engine.stf.Reject;
import dev.clearline.engine.stf.Stf;
import dev.clearline.engine.transition.Transition;
import dev.clearline.engine.transition.TransitionCodec;
import dev.clearline.engine.witness.StepWitness;
import dev.clearline.engine.witness.Witness;
import dev.clearline.engine.witness.WitnessBuilder;
import dev.clearline.engine.witness.WitnessLeaf;
import dev.clearline.tree.Bytes32;
import dev.clearline.tree.SparseMerkleTree;
import dev.clearline.tree.WriteSet;
import dev.clearline.tree.store.MemoryNodeStore;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Bad input to the step, one named case each: bad transition bytes are a typed rejection
 * (MALFORMED) on both sides; a bad witness is a revert with a custom error that names what is
 * wrong. Never an out-of-gas, a panic or an unnamed revert.
 */
@ExtendWith(DeployedOnce.class)
class StepBadInputTest {
    /** Far below the call's gas limit: a bad input never runs the step out of gas. */
    private static final long GAS_CEILING = 2_000_000;

    private static final WitnessBuilder BUILDER = new WitnessBuilder(new Stf(Differential.DOMAIN, new BouncyCastleVerifier()));
    private static final Signer ALICE = new Signer(BigInteger.valueOf(0xa11ce));
    private static final Address BOB = Address.fromHex("0x0000000000000000000000000000000000000b0b");

    private final StepHarness evm;
    private SparseMerkleTree tree;
    private long version;

    StepBadInputTest(StepHarness evm) {
        this.evm = evm;
        tree = new SparseMerkleTree(new MemoryNodeStore());
        WriteSet ws = new WriteSet();
        ws.put(StateKeys.global(), new GlobalLeaf(0, 3, Hash32.ZERO, 0, 0).encode());
        ws.put(StateKeys.balance(ALICE.address()), new BalanceLeaf(1_000, 0).encode());
        for (int i = 0; i < 64; i++) ws.put(Bytes32.of(dev.clearline.engine.abi.Keccak.hash(new byte[] {(byte) i})), new byte[] {1, (byte) i});
        version = tree.commit(ws);
    }

    private byte[] root() {
        return tree.root(version).toArray();
    }

    private static byte[] deposit(Address owner, long amount) {
        return TransitionCodec.encode(new Transition.Deposit(3, 100, owner, amount));
    }

    private StepHarness.Outcome step(byte[] root, byte[] transition, byte[] witness) {
        StepHarness.Outcome o = evm.step(root, transition, witness, 0, Differential.DOMAIN.domainSeparator().bytes());
        assertThat(o.gas()).as("gas of a bad input").isLessThan(GAS_CEILING);
        return o;
    }

    private void assertMalformedOnBothSides(byte[] transition) {
        StepWitness java = BUILDER.build(tree, version, transition);
        assertThat(java.verdict()).isInstanceOf(StepWitness.Verdict.Malformed.class);
        assertThat(java.verdict().code()).isEqualTo(Reject.MALFORMED.code());
        StepHarness.Outcome sol = step(root(), transition, java.witness().encode());
        assertThat(sol.reverted()).as(String.valueOf(sol.revert())).isFalse();
        assertThat(sol.result().reject()).isEqualTo(Reject.MALFORMED.code());
        assertThat(sol.result().postRoot()).isEqualTo(root());
    }

    @Test
    void aTruncatedTransitionIsMalformedOnBothSides() {
        byte[] ok = deposit(ALICE.address(), 5);
        assertMalformedOnBothSides(Arrays.copyOf(ok, ok.length - 1));
        assertMalformedOnBothSides(Arrays.copyOf(ok, 1));
    }

    @Test
    void anOverLongTransitionIsMalformedOnBothSides() {
        byte[] ok = deposit(ALICE.address(), 5);
        assertMalformedOnBothSides(Arrays.copyOf(ok, ok.length + 1));
        assertMalformedOnBothSides(Arrays.copyOf(ok, ok.length + 4096));
    }

    @Test
    void anEmptyTransitionIsMalformedOnBothSides() {
        assertMalformedOnBothSides(new byte[0]);
    }

    @Test
    void anUnknownTypeIsMalformedOnBothSides() {
        for (int type : new int[] {0, 14, 15, 0x80, 0xff}) {
            byte[] b = deposit(ALICE.address(), 5);
            b[0] = (byte) type;
            assertMalformedOnBothSides(b);
        }
    }

    /** A market's fractions are u32 on the wire and must be below 2^31: exactly 2^31 in each of the five is malformed. */
    @Test
    void aFractionOf2Pow31IsMalformedOnBothSides() {
        Address oracle = Address.fromHex("0x000000000000000000000000000000000000000f");
        int[] ok = {100_000, 50_000, 500, 700, 1_000};
        for (int field = 0; field < ok.length; field++) {
            int[] f = ok.clone();
            f[field] = Integer.MIN_VALUE; // 0x80000000 on the wire
            assertMalformedOnBothSides(TransitionCodec.encode(new Transition.MarketConfig(3, 100, 1, 1, 1, f[0], f[1], f[2], f[3], f[4], oracle)));
        }
    }

    /** An order's enumerations past their last value (side 2, time in force 3, peg 3, and the top byte) are malformed. */
    @Test
    void anOrderEnumerationPastItsLastValueIsMalformedOnBothSides() {
        dev.clearline.engine.order.Order o = new dev.clearline.engine.order.Order(ALICE.address(), 1, dev.clearline.engine.order.Side.BUY,
                100, 10, 0, dev.clearline.engine.order.TimeInForce.GTC, 0, 0, 1, 0);
        byte[] ok = TransitionCodec.encode(new Transition.PostOrder(o, ALICE.sign(Differential.DOMAIN.orderDigest(o))));
        for (int[] at : new int[][] {{25, 2}, {25, 0xff}, {50, 3}, {50, 0xff}, {52, 3}, {52, 0xff}}) { // side, time in force, peg
            byte[] b = ok.clone();
            b[at[0]] = (byte) at[1];
            assertMalformedOnBothSides(b);
        }
    }

    /**
     * Every field of every type whose high bit the Java decoder refuses (a u63 at 2^63 or more, a
     * fraction at 2^31 or more, an enumeration past its values) is malformed in Solidity too: each
     * such byte of one transition of each type, set one at a time.
     */
    @Test
    void everyFieldTheJavaDecoderRefusesWithItsHighBitSetIsMalformedOnBothSides() {
        java.util.Random r = new java.util.Random(63);
        java.util.Map<Integer, byte[]> oneOfEachType = new java.util.TreeMap<>();
        while (oneOfEachType.size() < 16) { // types 1 to 16
            byte[] b = TransitionCodec.encode(dev.clearline.engine.transition.TransitionCodecProperties.TRANSITIONS.next(r));
            oneOfEachType.putIfAbsent(b[0] & 0xff, b);
        }
        int fields = 0;
        for (byte[] ok : oneOfEachType.values()) {
            for (int i = 1; i < ok.length; i++) {
                byte[] b = ok.clone();
                b[i] |= (byte) 0x80;
                if (b[i] == ok[i] || CaseGenerator.decodes(b)) continue;
                assertMalformedOnBothSides(b);
                fields++;
            }
        }
        assertThat(fields).as("bytes whose high bit the decoder refuses, over the 16 types").isGreaterThanOrEqualTo(35);
    }

    @Test
    void aFieldAtOrAbove2Pow63IsMalformedOnBothSides() {
        byte[] b = deposit(ALICE.address(), 5);
        b[37] |= (byte) 0x80; // amount's high bit
        assertMalformedOnBothSides(b);
    }

    @Test
    void aWitnessOfOtherLeavesRevertsNamingTheMissingLeaf() {
        byte[] forBob = BUILDER.build(tree, version, deposit(BOB, 5)).witness().encode();
        StepHarness.Outcome o = step(root(), deposit(ALICE.address(), 5), forBob);
        assertThat(o.revert()).startsWith("WitnessLeafMissing(" + StateKeys.balance(ALICE.address()).toHex());
    }

    @Test
    void aProofForAnotherRootRevertsWithRootMismatch() {
        byte[] t = deposit(ALICE.address(), 5);
        byte[] witness = BUILDER.build(tree, version, t).witness().encode();
        byte[] otherRoot = root().clone();
        otherRoot[0] ^= 1;
        assertThat(step(otherRoot, t, witness).revert()).isEqualTo("WitnessProofInvalid(6)");
    }

    @Test
    void aTamperedLeafValueRevertsWithRootMismatch() {
        byte[] t = deposit(ALICE.address(), 5);
        Witness w = BUILDER.build(tree, version, t).witness();
        List<WitnessLeaf> leaves = new ArrayList<>(w.leaves());
        int i = leaves.indexOf(leaves.stream().filter(WitnessLeaf::present).findFirst().orElseThrow());
        byte[] v = leaves.get(i).value();
        v[v.length - 1] ^= 1;
        leaves.set(i, new WitnessLeaf(leaves.get(i).key(), v));
        assertThat(step(root(), t, new Witness(leaves, w.proof()).encode()).revert()).isEqualTo("WitnessProofInvalid(6)");
    }

    /**
     * A refused step changes nothing, and its witness is still proven: a forged balance that would
     * make a withdrawal look unaffordable reverts, or a watcher could win a dispute on a refusal
     * the state never held.
     */
    @Test
    void aTamperedLeafUnderARefusedStepRevertsWithRootMismatch() {
        long amount = 5_000; // over the 1,000 Alice holds: refused, nothing written
        byte[] t = TransitionCodec.encode(new Transition.Withdraw(ALICE.address(), ALICE.address(), amount, 0,
                ALICE.sign(Differential.DOMAIN.withdrawDigest(ALICE.address(), ALICE.address(), amount, 0))));
        StepWitness built = BUILDER.build(tree, version, t);
        assertThat(built.verdict().code()).isEqualTo(Reject.INSUFFICIENT_BALANCE.code());
        assertThat(step(root(), t, built.witness().encode()).result().reject()).isEqualTo(Reject.INSUFFICIENT_BALANCE.code());
        List<WitnessLeaf> leaves = new ArrayList<>(built.witness().leaves());
        Bytes32 balanceKey = StateKeys.balance(ALICE.address());
        int i = leaves.indexOf(leaves.stream().filter(x -> x.key().equals(balanceKey)).findFirst().orElseThrow());
        leaves.set(i, new WitnessLeaf(balanceKey, new BalanceLeaf(0, 0).encode()));
        assertThat(step(root(), t, new Witness(leaves, built.witness().proof()).encode()).revert()).isEqualTo("WitnessProofInvalid(6)");
    }

    /** An order-hash leaf has two lengths (posted, and posted with an expiry); any other reverts naming the leaf. */
    @Test
    void anOrderHashLeafOfNeitherLengthRevertsNamingTheLeaf() {
        Hash32 hash = new Hash32(Bytes32.of(dev.clearline.engine.abi.Keccak.hash(new byte[] {42})).toArray());
        byte[] t = TransitionCodec.encode(new Transition.Cancel(ALICE.address(), hash, ALICE.sign(Differential.DOMAIN.cancelDigest(ALICE.address(), hash))));
        Witness w = BUILDER.build(tree, version, t).witness();
        List<WitnessLeaf> leaves = new ArrayList<>(w.leaves());
        Bytes32 key = StateKeys.order(Bytes32.of(hash.bytes()));
        int i = leaves.indexOf(leaves.stream().filter(x -> x.key().equals(key)).findFirst().orElseThrow());
        leaves.set(i, new WitnessLeaf(key, new byte[40]));
        assertThat(step(root(), t, new Witness(leaves, w.proof()).encode()).revert()).isEqualTo("WitnessValueMalformed(" + key.toHex() + ", 40)");
    }

    @Test
    void aLeafClaimedAbsentThatExistsRevertsWithValueMismatch() {
        byte[] t = deposit(ALICE.address(), 5);
        Witness w = BUILDER.build(tree, version, t).witness();
        List<WitnessLeaf> leaves = new ArrayList<>(w.leaves());
        int i = leaves.indexOf(leaves.stream().filter(WitnessLeaf::present).findFirst().orElseThrow());
        leaves.set(i, new WitnessLeaf(leaves.get(i).key(), null));
        String revert = step(root(), t, new Witness(leaves, w.proof()).encode()).revert();
        assertThat(revert).startsWith("WitnessProofInvalid(");
    }

    @Test
    void garbageProofBytesRevertWithMalformedProof() {
        byte[] t = deposit(ALICE.address(), 5);
        Witness w = BUILDER.build(tree, version, t).witness();
        byte[] garbage = new byte[] {0, 0};
        assertThat(step(root(), t, new Witness(w.leaves(), garbage).encode()).revert()).isEqualTo("WitnessProofInvalid(1)");
    }

    @Test
    void aTruncatedWitnessRevertsNamingWhereItEnds() {
        byte[] t = deposit(ALICE.address(), 5);
        byte[] w = BUILDER.build(tree, version, t).witness().encode();
        assertThat(step(root(), t, Arrays.copyOf(w, 20)).revert()).startsWith("WitnessTruncated(1, 20)");
        assertThat(step(root(), t, new byte[0]).revert()).isEqualTo("WitnessTruncated(0, 0)");
    }

    @Test
    void leavesWithoutAProofRevertWithProofMissing() {
        byte[] t = deposit(ALICE.address(), 5);
        Witness w = BUILDER.build(tree, version, t).witness();
        byte[] full = w.encode();
        byte[] noProof = Arrays.copyOf(full, full.length - w.proof().length);
        assertThat(step(root(), t, noProof).revert()).isEqualTo("WitnessProofMissing()");
    }

    @Test
    void unsortedWitnessKeysRevertNamingBothKeys() {
        byte[] t = deposit(ALICE.address(), 5);
        byte[] w = BUILDER.build(tree, version, t).witness().encode();
        // swap the first two leaves' blocks (both are 34 + value bytes; rebuild by hand)
        Witness parsed = Witness.decode(w);
        List<WitnessLeaf> l = parsed.leaves();
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(l.size());
        for (int i : new int[] {1, 0}) {
            byte[] v = l.get(i).present() ? l.get(i).value() : new byte[0];
            out.writeBytes(l.get(i).key().toArray());
            out.write(v.length >> 8);
            out.write(v.length);
            out.writeBytes(v);
        }
        out.writeBytes(parsed.proof());
        assertThat(step(root(), t, out.toByteArray()).revert()).startsWith("WitnessKeysNotSorted(" + l.get(1).key().toHex());
    }

    @Test
    void aLeafValueOfTheWrongLengthRevertsNamingTheLeaf() {
        byte[] t = deposit(ALICE.address(), 5);
        Witness w = BUILDER.build(tree, version, t).witness();
        List<WitnessLeaf> leaves = new ArrayList<>(w.leaves());
        Bytes32 balanceKey = StateKeys.balance(ALICE.address());
        int i = leaves.indexOf(leaves.stream().filter(x -> x.key().equals(balanceKey)).findFirst().orElseThrow());
        leaves.set(i, new WitnessLeaf(balanceKey, new byte[65]));
        assertThat(step(root(), t, new Witness(leaves, w.proof()).encode()).revert())
                .isEqualTo("WitnessValueMalformed(" + balanceKey.toHex() + ", 65)");
    }

    @Test
    void aValidWitnessStillAppliesSoTheCasesAboveFailForTheirOwnReason() {
        byte[] t = deposit(ALICE.address(), 5);
        StepWitness java = BUILDER.build(tree, version, t);
        StepHarness.Outcome o = step(root(), t, java.witness().encode());
        assertThat(o.reverted()).as(String.valueOf(o.revert())).isFalse();
        assertThat(o.result().reject()).isZero();
        assertThat(o.result().priorityConsumed()).isTrue();
        assertThat(o.result().priorityIndex()).isEqualTo(3);
    }
}
