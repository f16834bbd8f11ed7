package dev.clearline.prover.dispute;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.contracts.generated.DisputeGame;
import dev.clearline.devnet.junit.DevnetContext;
import dev.clearline.devnet.junit.WithDevnet;
import dev.clearline.engine.batch.Batch;
import dev.clearline.engine.batch.BatchHeader;
import dev.clearline.engine.order.BouncyCastleVerifier;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.stf.Stf;
import dev.clearline.engine.transition.Transition;
import dev.clearline.engine.witness.WitnessBuilder;
import dev.clearline.prover.replay.PostedBatch;
import dev.clearline.prover.trace.StepVm;
import dev.clearline.prover.replay.Verdict;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Watchers and proposers playing whole disputes on the devnet with the standard contract set and
 * the real one-step verifier: a lying batch among honest ones is challenged, bisected down to its
 * first wrong step and rejected with its successors, and the bonds move as docs/protocol.md says;
 * honest batches are never challenged; a challenger of an honest batch loses its bond.
 */
@WithDevnet
class DisputeOnDevnetTest {
    private static final Hash32 LIE = Hash32.fromHex("0x" + "5e".repeat(32));

    @Test
    void aLyingBatchAmongHonestOnesIsProvenWrongAndRejectedWithItsSuccessor(DevnetContext l1) throws Exception {
        lyingBatchAmongHonestOnes(l1);
    }

