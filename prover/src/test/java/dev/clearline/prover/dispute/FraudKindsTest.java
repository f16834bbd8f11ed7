package dev.clearline.prover.dispute;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.clearline.contracts.generated.DisputeGame;
import dev.clearline.devnet.junit.DevnetContext;
import dev.clearline.devnet.junit.WithDevnet;
import dev.clearline.engine.batch.Batch;
import dev.clearline.engine.batch.BatchHeader;
import dev.clearline.engine.batch.TransitionsRoot;
import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.BouncyCastleVerifier;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.engine.stf.StateReads;
import dev.clearline.engine.stf.Stf;
import dev.clearline.engine.transition.Transition;
import dev.clearline.engine.transition.TransitionCodec;
import dev.clearline.prover.replay.PostedBatch;
import dev.clearline.prover.replay.Verdict;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/**
 * Issue 12's fraud kinds, each a sequencer made malicious in one way: after two honest batches it
 * posts a third holding one transition the STF refuses (or bytes that do not decode), claims a
 * wrong post-root, and stands by honest roots up to that transition and false ones after it. The
 * watcher replays, challenges, bisects to that transition and wins with the real one-step proof;
 * the batch is rejected and the proposer's bond slashed. A fake deposit never gets that far: the
 * rollup refuses the batch at submission.
 *
 * <p>The kinds whose fraud is in the state rather than the calldata (a wrong fee, wrong funding, a
 * priority op consumed on L1 but skipped in the state) come from a {@link CrookedSequencer}: every
 * transition is one the STF applies, the crook computes one step its own way and stands by its own
 * roots from there; the watcher bisects to that step and wins because the honest step reaches
 * another root. A successor built on the crooked root falls with it.
 */
@WithDevnet
class FraudKindsTest {
    private static final Hash32 LIE = Hash32.fromHex("0x" + "5e".repeat(32));

    /** One malicious batch's transitions (encoded) after the honest batches, and the reject the STF gives its bad one. */
    enum Kind {
        FORGED_SIGNATURE(r -> List.of(enc(r.price(10_100)), enc(new Transition.PostOrder(order(r, Side.SELL, 5_000_000, 7),
                r.bob.sign(r.domain.orderDigest(order(r, Side.SELL, 5_000_000, 7)))))), 1),
        OVERFILL(r -> List.of(enc(new Transition.Trade(1, 2, 3_000))), 0),
        FILL_AFTER_CANCEL(r -> {
            Hash32 ask = r.domain.orderDigest(honestAsk(r));
            return List.of(enc(new Transition.Cancel(r.alice.address(), ask, r.alice.sign(r.domain.cancelDigest(r.alice.address(), ask)))),
                    enc(new Transition.Trade(1, 2, 1_000)));
        }, 1),
        MARGIN_BREACH(r -> {
            // Alice takes back her short position's whole quote: its equity falls below the initial margin.
            long quote = StateReads.position(r.sequencer.state(), r.alice.address(), 1).quote();
            long amount = quote > 0 ? quote : 1_000_000;
            return List.of(enc(new Transition.Release(r.alice.address(), 1, amount, 0,
                    r.alice.sign(r.domain.releaseDigest(r.alice.address(), 1, amount, 0)))));
        }, 0),
        WRONG_WITHDRAWAL(r -> List.of(enc(new Transition.Withdraw(r.alice.address(), r.alice.address(), 60_000_000, 0,
                r.alice.sign(r.domain.withdrawDigest(r.alice.address(), r.alice.address(), 60_000_000, 0))))), 0),
        /** Signed by its owner, but L1 could never pay it (tokens refuse the zero address): BAD_RECIPIENT, the money stays free. */
        WITHDRAWAL_TO_THE_ZERO_ADDRESS(r -> List.of(enc(new Transition.Withdraw(r.alice.address(), Address.ZERO, 1_000_000, 0,
                r.alice.sign(r.domain.withdrawDigest(r.alice.address(), Address.ZERO, 1_000_000, 0))))), 0),
        LIQUIDATION_OF_A_HEALTHY_POSITION(r -> List.of(enc(r.price(10_000)), enc(new Transition.Liquidate(r.alice.address(), 1))), 1),
        PRUNE_OF_AN_UNKNOWN_ORDER(r -> List.of(enc(r.price(10_100)), enc(new Transition.PruneOrder(99))), 1),
        /** The hash of an order without expiry, which guards against its second post for good (a deletion refused: NOT_EXPIRED). */
        PRUNE_OF_A_HASH_THAT_NEVER_EXPIRES(r -> List.of(enc(r.price(10_100)), enc(new Transition.PruneOrderHash(r.domain.orderDigest(honestAsk(r))))), 1),
        UNDECODABLE_CALLDATA(r -> {
            byte[] post = enc(new Transition.PostOrder(order(r, Side.SELL, 5_000_000, 9), r.alice.sign(r.domain.orderDigest(order(r, Side.SELL, 5_000_000, 9)))));
            post[25] = 9; // the side byte: 0 buy, 1 sell, nothing else decodes
            return List.of(enc(r.price(10_100)), post);
        }, 1);

