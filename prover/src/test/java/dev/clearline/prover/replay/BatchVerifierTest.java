package dev.clearline.prover.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.engine.batch.Batch;
import dev.clearline.engine.batch.BatchBuilder;
import dev.clearline.engine.batch.BatchHeader;
import dev.clearline.engine.batch.BatchPolicy;
import dev.clearline.engine.batch.TransitionsRoot;
import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.BouncyCastleVerifier;
import dev.clearline.engine.order.Eip712;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.engine.stf.Reject;
import dev.clearline.engine.stf.Stf;
import dev.clearline.engine.transition.Transition;
import dev.clearline.engine.transition.Transition.*;
import dev.clearline.engine.transition.TransitionCodec;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import dev.clearline.tree.store.MemoryNodeStore;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BatchVerifierTest {
    private static final Eip712 DOMAIN = new Eip712(31337, Address.fromHex("0x5FbDB2315678afecb367f032d93F642f64180aa3"));
    private static final Signer ORACLE = new Signer(BigInteger.valueOf(999_999_937L));
    private static final Signer ALICE = new Signer(BigInteger.valueOf(1_000_003L));
    private static final Signer BOB = new Signer(BigInteger.valueOf(2_000_003L));

    private List<Batch> honest;

    /** Three honest batches from the sequencer's own batch builder: a market, deposits, a fill, a withdrawal. */
    @BeforeEach
    void sequencerPostsThreeBatches() {
        BatchBuilder builder = new BatchBuilder(stf(), new MemoryNodeStore(), new BatchPolicy(1_000, 60));
        appendAll(builder, List.of(
                new MarketConfig(0, 0, 1, 100, 1_000, 100_000, 50_000, 200, 500, ORACLE.address()),
                new Deposit(1, 0, ALICE.address(), 50_000_000),
                new Deposit(2, 0, BOB.address(), 50_000_000),
                price(10_000, 1)));
        builder.seal();
        Order ask = new Order(ALICE.address(), 1, Side.SELL, 10_000, 5_000, 0, TimeInForce.GTC, 0, 0, 1, 5_000_000);
        Order bid = new Order(BOB.address(), 1, Side.BUY, 10_000, 5_000, 0, TimeInForce.GTC, 0, 0, 1, 5_000_000);
        appendAll(builder, List.of(post(ALICE, ask), post(BOB, bid), new Trade(1, 2, 3_000), price(10_100, 2)));
        builder.seal();
        appendAll(builder, List.of(withdraw(ALICE, 1_000_000, 0), new Trade(1, 2, 2_000)));
        builder.seal();
        honest = builder.takeSealed();
        assertThat(honest).hasSize(3);
    }

    @Test
    void honestBatchesAreJudgedHonestAndAdvanceTheVerifiedRoot() {
        BatchVerifier verifier = new BatchVerifier(stf(), new MemoryNodeStore());
        for (Batch b : honest) {
            Verdict v = verifier.verify(posted(b));
            assertThat(v).isEqualTo(new Verdict.Honest(b.header().batchIndex(), b.header().postStateRoot()));
        }
        assertThat(verifier.verifiedRoot()).isEqualTo(honest.get(2).header().postStateRoot());
    }

    @Test
    void aWrongPostRootIsFraudAndLeavesTheVerifiedStateWhereItWas() {
        BatchVerifier verifier = new BatchVerifier(stf(), new MemoryNodeStore());
        verifier.verify(posted(honest.get(0)));
        Hash32 before = verifier.verifiedRoot();
        BatchHeader h = honest.get(1).header();
        Hash32 lie = Hash32.fromHex("0x" + "ab".repeat(32));
        Verdict v = verifier.verify(new PostedBatch(withPostRoot(h, lie), honest.get(1).calldata()));
        assertThat(v).isEqualTo(new Verdict.WrongPostRoot(1, lie, h.postStateRoot()));
        assertThat(verifier.verifiedRoot()).isEqualTo(before);
        // The proposer re-posts the honest batch 1 on the same pre-state; the chain goes on.
        assertThat(verifier.verify(posted(honest.get(1))).honest()).isTrue();
    }

    @Test
    void aRefusedTransitionInsideABatchIsFraudAtThatStep() {
        BatchVerifier verifier = new BatchVerifier(stf(), new MemoryNodeStore());
        verifier.verify(posted(honest.get(0)));
        verifier.verify(posted(honest.get(1)));
        // Batch 2 with a fill beyond the orders' size: the STF says OVERFILL at step 1.
        List<byte[]> pieces = new ArrayList<>(honest.get(2).encodedTransitions());
        pieces.set(1, TransitionCodec.encode(new Trade(1, 2, 9_000)));
        BatchHeader h = honest.get(2).header();
        BatchHeader forged = new BatchHeader(h.batchIndex(), h.prevStateRoot(), h.postStateRoot(), pieces.size(),
                TransitionsRoot.of(pieces), h.priorityOpsConsumed());
        Verdict v = verifier.verify(new PostedBatch(forged, concat(pieces)));
        assertThat(v).isEqualTo(new Verdict.RejectedStep(2, 1, Reject.OVERFILL));
        assertThat(v.firstSuspectStep()).isEqualTo(1);
    }

    @Test
    void calldataThatDoesNotCutIntoTransitionsIsFraudWithItsOffset() {
        BatchVerifier verifier = new BatchVerifier(stf(), new MemoryNodeStore());
        byte[] good = honest.get(0).calldata();
        byte[] broken = Arrays.copyOf(good, good.length + 3);
        broken[good.length] = (byte) 0xee;
        Verdict v = verifier.verify(new PostedBatch(honest.get(0).header(), broken));
        assertThat(v).isInstanceOf(Verdict.Undecodable.class);
        Verdict.Undecodable u = (Verdict.Undecodable) v;
        assertThat(u.offset()).isEqualTo(good.length);
        assertThat(u.step()).isEqualTo(4);
        assertThat(u.reason()).contains("unknown transition type 238");
    }

    /** Calldata cut short inside its last transition is fraud at that transition, with the bytes it lacks. */
    @Test
    void calldataCutShortInsideItsLastTransitionIsFraudAtThatTransition() {
        BatchVerifier verifier = new BatchVerifier(stf(), new MemoryNodeStore());
        List<byte[]> pieces = honest.get(0).encodedTransitions();
        byte[] good = honest.get(0).calldata();
        byte[] cut = Arrays.copyOf(good, good.length - 3);
        int last = good.length - pieces.getLast().length;
        Verdict v = verifier.verify(new PostedBatch(honest.get(0).header(), cut));
        assertThat(v).isInstanceOf(Verdict.Undecodable.class);
        Verdict.Undecodable u = (Verdict.Undecodable) v;
        assertThat(u.step()).isEqualTo(pieces.size() - 1);
        assertThat(u.offset()).isEqualTo(last);
        assertThat(u.reason()).contains("needs " + pieces.getLast().length + " bytes, " + (pieces.getLast().length - 3) + " left");
        assertThat(verifier.verifiedRoot()).isEqualTo(Hash32.ZERO);
    }

    @Test
    void aHeaderThatDisagreesWithItsCalldataIsNamedByField() {
        BatchVerifier verifier = new BatchVerifier(stf(), new MemoryNodeStore());
        BatchHeader h = honest.get(0).header();
        BatchHeader wrongCount = new BatchHeader(h.batchIndex(), h.prevStateRoot(), h.postStateRoot(), h.transitionCount() + 1,
                h.transitionsRoot(), h.priorityOpsConsumed());
        assertThat(verifier.verify(new PostedBatch(wrongCount, honest.get(0).calldata())))
                .isEqualTo(new Verdict.HeaderMismatch(0, "transitionCount", "5", "4"));
        BatchHeader wrongPriority = new BatchHeader(h.batchIndex(), h.prevStateRoot(), h.postStateRoot(), h.transitionCount(),
                h.transitionsRoot(), h.priorityOpsConsumed() + 1);
        assertThat(verifier.verify(new PostedBatch(wrongPriority, honest.get(0).calldata())))
                .isEqualTo(new Verdict.HeaderMismatch(0, "priorityOpsConsumed", "4", "3"));
    }

    @Test
    void aBatchOnAnotherPreStateIsRefusedBeforeReplay() {
        BatchVerifier verifier = new BatchVerifier(stf(), new MemoryNodeStore());
        Verdict v = verifier.verify(posted(honest.get(1)));
        assertThat(v).isEqualTo(new Verdict.WrongPrevRoot(1, honest.get(1).header().prevStateRoot(), Hash32.ZERO));
    }

    @Test
    void aVerifierThatForgetsItsHistoryKeepsOneVersionJudgesAlikeAndRefusesToBisectWhatItForgot() {
        MemoryNodeStore nodes = new MemoryNodeStore();
        BatchVerifier forgetting = new BatchVerifier(stf(), nodes);
        BatchVerifier keeping = new BatchVerifier(stf(), new MemoryNodeStore());
        for (int i = 0; i < 2; i++) {
            assertThat(forgetting.verify(posted(honest.get(i))).honest()).isTrue();
            assertThat(keeping.verify(posted(honest.get(i))).honest()).isTrue();
            forgetting.forgetHistory();
            assertThat(nodes.oldestVersion()).as("versions kept after batch %d", i).isEqualTo(nodes.latestVersion());
            assertThat(forgetting.verifiedRoot()).isEqualTo(keeping.verifiedRoot());
        }
        // fraud after forgetting is still fraud, and leaves the state where it was
        BatchHeader h = honest.get(2).header();
        Hash32 lie = new Hash32(new byte[32]);
        assertThat(forgetting.verify(new PostedBatch(withPostRoot(h, lie), honest.get(2).calldata())))
                .isEqualTo(new Verdict.WrongPostRoot(2, lie, h.postStateRoot()));
        assertThat(forgetting.verify(posted(honest.get(2))).honest()).isTrue();
        assertThat(forgetting.verifiedRoot()).isEqualTo(h.postStateRoot());
        // batch 2 was judged after the last forgetting: its prefixes are there; batch 1's pre-state is gone, and it says so
        assertThat(forgetting.rootAfterPrefix(posted(honest.get(2)), 1)).isEqualTo(keeping.rootAfterPrefix(posted(honest.get(2)), 1));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> forgetting.rootAfterPrefix(posted(honest.get(1)), 1))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("batch 1 was judged before");
    }

    /**
     * A piece of the right length for its type whose fields do not decode (a fill size with its top bit set) is
     * fraud by itself, at its own step and offset, wherever it sits in the batch (first, inside, last): the
     * step a one-step proof re-executes, and what `verify-batch` tells the reader.
     */
    @Test
    void aTransitionThatDoesNotDecodeIsFraudAtItsOwnStepWhereverItSits() {
        List<byte[]> pieces = honest.get(1).encodedTransitions();
        byte[] malformed = TransitionCodec.encode(new Trade(1, 2, 3_000));
        malformed[1 + 6 + 6] |= (byte) 0x80; // the size's top bit: "must be below 2^63"
        for (int k = 0; k < pieces.size(); k++) {
            BatchVerifier verifier = new BatchVerifier(stf(), new MemoryNodeStore());
            verifier.verify(posted(honest.get(0)));
            Hash32 before = verifier.verifiedRoot();
            List<byte[]> forged = new ArrayList<>(pieces);
            forged.set(k, malformed);
            BatchHeader h = honest.get(1).header();
            BatchHeader header = new BatchHeader(h.batchIndex(), h.prevStateRoot(), h.postStateRoot(), forged.size(),
                    TransitionsRoot.of(forged), h.priorityOpsConsumed());
            int offset = concat(forged.subList(0, k)).length;
            Verdict v = verifier.verify(new PostedBatch(header, concat(forged)));
            assertThat(v).as("malformed piece at step %d", k).isInstanceOf(Verdict.Undecodable.class);
            Verdict.Undecodable u = (Verdict.Undecodable) v;
            assertThat(u.batchIndex()).isEqualTo(1);
            assertThat(u.step()).as("step").isEqualTo(k);
            assertThat(u.offset()).as("offset").isEqualTo(offset);
            assertThat(u.reason()).contains("below 2^63");
            assertThat(verifier.verifiedRoot()).isEqualTo(before);
        }
    }

    /**
     * The batch a watcher must fight is the one it has just judged: a verifier that forgot the history behind it
     * (`forgetHistory`) still bisects a fraudulent batch judged after that, from the state before it.
     */
    @Test
    void aFraudulentBatchJudgedAfterForgettingCanStillBeBisected() {
        BatchVerifier forgetting = new BatchVerifier(stf(), new MemoryNodeStore());
        BatchVerifier keeping = new BatchVerifier(stf(), new MemoryNodeStore());
        for (int i = 0; i < 2; i++) {
            forgetting.verify(posted(honest.get(i)));
            keeping.verify(posted(honest.get(i)));
        }
        forgetting.forgetHistory();
        PostedBatch lie = new PostedBatch(withPostRoot(honest.get(2).header(), new Hash32(new byte[32])), honest.get(2).calldata());
        assertThat(forgetting.verify(lie).honest()).isFalse();
        for (int k = 0; k <= 2; k++) {
            assertThat(forgetting.rootAfterPrefix(lie, k)).as("prefix %d", k).isEqualTo(keeping.rootAfterPrefix(lie, k));
        }
    }

    @Test
    void prefixRootsMatchTheSequencersOwnReplayAtEveryCut() {
        BatchVerifier verifier = new BatchVerifier(stf(), new MemoryNodeStore());
        BatchBuilder again = new BatchBuilder(stf(), new MemoryNodeStore(), new BatchPolicy(1_000, 60));
        for (Batch b : honest) {
            verifier.verify(posted(b));
            appendAll(again, b.transitions());
            again.seal();
        }
        List<Batch> rebuilt = again.takeSealed();
        for (int i = 0; i < honest.size(); i++) {
            Batch b = rebuilt.get(i);
            for (int k = 0; k <= b.transitions().size(); k++) {
                assertThat(verifier.rootAfterPrefix(posted(honest.get(i)), k)).as("batch %d prefix %d", i, k)
                        .isEqualTo(again.rootAfterPrefix(b, k));
            }
        }
    }

    @Test
    void anyCorruptedByteOfAnHonestBatchIsNeverJudgedHonestUnlessTheBytesAreUnchanged() {
        byte[] calldata = honest.get(0).calldata();
        Property.forAll(Gens.ints(0, calldata.length - 1), Gens.ints(1, 255)).tries(150).check((at, flip) -> {
            BatchVerifier verifier = new BatchVerifier(stf(), new MemoryNodeStore());
            byte[] corrupted = calldata.clone();
            corrupted[at] ^= (byte) (int) flip;
            Verdict v = verifier.verify(new PostedBatch(honest.get(0).header(), corrupted));
            assertThat(v.honest()).as("flipping byte %d by %d", at, flip).isFalse();
            assertThat(verifier.verifiedRoot()).isEqualTo(Hash32.ZERO);
        });
    }

    /**
     * A batch another proposer builds from queued ops on the verified state is the batch the
     * sequencer's own builder seals for them (header and calldata), the verifier judges it honest,
     * and building it leaves the verified state as it was. Ops: deposits, forced withdrawals (some
     * beyond the balance: recorded as refused, still consumed) and forced cancels, for two owners.
     */
    @Test
    void aProposalFromQueuedOpsIsTheBatchTheSequencerWouldSealAndJudgedHonest() {
        Property.forAll(Gens.listOf(Gens.longs(0, 150_000_000), 1, 12)).tries(40).check(codes -> {
            BatchVerifier verifier = new BatchVerifier(stf(), new MemoryNodeStore());
            honest.forEach(b -> assertThat(verifier.verify(posted(b)).honest()).isTrue());
            List<PriorityOp> ops = new ArrayList<>();
            for (long code : codes) {
                long index = 3 + ops.size(); // ops 0 to 2 are in the first batch
                Address owner = code % 2 == 0 ? ALICE.address() : BOB.address();
                ops.add(switch ((int) (code % 3)) {
                    case 0 -> new Deposit(index, 7, owner, code);
                    case 1 -> new ForcedWithdrawal(index, 7, owner, code / 2);
                    default -> new ForcedCancel(index, 7, owner, new Hash32(Arrays.copyOf(BigInteger.valueOf(code).toByteArray(), 32)));
                });
            }
            Hash32 before = verifier.verifiedRoot();

            PostedBatch proposal = verifier.propose(3, ops);

            assertThat(verifier.verifiedRoot()).as("nothing kept").isEqualTo(before);
            BatchBuilder sequencer = threeBatchesBuilder();
            appendAll(sequencer, ops);
            sequencer.seal();
            Batch sealed = sequencer.takeSealed().getFirst();
            assertThat(proposal.header()).isEqualTo(sealed.header());
            assertThat(proposal.header().priorityOpsConsumed()).isEqualTo(3 + ops.size());
            assertThat(proposal.calldata()).isEqualTo(sealed.calldata());
            assertThat(verifier.verify(proposal)).isEqualTo(new Verdict.Honest(3, sealed.header().postStateRoot()));
        });
    }

    @Test
    void aProposalHoldingAnOpTheStfRefusesIsNotBuiltAndLeavesTheStateAsItWas() {
        BatchVerifier verifier = new BatchVerifier(stf(), new MemoryNodeStore());
        honest.forEach(b -> assertThat(verifier.verify(posted(b)).honest()).isTrue());
        Hash32 before = verifier.verifiedRoot();
        // op 4 before op 3: the queue is consumed in order
        List<PriorityOp> outOfOrder = List.of(new Deposit(3, 7, ALICE.address(), 5), new Deposit(5, 7, BOB.address(), 5));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> verifier.propose(3, outOfOrder))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("transition 1 (Deposit) is refused by the STF");
        assertThat(verifier.verifiedRoot()).isEqualTo(before);
        PostedBatch good = verifier.propose(3, List.of(new Deposit(3, 7, BOB.address(), 5)));
        assertThat(good.header().prevStateRoot()).isEqualTo(before);
        assertThat(verifier.verify(good).honest()).as("the refused attempt's first deposit is not in the state").isTrue();
    }

    /** The sequencer's builder after the three honest batches, as {@link #sequencerPostsThreeBatches} leaves it. */
    private BatchBuilder threeBatchesBuilder() {
        BatchBuilder builder = new BatchBuilder(stf(), new MemoryNodeStore(), new BatchPolicy(1_000, 60));
        for (Batch b : honest) {
            appendAll(builder, b.transitions());
            builder.seal();
        }
        assertThat(builder.takeSealed()).extracting(Batch::header).isEqualTo(honest.stream().map(Batch::header).toList());
        return builder;
    }

    private static Stf stf() {
        return new Stf(DOMAIN, new BouncyCastleVerifier());
    }

    private static void appendAll(BatchBuilder builder, List<? extends Transition> ts) {
        for (Transition t : ts) {
            assertThat(builder.append(t, 0).applied()).as("%s applies", t).isTrue();
        }
    }

    private static PostedBatch posted(Batch b) {
        return new PostedBatch(b.header(), b.calldata());
    }

    private static BatchHeader withPostRoot(BatchHeader h, Hash32 post) {
        return new BatchHeader(h.batchIndex(), h.prevStateRoot(), post, h.transitionCount(), h.transitionsRoot(), h.priorityOpsConsumed());
    }

    private static OraclePrice price(long price, long ts) {
        return new OraclePrice(1, price, 0, ts, ORACLE.sign(DOMAIN.oraclePriceDigest(1, price, 0, ts)));
    }

    private static PostOrder post(Signer s, Order o) {
        return new PostOrder(o, s.sign(DOMAIN.orderDigest(o)));
    }

    private static Withdraw withdraw(Signer s, long amount, long nonce) {
        return new Withdraw(s.address(), s.address(), amount, nonce, s.sign(DOMAIN.withdrawDigest(s.address(), s.address(), amount, nonce)));
    }

    private static byte[] concat(List<byte[]> pieces) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        pieces.forEach(out::writeBytes);
        return out.toByteArray();
    }
}