    /** The whole scenario of the test above, on any L1 with the standard set deployed (Hardhat's node runs it too). */
    static void lyingBatchAmongHonestOnes(DevnetContext l1) throws Exception {
        Rollout r = new Rollout(l1);
        List<List<Transition>> groups = new ArrayList<>(r.honestGroups());
        groups.add(List.of(r.price(10_200)));
        List<Batch> batches = r.seal(groups);
        Batch bad = batches.get(2);
        r.post(batches.get(0).header(), batches.get(0).calldata());
        r.post(batches.get(1).header(), batches.get(1).calldata());
        r.post(Rollout.withPostRoot(bad.header(), LIE), bad.calldata());
        r.post(Rollout.withPrevRoot(batches.get(3).header(), LIE), batches.get(3).calldata());
        // The liar stands by honest roots for the first step of the bad batch and by lies after it.
        Claims lies = prefix -> prefix <= 1 ? r.sequencer.rootAfterPrefix(bad, prefix).bytes()
                : prefix == bad.header().transitionCount() ? LIE.bytes() : Hash32.fromHex("0x" + "1e".repeat(31) + String.format("%02x", prefix)).bytes();

        L1Reads reads = new L1Reads(l1.service());
        DisputeL1 watcherSide = r.dispute(l1.key(4), org.web3j.protocol.Web3j.build(reads));
        Told told = new Told();
        try (Watcher watcher = r.watcher(watcherSide, new Watcher.Role(true, true), Path.of("target", "watcher-stores",
                java.util.UUID.randomUUID().toString()), told)) {
            DisputeL1 liar = r.dispute(r.proposerKey);
            Defender liarPlays = new Defender(liar, liar.arity());
            long gameId = play(watcher, liar, liarPlays, lies);
            // the proposer's bisections are read from the block that opened the game, not from genesis (through an RPC that
            // caps a log query's range that would be thousands of queries on every move)
            long opened = liar.challenges(0, liar.latestBlock()).getFirst().log.getBlockNumber().longValueExact();
            assertThat(reads.ranges(DisputeGame.BISECTED_EVENT)).isNotEmpty().allMatch(q -> q[0] == opened, "from block " + opened);
            // and the games are read once per block: each query starts right after the last one's end, from the deployment on
            List<long[]> gameReads = reads.ranges(DisputeGame.CHALLENGED_EVENT);
            assertThat(gameReads).as("queries for games").hasSizeGreaterThan(1);
            assertThat(gameReads.getFirst()[0]).isEqualTo(r.fromBlock);
            for (int q = 1; q < gameReads.size(); q++) {
                assertThat(gameReads.get(q)[0]).as("query %d for games starts after query %d's end", q, q - 1).isEqualTo(gameReads.get(q - 1)[1] + 1);
            }

            assertThat(watcher.finishedGames()).containsEntry(gameId, GameView.CHALLENGER_WON);
            assertThat(watcher.verdicts()).hasSize(4);
            assertThat(watcher.verdicts().subList(0, 2)).allMatch(v -> v instanceof Verdict.Honest);
            assertThat(watcher.verdicts().get(2)).isInstanceOf(Verdict.WrongPostRoot.class);
            assertThat(watcher.verdicts().get(3)).isInstanceOf(Verdict.WrongPrevRoot.class);
            List<String> actions = watcher.ledger().entries().stream().map(GasLedger.Entry::action).toList();
            assertThat(actions).filteredOn("challenge"::equals).hasSize(1);
            assertThat(actions.getLast()).isEqualTo("oneStep");
            Rollout.accountsForEveryTransaction(watcher, l1.web3j());
            // what the CLI's log and progress line are told: every verdict as the watcher judged it, and the blocks read
            assertThat(told.verdicts).as("verdicts told to the listener").isEqualTo(watcher.verdicts());
            assertThat(told.progress).as("progress told to the listener").isNotEmpty()
                    .allMatch(p -> p[0] <= p[1], "block <= head");
            assertThat(told.progress.stream().mapToLong(p -> p[2]).sum()).as("batches judged, as told poll by poll").isEqualTo(4);

            // The bad batch and its successor are gone: the tip is back after batch 1.
            var rollup = liar.rollup();
            assertThat(rollup.nextBatchIndex().send()).isEqualTo(BigInteger.TWO);
            assertThat(rollup.tip().send().component1()).isEqualTo(batches.get(1).header().postStateRoot().bytes());
            // Bonds: the challenger's own back from the game, half the proposer's bond to it, the other half burnt.
            BigInteger proposerBond = rollup.proposerBond().send();
            DisputeGame game = DisputeGame.load(r.gameAddress, l1.web3j(), r.transactions(l1.key(4)), Rollout.GAS);
            assertThat(game.credit(l1.key(4).getAddress()).send()).isEqualTo(game.challengeBond().send());
            assertThat(rollup.ethCredit(l1.key(4).getAddress()).send()).isEqualTo(proposerBond.divide(BigInteger.TWO));
            assertThat(rollup.burnt().send()).isEqualTo(proposerBond.divide(BigInteger.TWO));
            assertThat(rollup.proposers(r.proposerKey.getAddress()).send().component1()).isZero();
            // what `watch` tells the watcher it may withdraw: the game's credit and the rollup's, to the wei
            assertThat(watcherSide.owed()).as("owed to the watcher").isEqualTo(game.challengeBond().send().add(proposerBond.divide(BigInteger.TWO)));
            assertThat(liar.owed()).as("owed to the slashed proposer").isZero();
            assertThat(liar.challengePeriod()).isEqualTo(rollup.challengePeriod().send().longValueExact()).isPositive();
        }
        // A watcher that starts after the game finds the same fraud, already rejected on L1: it bonds on nothing, and
        // does not even ask L1 (a challenge of a batch that is no longer live would only be refused, and reported as such).
        try (Watcher late = r.watcher(l1.key(6), new Watcher.Role(true, true), Path.of("target", "watcher-stores",
                java.util.UUID.randomUUID().toString()))) {
            assertThat(late.poll()).as("transactions sent").isZero();
            assertThat(late.verdicts().get(2)).isInstanceOf(Verdict.WrongPostRoot.class);
            assertThat(late.ledger().transactions()).isZero();
            assertThat(late.refusedChallenges()).as("challenges L1 refused").isEmpty();
            Rollout.accountsForEveryTransaction(late, l1.web3j());
        }
    }

    /** What a watcher's replay tells its listener (the CLI's log lines and progress bar). */
    private static final class Told implements dev.clearline.prover.replay.ReplayListener {
        final List<Verdict> verdicts = new ArrayList<>();
        final List<long[]> progress = new ArrayList<>();

        @Override
        public void judged(dev.clearline.prover.store.BatchRecord batch, dev.clearline.prover.l1.RollupLog.Posted posted, Verdict verdict) {
            verdicts.add(verdict);
        }

        @Override
        public void progress(long block, long head, long batches) {
            progress.add(new long[] {block, head, batches});
        }
    }