        final Function<Rollout, List<byte[]>> pieces;
        final int badStep;

        Kind(Function<Rollout, List<byte[]>> pieces, int badStep) {
            this.pieces = pieces;
            this.badStep = badStep;
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void theWatcherWinsAgainstEachFraudKind(Kind kind, DevnetContext l1) throws Exception {
        Rollout r = new Rollout(l1);
        List<Batch> honest = r.seal(r.honestGroups().subList(0, 2));
        for (Batch b : honest) r.post(b.header(), b.calldata());
        List<byte[]> pieces = kind.pieces.apply(r);
        BatchHeader last = honest.getLast().header();
        BatchHeader bad = new BatchHeader(2, last.postStateRoot(), LIE, pieces.size(), TransitionsRoot.of(pieces), last.priorityOpsConsumed());
        byte[] calldata = concat(pieces);
        r.post(bad, calldata);

        // The sequencer's own replay of its bad batch: honest roots up to the bad step, none after it.
        BatchTrace truth = new BatchTrace(new Stf(r.domain, new BouncyCastleVerifier()), r.sequencerNodes, r.sequencerNodes.latestVersion(),
                new PostedBatch(bad, calldata));
        assertThat(truth.rootAfter(0)).contains(last.postStateRoot());
        assertThat(truth.firstRefused()).as("the STF refuses the bad transition").hasValue(kind.badStep);
        Claims lies = prefix -> prefix == pieces.size() ? LIE.bytes()
                : truth.rootAfter(prefix).map(Hash32::bytes).orElse(Hash32.fromHex(String.format("0x%064x", 0x1e00L + prefix)).bytes());

        try (Watcher watcher = r.watcher(l1.key(4), new Watcher.Role(true, true))) {
            DisputeL1 liar = r.dispute(r.proposerKey);
            long gameId = DisputeOnDevnetTest.play(watcher, liar, new Defender(liar, liar.arity()), lies);
            assertThat(watcher.finishedGames()).containsEntry(gameId, GameView.CHALLENGER_WON);
            Verdict v = watcher.verdicts().getLast();
            assertThat(v).isInstanceOfAny(Verdict.RejectedStep.class, Verdict.Undecodable.class);
            assertThat(watcher.ledger().entries().getLast().action()).isEqualTo("oneStep");
            assertThat(liar.rollup().nextBatchIndex().send()).isEqualTo(BigInteger.TWO);
            DisputeGame game = DisputeGame.load(r.gameAddress, l1.web3j(), r.transactions(l1.key(4)), Rollout.GAS);
            assertThat(game.credit(l1.key(4).getAddress()).send()).isEqualTo(game.challengeBond().send());
            assertThat(liar.rollup().proposers(r.proposerKey.getAddress()).send().component1()).isZero();
        }
    }

    /** A crooked batch's transitions after the two honest batches, the step the crook bends, and how. */
    enum StateKind {
        WRONG_FEE(r -> List.of(r.price(10_100), new Transition.Trade(1, 2, 1_000), r.price(10_150)), 1, CrookedSequencer.DOUBLE_FEE, 0),
        WRONG_FUNDING(r -> List.of(r.price(10_100, 7), new Transition.Trade(1, 2, 1_000), r.price(10_150, 7)), 1,
                CrookedSequencer.FUNDING_SIGN_FLIPPED, 0),
        SKIPPED_PRIORITY_OP(r -> {
            try {
                r.deposit(r.l1.key(1), 2_000_000);
                return List.of(r.price(10_100), r.queued(3).getFirst(), r.price(10_150));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, 1, CrookedSequencer.SKIP, 1),
        /** A prune the crook does not carry out: the leaf it claims gone is still in its state (a deletion's one-step proof). */
        IGNORED_PRUNE(r -> List.of(r.price(10_100), new Transition.PruneOrder(1), r.price(10_150)), 1, CrookedSequencer.SKIP, 0);

        final Function<Rollout, List<Transition>> transitions;
        final int badStep;
        final CrookedSequencer.Crook crook;
        final int priorityOps;

        StateKind(Function<Rollout, List<Transition>> transitions, int badStep, CrookedSequencer.Crook crook, int priorityOps) {
            this.transitions = transitions;
            this.badStep = badStep;
            this.crook = crook;
            this.priorityOps = priorityOps;
        }
    }

    @ParameterizedTest
    @EnumSource(StateKind.class)
    void theWatcherWinsAgainstEachCrookedStateKind(StateKind kind, DevnetContext l1) throws Exception {
        Rollout r = new Rollout(l1);
        List<Batch> honest = r.seal(r.honestGroups().subList(0, 2));
        for (Batch b : honest) r.post(b.header(), b.calldata());
        BatchHeader last = honest.getLast().header();
        Stf stf = new Stf(r.domain, new BouncyCastleVerifier());
        CrookedSequencer.Run crooked = CrookedSequencer.seal(stf, r.sequencerNodes, r.sequencerNodes.latestVersion(), 2,
                last.priorityOpsConsumed() + kind.priorityOps, kind.transitions.apply(r), kind.badStep, kind.crook);
        assertThat(crooked.roots().getFirst()).isEqualTo(last.postStateRoot());
        r.post(crooked.header(), crooked.calldata());
        // A successor the crook builds on its own root.
        List<byte[]> next = List.of(enc(r.price(10_200)));
        r.post(new BatchHeader(3, crooked.header().postStateRoot(), LIE, 1, TransitionsRoot.of(next), crooked.header().priorityOpsConsumed()),
                concat(next));

        BatchTrace truth = new BatchTrace(stf, r.sequencerNodes, r.sequencerNodes.latestVersion(),
                new PostedBatch(crooked.header(), crooked.calldata()));
        assertThat(truth.firstRefused()).as("the STF applies every transition").isEmpty();
        for (int prefix = 0; prefix <= crooked.roots().size() - 1; prefix++) {
            assertThat(truth.rootAfter(prefix).orElseThrow().equals(crooked.roots().get(prefix)))
                    .as("the crook's root after %d transitions is honest only before its bad step", prefix).isEqualTo(prefix <= kind.badStep);
        }

        try (Watcher watcher = r.watcher(l1.key(4), new Watcher.Role(true, true))) {
            DisputeL1 liar = r.dispute(r.proposerKey);
            long gameId = DisputeOnDevnetTest.play(watcher, liar, new Defender(liar, liar.arity()), crooked.claims());
            assertThat(watcher.finishedGames()).containsEntry(gameId, GameView.CHALLENGER_WON);
            assertThat(watcher.verdicts()).hasSize(4);
            assertThat(watcher.verdicts().get(2)).isInstanceOf(Verdict.WrongPostRoot.class);
            assertThat(watcher.verdicts().get(3)).isInstanceOf(Verdict.WrongPrevRoot.class);
            assertThat(watcher.ledger().entries()).extracting(GasLedger.Entry::action).filteredOn("challenge"::equals).hasSize(1);
            assertThat(watcher.ledger().entries().getLast().action()).isEqualTo("oneStep");
            assertThat(liar.game(gameId).lo()).as("the one step proven is the crooked one").isEqualTo(kind.badStep);
            assertThat(liar.rollup().nextBatchIndex().send()).as("the crooked batch and its successor are rejected").isEqualTo(BigInteger.TWO);
            assertThat(liar.rollup().tip().send().component1()).isEqualTo(last.postStateRoot().bytes());
            DisputeGame game = DisputeGame.load(r.gameAddress, l1.web3j(), r.transactions(l1.key(4)), Rollout.GAS);
            assertThat(game.credit(l1.key(4).getAddress()).send()).isEqualTo(game.challengeBond().send());
            BigInteger bond = liar.rollup().proposerBond().send();
            assertThat(liar.rollup().ethCredit(l1.key(4).getAddress()).send()).isEqualTo(bond.divide(BigInteger.TWO));
            assertThat(liar.rollup().proposers(r.proposerKey.getAddress()).send().component1()).isZero();
        }
    }

    @Test
    void aBatchSkippingAQueuedOpIsRefusedByTheRollupAtSubmission(DevnetContext l1) throws Exception {
        Rollout r = new Rollout(l1);
        List<Batch> honest = r.seal(r.honestGroups().subList(0, 2));
        for (Batch b : honest) r.post(b.header(), b.calldata());
        BatchHeader last = honest.getLast().header();
        r.deposit(l1.key(1), 1_000_000);
        r.deposit(l1.key(2), 1_000_000);
        // Queue entries 3 and 4 are on L1; the batch consumes 4 and skips 3.
        List<byte[]> pieces = List.of(enc(r.queued(3).get(1)));
        BatchHeader skipping = new BatchHeader(2, last.postStateRoot(), LIE, 1, TransitionsRoot.of(pieces), last.priorityOpsConsumed() + 1);
        assertThatThrownBy(() -> r.post(skipping, concat(pieces))).isInstanceOf(Throwable.class);
        assertThat(r.proposer.nextBatchIndex().send()).isEqualTo(BigInteger.TWO);
        // The same op after the one it skipped is accepted: the refusal was the skip.
        List<byte[]> both = List.of(enc(r.queued(3).get(0)), enc(r.queued(3).get(1)));
        r.post(new BatchHeader(2, last.postStateRoot(), LIE, 2, TransitionsRoot.of(both), last.priorityOpsConsumed() + 2), concat(both));
        assertThat(r.proposer.nextBatchIndex().send()).isEqualTo(BigInteger.valueOf(3));
    }

    @Test
    void aFakeDepositIsRefusedByTheRollupBeforeAnyoneNeedsToChallenge(DevnetContext l1) throws Exception {
        Rollout r = new Rollout(l1);
        List<Batch> honest = r.seal(r.honestGroups().subList(0, 2));
        for (Batch b : honest) r.post(b.header(), b.calldata());
        BatchHeader last = honest.getLast().header();
        // Queue index 3 was never enqueued on L1: the deposit exists only in the sequencer's batch.
        List<byte[]> pieces = List.of(enc(new Transition.Deposit(3, 1_700_000_000L, r.alice.address(), 1_000_000)));
        BatchHeader fake = new BatchHeader(2, last.postStateRoot(), LIE, 1, TransitionsRoot.of(pieces), last.priorityOpsConsumed() + 1);
        assertThatThrownBy(() -> r.post(fake, concat(pieces))).isInstanceOf(Exception.class);
        assertThat(r.proposer.nextBatchIndex().send()).isEqualTo(BigInteger.TWO);
    }

    static Order honestAsk(Rollout r) {
        return new Order(r.alice.address(), 1, Side.SELL, 10_000, 5_000, 0, TimeInForce.GTC, 0, 0, 1, 5_000_000);
    }

    static Order order(Rollout r, Side side, long margin, long nonce) {
        return new Order(r.alice.address(), 1, side, 10_000, 5_000, 0, TimeInForce.GTC, 0, 0, nonce, margin);
    }

    static byte[] enc(Transition t) {
        return TransitionCodec.encode(t);
    }

    static byte[] concat(List<byte[]> pieces) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : pieces) out.writeBytes(p);
        return out.toByteArray();
    }
}