    /**
     * A griefer plays its challenge of honest batch {@code target} to the end, always picking the first part and making
     * its best last move (the real step on the honest witness, which agrees with the proposer), while {@code proposerSide}
     * polls between its moves.
     */
    private static void grieveToTheEnd(Rollout r, DisputeL1 griefer, long gameId, Batch target, Watcher proposerSide) throws Exception {
        Stf stf = new Stf(r.domain, new BouncyCastleVerifier());
        BatchTrace honest = new BatchTrace(stf, r.sequencerNodes, target.preStateVersion(), new PostedBatch(target.header(), target.calldata()));
        assertThat(honest.batch().header()).as("the batch the trace replays (the report's)").isEqualTo(target.header());
        for (int round = 0; round < 20 && griefer.game(gameId).active(); round++) {
            proposerSide.poll();
            GameView g = griefer.game(gameId);
            if (!g.active() || !g.challengerToMove()) continue;
            if (g.hi() - g.lo() > 1) {
                griefer.choose(gameId, griefer.bisection(gameId, g.lo(), g.hi(), 0).orElseThrow(), 0);
            } else {
                griefer.oneStep(gameId, honest.transition(g.lo()), honest.inclusionProof(g.lo()), honest.witness(new WitnessBuilder(stf), g.lo()));
            }
        }
    }

    /**
     * A griefer's challenge mined in the same block as the honest batch it disputes, right behind the post (a builder
     * bundles them on a 12 s chain): the proposer's watcher finds the batch's replay for the game and defends it to the
     * end. Had it looked only for batches posted before the game's block, it would have ignored the game as one on an
     * unknown batch, and the proposer would have lost its bond on time.
     */
    @Test
    void aChallengeMinedInTheSameBlockAsTheHonestBatchItDisputesIsDefended(DevnetContext l1) throws Exception {
        Rollout r = new Rollout(l1);
        List<Batch> batches = r.seal(r.honestGroups().subList(0, 2));
        r.post(batches.get(0).header(), batches.get(0).calldata());
        Batch target = batches.get(1);
        DisputeGame griefersGame = DisputeGame.load(r.gameAddress, l1.web3j(), r.transactions(l1.key(5)), Rollout.GAS);
        BigInteger bond = griefersGame.challengeBond().send();
        l1.time().setAutomine(false);
        java.util.concurrent.CompletableFuture<org.web3j.protocol.core.methods.response.TransactionReceipt> post, challenge;
        try {
            // sent with a fixed gas limit: an estimate would run on the latest block, where the batch is not posted yet
            post = r.submission(target.header(), target.calldata()).sendAsync();
            awaitPooled(l1, r.proposerKey.getAddress());
            challenge = griefersGame.challenge(DisputeL1.header(target.header()), bond).sendAsync();
            awaitPooled(l1, l1.key(5).getAddress());
            l1.time().mine();
        } finally {
            l1.time().setAutomine(true);
        }
        var posted = post.get(60, java.util.concurrent.TimeUnit.SECONDS);
        var challenged = challenge.get(60, java.util.concurrent.TimeUnit.SECONDS);
        Rollout.ok(posted);
        Rollout.ok(challenged);
        assertThat(challenged.getBlockNumber()).as("the challenge in the batch's own block").isEqualTo(posted.getBlockNumber());
        long gameId = griefersGame.gameCount().send().longValueExact();

        try (Watcher proposerSide = r.watcher(r.proposerKey, new Watcher.Role(true, true))) {
            DisputeL1 griefer = r.dispute(l1.key(5));
            grieveToTheEnd(r, griefer, gameId, target, proposerSide);
            proposerSide.poll();
            assertThat(griefer.game(gameId).status()).as("the game's end").isEqualTo(GameView.PROPOSER_WON);
            assertThat(proposerSide.finishedGames()).containsEntry(gameId, GameView.PROPOSER_WON);
            assertThat(griefersGame.credit(r.proposerKey.getAddress()).send()).as("the griefer's bond, to the proposer").isEqualTo(bond);
            Rollout.accountsForEveryTransaction(proposerSide, l1.web3j());
        }
    }

    /**
     * A challenger whose one-step proof, replayed first in the embedded EVM, would not win (here: a griefer of an honest
     * batch at its last step, where the step agrees with the proposer) holds it back: nothing is sent (the bond is not
     * thrown after it), it says why, and asking again at the same step sends nothing and says nothing new.
     */
    @Test
    void aOneStepProofThatWouldLoseIsHeldBackNotSent(DevnetContext l1) throws Exception {
        Rollout r = new Rollout(l1);
        List<Batch> batches = r.seal(r.honestGroups());
        for (Batch b : batches) r.post(b.header(), b.calldata());
        Batch target = batches.get(1);
        DisputeL1 griefer = r.dispute(l1.key(5));
        long gameId = griefer.challenge(target.header()).gameId();
        long opened = griefer.challenges(0, griefer.latestBlock()).getFirst().log.getBlockNumber().longValueExact();
        Stf stf = new Stf(r.domain, new BouncyCastleVerifier());
        BatchTrace honest = new BatchTrace(stf, r.sequencerNodes, target.preStateVersion(), new PostedBatch(target.header(), target.calldata()));
        try (Watcher proposerSide = r.watcher(r.proposerKey, new Watcher.Role(true, true)); StepVm vm = new StepVm(r.chainId)) {
            Challenger challenger = new Challenger(griefer, new WitnessBuilder(stf), vm, griefer.domainSeparator());
            GameView g = griefer.game(gameId);
            for (int round = 0; round < 20 && (!g.challengerToMove() || g.hi() - g.lo() > 1); round++) {
                proposerSide.poll();
                g = griefer.game(gameId);
                if (g.challengerToMove() && g.hi() - g.lo() > 1) assertThat(challenger.move(g, honest, opened)).as("a choice").isTrue();
                g = griefer.game(gameId);
            }
            assertThat(g.hi() - g.lo()).as("down to one step").isOne();
            int sent = griefer.ledger().transactions();
            assertThat(challenger.move(g, honest, opened)).as("the losing one-step proof, sent").isFalse();
            assertThat(challenger.heldBack()).startsWith("step " + g.lo() + ": ");
            String why = challenger.heldBack();
            assertThat(challenger.move(griefer.game(gameId), honest, opened)).as("asked again at the same step").isFalse();
            assertThat(challenger.heldBack()).isEqualTo(why);
            assertThat(griefer.ledger().transactions()).as("transactions sent for the held-back step").isEqualTo(sent);
            assertThat(griefer.ledger().entries()).extracting(GasLedger.Entry::action).doesNotContain("oneStep");
            assertThat(griefer.game(gameId).active()).as("the game waits on the challenger's clock").isTrue();
        }
    }

    /** Waits until {@code address} has a transaction in the node's pool (its pending nonce above its mined one), asking up to 1,500 times. */
    private static void awaitPooled(DevnetContext l1, String address) throws Exception {
        var web3j = l1.web3j();
        for (int asked = 0; web3j.ethGetTransactionCount(address, org.web3j.protocol.core.DefaultBlockParameterName.PENDING).send().getTransactionCount()
                .compareTo(web3j.ethGetTransactionCount(address, org.web3j.protocol.core.DefaultBlockParameterName.LATEST).send().getTransactionCount()) <= 0;
                asked++) {
            assertThat(asked).as("a transaction of %s in the pool", address).isLessThan(1_500);
            Thread.sleep(20);
        }
    }

    @Test
    void honestBatchesAreNeverChallengedAndAChallengerOfOneLosesItsBond(DevnetContext l1) throws Exception {
        Rollout r = new Rollout(l1);
        List<Batch> batches = r.seal(r.honestGroups());
        for (Batch b : batches) r.post(b.header(), b.calldata());

        try (Watcher proposerSide = r.watcher(r.proposerKey, new Watcher.Role(true, true));
             Watcher bystander = r.watcher(l1.key(4), new Watcher.Role(true, true))) {
            proposerSide.poll();
            bystander.poll();
            assertThat(bystander.verdicts()).hasSize(3).allMatch(v -> v instanceof Verdict.Honest);
            assertThat(bystander.ledger().transactions()).isZero();

            // A griefer disputes honest batch 1 and always picks the first part.
            DisputeL1 griefer = r.dispute(l1.key(5));
            Batch target = batches.get(1);
            long gameId = griefer.challenge(target.header()).gameId();
            grieveToTheEnd(r, griefer, gameId, target, proposerSide);
            proposerSide.poll();
            bystander.poll();
            assertThat(griefer.game(gameId).status()).isEqualTo(GameView.PROPOSER_WON);
            assertThat(proposerSide.finishedGames()).containsEntry(gameId, GameView.PROPOSER_WON);
            assertThat(proposerSide.ledger().entries()).extracting(GasLedger.Entry::action).containsOnly("bisect");
            assertThat(bystander.ledger().transactions()).isZero();
            DisputeGame game = DisputeGame.load(r.gameAddress, l1.web3j(), r.transactions(l1.key(5)), Rollout.GAS);
            assertThat(game.credit(r.proposerKey.getAddress()).send()).isEqualTo(game.challengeBond().send());
            assertThat(game.credit(l1.key(5).getAddress()).send()).isZero();
            assertThat(griefer.rollup().nextBatchIndex().send()).isEqualTo(BigInteger.valueOf(3));
            Rollout.accountsForEveryTransaction(proposerSide, l1.web3j());
            Rollout.accountsForEveryTransaction(bystander, l1.web3j());
            // A game is played only by its own sides: asked to move in the griefer's game, a third account's challenger
            // and defender send nothing and say so, whatever the game's state.
            DisputeL1 third = r.dispute(l1.key(6));
            GameView over = griefer.game(gameId);
            GameView live = new GameView(gameId, over.batchIndex(), over.submissionId(), GameView.ACTIVE, over.challenger(), over.proposer(),
                    over.lo(), over.hi(), over.transitionCount(), true, 0, over.loRoot(), over.hiRoot());
            for (GameView g : List.of(over, live)) {
                assertThat(new Challenger(third, null, null, new byte[32]).move(g, null, 0)).as("a challenger's move in %s", g).isFalse();
                assertThat(new Defender(third, third.arity()).move(g, null)).as("a defender's move in %s", g).isFalse();
            }
            assertThat(third.ledger().transactions()).isZero();
        }
    }

    @Test
    void aWatcherRestartedMidDisputeResumesItsGameAndWins(DevnetContext l1) throws Exception {
        Rollout r = new Rollout(l1);
        List<Batch> batches = r.seal(r.honestGroups());
        r.post(batches.get(0).header(), batches.get(0).calldata());
        Batch bad = batches.get(1);
        r.post(Rollout.withPostRoot(bad.header(), LIE), bad.calldata());
        Claims lies = prefix -> prefix == 0 ? r.sequencer.rootAfterPrefix(bad, 0).bytes()
                : prefix == bad.header().transitionCount() ? LIE.bytes() : Hash32.fromHex("0x" + "2e".repeat(31) + String.format("%02x", prefix)).bytes();
        DisputeL1 liar = r.dispute(r.proposerKey);
        Defender liarPlays = new Defender(liar, liar.arity());
        long gameId;
        Path store = Path.of("target", "watcher-stores", "restart-" + java.util.UUID.randomUUID());
        try (Watcher first = r.watcher(l1.key(4), new Watcher.Role(true, true), store)) {
            first.poll(); // challenges
            gameId = liar.challenges(0, liar.latestBlock()).getFirst().gameId.longValueExact();
            assertThat(liarPlays.move(liar.game(gameId), lies)).isTrue();
            first.poll(); // chooses
            assertThat(first.ledger().entries()).extracting(GasLedger.Entry::action).containsExactly("challenge", "choose");
        } // the watcher stops here; its replay stays in its store

        try (Watcher restarted = r.watcher(l1.key(4), new Watcher.Role(true, true), store)) {
            assertThat(play(restarted, liar, liarPlays, lies)).isEqualTo(gameId);
            assertThat(restarted.verdicts()).as("the store resumed after the batches judged before the restart").isEmpty();
            assertThat(restarted.finishedGames()).containsEntry(gameId, GameView.CHALLENGER_WON);
            assertThat(restarted.ledger().entries()).extracting(GasLedger.Entry::action).doesNotContain("challenge").contains("oneStep");
            DisputeGame game = DisputeGame.load(r.gameAddress, l1.web3j(), r.transactions(l1.key(4)), Rollout.GAS);
            assertThat(game.gameCount().send()).isEqualTo(BigInteger.ONE);
            assertThat(liar.rollup().nextBatchIndex().send()).isEqualTo(BigInteger.ONE);
            Rollout.accountsForEveryTransaction(restarted, l1.web3j());
        }
    }

    @Test
    void aDefenderRestartedMidDisputeResumesItsGameAndTheChallengerOfAnHonestBatchLosesItsBond(DevnetContext l1) throws Exception {
        Rollout r = new Rollout(l1);
        // Batch 1 holds 40 transitions: with the deployed arity (16) the defender bisects twice before the one-step.
        List<Transition> first = r.honestGroups().getFirst();
        List<Transition> prices = new ArrayList<>();
        for (int i = 0; i < 40; i++) prices.add(r.price(10_001 + i));
        List<Batch> batches = r.seal(List.of(first, prices));
        for (Batch b : batches) r.post(b.header(), b.calldata());
        Batch target = batches.get(1);
        DisputeL1 griefer = r.dispute(l1.key(5));
        Path store = Path.of("target", "watcher-stores", "defender-restart-" + java.util.UUID.randomUUID());
        long gameId;
        try (Watcher defender = r.watcher(r.proposerKey, new Watcher.Role(true, true), store)) {
            defender.poll();
            assertThat(defender.verdicts()).hasSize(2).allMatch(v -> v instanceof Verdict.Honest);
            gameId = griefer.challenge(target.header()).gameId();
            assertThat(defender.poll()).as("the first bisection").isEqualTo(1);
            GameView g = griefer.game(gameId);
            assertThat(g.challengerToMove()).isTrue();
            griefer.choose(gameId, griefer.bisection(gameId, g.lo(), g.hi(), 0).orElseThrow(), 0);
            assertThat(griefer.game(gameId).hi() - griefer.game(gameId).lo()).as("still more than one step").isGreaterThan(1);
        } // the defender stops with its turn due; only its store is kept

        try (Watcher restarted = r.watcher(r.proposerKey, new Watcher.Role(true, true), store)) {
            grieveToTheEnd(r, griefer, gameId, target, restarted);
            restarted.poll();
            assertThat(restarted.verdicts()).as("the store resumed after the batches judged before the restart").isEmpty();
            assertThat(restarted.ledger().entries()).as("the restarted defender bisected again").extracting(GasLedger.Entry::action)
                    .containsOnly("bisect").isNotEmpty();
            assertThat(restarted.finishedGames()).containsEntry(gameId, GameView.PROPOSER_WON);
            Rollout.accountsForEveryTransaction(restarted, l1.web3j());
        }
        assertThat(griefer.game(gameId).status()).isEqualTo(GameView.PROPOSER_WON);
        DisputeGame game = DisputeGame.load(r.gameAddress, l1.web3j(), r.transactions(l1.key(5)), Rollout.GAS);
        assertThat(game.credit(r.proposerKey.getAddress()).send()).as("the griefer's bond, to the defender").isEqualTo(game.challengeBond().send());
        assertThat(game.credit(l1.key(5).getAddress()).send()).isZero();
        assertThat(griefer.rollup().nextBatchIndex().send()).as("the honest batch stands").isEqualTo(BigInteger.TWO);
    }

    /** Polls the watcher and lets the liar answer until the watcher's game ends; returns its id. */
    static long play(Watcher watcher, DisputeL1 liar, Defender liarPlays, Claims lies) throws Exception {
        for (int round = 0; round < 40; round++) {
            watcher.poll();
            for (DisputeGame.ChallengedEventResponse e : liar.challenges(0, liar.latestBlock())) {
                liarPlays.move(liar.game(e.gameId.longValueExact()), lies);
            }
            if (!watcher.finishedGames().isEmpty() && watcher.activeGames() == 0) return watcher.finishedGames().keySet().iterator().next();
        }
        throw new AssertionError("the dispute did not end in 40 rounds; ledger: " + watcher.ledger().entries());
    }
}
