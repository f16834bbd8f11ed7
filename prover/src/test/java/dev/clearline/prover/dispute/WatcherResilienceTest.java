package dev.clearline.prover.dispute;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.clearline.contracts.generated.DisputeGame;
import dev.clearline.devnet.junit.CallWatch;
import dev.clearline.devnet.junit.DevnetContext;
import dev.clearline.devnet.junit.RefusingTransport;
import dev.clearline.devnet.junit.WithDevnet;
import dev.clearline.engine.batch.Batch;
import dev.clearline.engine.order.Hash32;
import dev.clearline.prover.replay.ReplayListener;
import dev.clearline.prover.replay.Verdict;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.math.BigInteger;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.LoggerFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Hash;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.TransactionDecoder;
import org.web3j.crypto.transaction.type.Transaction1559;
import org.web3j.protocol.Web3j;

/**
 * The watcher against what goes wrong around it, on the devnet: it stops between a verdict and
 * its challenge, L1 cannot be reached, L1 drops its challenge, L1 reorganises the wrong batch and the challenge away,
 * the proposer never answers. In each case it takes the right action and the dispute is not lost.
 */
@WithDevnet
class WatcherResilienceTest {
    private static final Hash32 LIE = Hash32.fromHex("0x" + "5e".repeat(32));

    @TempDir
    Path dir;

    /** Batches 0 (honest) and 1 (its post-root a lie) posted; returns batch 1 as sealed honestly. */
    private static Batch postHonestThenLie(Rollout r) throws Exception {
        List<Batch> batches = r.seal(r.honestGroups().subList(0, 2));
        r.post(batches.get(0).header(), batches.get(0).calldata());
        Batch bad = batches.get(1);
        r.post(Rollout.withPostRoot(bad.header(), LIE), bad.calldata());
        return bad;
    }

    private static Claims lies(Rollout r, Batch bad) {
        return prefix -> prefix == 0 ? r.sequencer.rootAfterPrefix(bad, 0).bytes()
                : prefix == bad.header().transitionCount() ? LIE.bytes() : Hash32.fromHex("0x" + "3e".repeat(31) + String.format("%02x", prefix)).bytes();
    }

    @Test
    void aWatcherStoppedBetweenItsVerdictAndItsChallengeChallengesFromItsStoreAfterARestart(DevnetContext l1) throws Exception {
        Rollout r = new Rollout(l1);
        Batch bad = postHonestThenLie(r);
        try (Watcher judgeOnly = r.watcher(l1.key(4), new Watcher.Role(false, true), dir)) {
            judgeOnly.poll();
            assertThat(judgeOnly.verdicts()).hasSize(2);
            assertThat(judgeOnly.ledger().transactions()).isZero();
        }
        DisputeL1 liar = r.dispute(r.proposerKey);
        try (Watcher restarted = r.watcher(l1.key(4), new Watcher.Role(true, true), dir)) {
            long gameId = DisputeOnDevnetTest.play(restarted, liar, new Defender(liar, liar.arity()), lies(r, bad));
            assertThat(restarted.verdicts()).as("nothing is judged twice: the store resumed after batch 1").isEmpty();
            assertThat(restarted.finishedGames()).containsEntry(gameId, GameView.CHALLENGER_WON);
            assertThat(restarted.ledger().entries()).extracting(GasLedger.Entry::action).startsWith("challenge").endsWith("oneStep");
            assertThat(liar.rollup().nextBatchIndex().send()).isEqualTo(BigInteger.ONE);
        }
    }

    @Test
    void aChallengeTheL1DropsIsSentAgainUnderTheSameNonce(DevnetContext l1) throws Exception {
        Rollout r = new Rollout(l1);
        postHonestThenLie(r);
        CallWatch node = new CallWatch(l1.service());
        List<Boolean> drops = new java.util.ArrayList<>();
        // the pool evicts the challenge while the watcher waits for it; the resent one is mined
        node.beforeCall("eth_getTransactionReceipt", 1, () -> drops.add(l1.time().dropTransaction(Hash.sha3(node.accepted().get(0)))));
        node.beforeCall("eth_getTransactionReceipt", 2, () -> {
            l1.time().mine();
            l1.time().setAutomine(true);
        });
        DisputeL1 watcherSide = r.dispute(l1.key(4), Web3j.build(node));
        l1.time().setAutomine(false);
        try (Watcher watcher = r.watcher(watcherSide, dir)) {
            assertThat(watcher.poll()).isEqualTo(1);
            assertThat(watcher.activeGames()).isEqualTo(1);
            assertThat(watcher.ledger().entries()).extracting(GasLedger.Entry::action).containsExactly("challenge");
        } finally {
            l1.time().setAutomine(true);
        }
        assertThat(drops).as("the challenge waited in the pool when dropped").containsExactly(true);
        assertThat(node.accepted()).as("the dropped challenge and the one sent again").hasSize(2);
        RawTransaction dropped = TransactionDecoder.decode(node.accepted().get(0));
        RawTransaction resent = TransactionDecoder.decode(node.accepted().get(1));
        assertThat(resent.getNonce()).isEqualTo(dropped.getNonce());
        // no block came while it waited, so nothing passed it over: the same signed challenge goes again, at the same fees
        // (a raise after L1 mines a block without it: TxSenderOnARealNodeTest)
        assertThat(((Transaction1559) resent.getTransaction()).getMaxFeePerGas())
                .isEqualTo(((Transaction1559) dropped.getTransaction()).getMaxFeePerGas());
        assertThat(node.accepted().get(1)).isEqualTo(node.accepted().get(0));
        DisputeGame game = DisputeGame.load(r.gameAddress, l1.web3j(), r.transactions(l1.key(4)), Rollout.GAS);
        assertThat(game.gameCount().send()).isEqualTo(BigInteger.ONE);
    }

    @Test
    void theFollowLoopsPauseDoublesWhileL1IsDownUpTo30SecondsAndIsTheIntervalAgainOnceItAnswers(DevnetContext l1) throws Exception {
        Rollout r = new Rollout(l1);
        UnreachableTransport path = new UnreachableTransport(l1.service());
        List<Long> pauses = new java.util.ArrayList<>();
        AtomicBoolean running = new AtomicBoolean(true);
        try (Watcher watcher = r.watcher(r.dispute(l1.key(4), Web3j.build(path)), dir)) {
            path.unreachable = true;
            // the pauses are recorded, not slept: 13 failed polls, then L1 answers, then one good poll and the loop ends
            watcher.follow(running::get, millis -> {
                pauses.add(millis);
                if (pauses.size() == 13) path.unreachable = false;
                if (pauses.size() == 14) running.set(false);
            }, 20);
        }
        assertThat(pauses).containsExactly(40L, 80L, 160L, 320L, 640L, 1_280L, 2_560L, 5_120L, 10_240L, 20_480L, 30_000L, 30_000L, 30_000L, 20L);
    }

    @Test
    void anL1ThatCannotBeReachedIsReportedOnceAndTheWatcherChallengesWhenItAnswersAgain(DevnetContext l1) throws Exception {
        Rollout r = new Rollout(l1);
        List<Batch> batches = r.seal(r.honestGroups().subList(0, 2));
        r.post(batches.get(0).header(), batches.get(0).calldata());
        UnreachableTransport path = new UnreachableTransport(l1.service());
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        Logger logger = (Logger) LoggerFactory.getLogger(Watcher.class);
        logger.addAppender(logs);
        AtomicBoolean running = new AtomicBoolean(true);
        try (Watcher watcher = r.watcher(r.dispute(l1.key(4), Web3j.build(path)), dir)) {
            Thread loop = new Thread(() -> {
                try {
                    watcher.follow(running::get, Thread::sleep, 20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            loop.start();
            path.unreachable = true;
            r.post(Rollout.withPostRoot(batches.get(1).header(), LIE), batches.get(1).calldata());
            // the outage lasts until the watcher has tried L1 several times (a fixed 500 ms was not enough for a loaded machine
            // to replay the batches and try once, and then there was no outage to report)
            // bounded by a count of looks 20 ms apart (about 60 s), not by reading a clock
            for (int looks = 0; path.refused.get() < 3 && looks < 3_000; looks++) Thread.sleep(20);
            assertThat(path.refused.get()).as("calls the watcher tried while L1 was down, in 3,000 looks").isGreaterThanOrEqualTo(3);
            assertThat(path.sent).as("nothing reaches a node that is down").isEmpty();
            path.unreachable = false;
            for (int looks = 0; path.sent.isEmpty() && looks < 3_000; looks++) Thread.sleep(20);
            running.set(false);
            loop.join(30_000);
            assertThat(path.sent).as("the challenge, once L1 answers").isNotEmpty();
            List<String> lines = logs.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
            assertThat(lines.stream().filter(l -> l.startsWith("event=poll-failed"))).as("one line for the outage, not one per poll: %s", lines)
                    .hasSize(1).allMatch(l -> l.contains("Failed to connect") && l.contains("action=retry"));
            assertThat(lines).anyMatch(l -> l.startsWith("event=l1-reachable"));
        } finally {
            running.set(false);
            logger.detachAppender(logs);
        }
        DisputeGame game = DisputeGame.load(r.gameAddress, l1.web3j(), r.transactions(l1.key(4)), Rollout.GAS);
        assertThat(game.gameCount().send()).isEqualTo(BigInteger.ONE);
    }

    /** Two honest batches sealed; batch 0 posted as it is, batch 1 with a lying post-root after an L1 snapshot to reorganise back to. */
    private record Lied(List<Batch> batches, String beforeTheLie) {
        /** L1 reorganises back to before the lie and posts batch 1 under {@code header} instead, two blocks deep. */
        void reorgTo(Rollout r, DevnetContext l1, dev.clearline.engine.batch.BatchHeader header) throws Exception {
            assertThat(l1.time().revert(beforeTheLie)).isTrue();
            r.post(header, batches.get(1).calldata());
            l1.time().mine();
            l1.time().mine();
        }
    }

    private static Lied honestThenLieAfterASnapshot(Rollout r, DevnetContext l1) throws Exception {
        List<Batch> batches = r.seal(r.honestGroups().subList(0, 2));
        r.post(batches.get(0).header(), batches.get(0).calldata());
        String beforeTheLie = l1.time().snapshot();
        r.post(Rollout.withPostRoot(batches.get(1).header(), LIE), batches.get(1).calldata());
        return new Lied(batches, beforeTheLie);
    }

    @Test
    void aReorgThatReplacesTheWrongBatchWithAnHonestOneDropsTheGameAndChallengesNothing(DevnetContext l1) throws Exception {
        Rollout r = new Rollout(l1);
        Lied lied = honestThenLieAfterASnapshot(r, l1);
        List<long[]> reorgsTold = new ArrayList<>();
        try (Watcher watcher = r.watcher(r.dispute(l1.key(4)), new Watcher.Role(true, true), dir, new ReplayListener() {
            @Override
            public void reorg(long lostBlock, long forkBlock) {
                reorgsTold.add(new long[] {lostBlock, forkBlock});
            }
        })) {
            assertThat(watcher.poll()).as("the challenge").isEqualTo(1);
            assertThat(watcher.activeGames()).isEqualTo(1);
            long challengedAt = l1.web3j().ethBlockNumber().send().getBlockNumber().longValueExact();

            // L1 reorganises: the lie and the challenge are gone, the honest batch 1 lands instead.
            lied.reorgTo(r, l1, lied.batches().get(1).header());
            assertThat(watcher.poll()).as("nothing to challenge on the new branch").isZero();
            // the CLI's log line: the one reorg, told once, its fork below the blocks it took away
            assertThat(reorgsTold).as("reorgs told to the listener").hasSize(1);
            assertThat(reorgsTold.getFirst()[1]).as("fork block").isLessThan(reorgsTold.getFirst()[0]);
            assertThat(reorgsTold.getFirst()[0]).as("lost block").isLessThanOrEqualTo(challengedAt);
            assertThat(watcher.activeGames()).isZero();
            assertThat(watcher.verdicts().getLast()).isInstanceOf(Verdict.Honest.class);
            assertThat(watcher.verdicts().getLast().batchIndex()).isEqualTo(1);
            assertThat(watcher.ledger().transactions()).isEqualTo(1);
            DisputeGame game = DisputeGame.load(r.gameAddress, l1.web3j(), r.transactions(l1.key(4)), Rollout.GAS);
            assertThat(game.gameCount().send()).isZero();
        }
    }

    /**
     * The game a reorg took away is forgotten with its block: when the new branch carries another lie in the
     * same batch, under the same submission number, the watcher challenges it again. A watcher that kept the
     * old branch's game would take the new lie for one it had already challenged, and let it finalize.
     */
    @Test
    void aReorgThatReplacesTheWrongBatchWithAnotherLieIsChallengedAgain(DevnetContext l1) throws Exception {
        Rollout r = new Rollout(l1);
        Lied lied = honestThenLieAfterASnapshot(r, l1);
        try (Watcher watcher = r.watcher(l1.key(4), new Watcher.Role(true, true), dir)) {
            assertThat(watcher.poll()).as("the challenge").isEqualTo(1);

            lied.reorgTo(r, l1, Rollout.withPostRoot(lied.batches().get(1).header(), Hash32.fromHex("0x" + "6f".repeat(32))));
            assertThat(watcher.poll()).as("the new branch's lie, challenged in turn").isEqualTo(1);
            assertThat(watcher.activeGames()).isEqualTo(1);
            assertThat(watcher.ledger().transactions()).isEqualTo(2);
            DisputeGame game = DisputeGame.load(r.gameAddress, l1.web3j(), r.transactions(l1.key(4)), Rollout.GAS);
            assertThat(game.gameCount().send()).as("one game on the new branch").isOne();
        }
    }

    /**
     * A challenge of the proposer's batch that a lagging node's log answer left out (a node a block
     * behind, behind a load balancer: no logs for the newest block, no error) is not skipped: the
     * game's own count shows it, the poll fails and says so, and the next one takes the game up.
     * Before the check the block counted as read and the proposer would have lost on time.
     */
    @Test
    void aChallengeLeftOutOfALaggingLogAnswerIsTakenUpOnTheNextPoll(DevnetContext l1) throws Exception {
        Rollout r = new Rollout(l1);
        postHonestThenLie(r);
        try (Watcher challenger = r.watcher(l1.key(4), new Watcher.Role(true, false))) {
            assertThat(challenger.poll()).as("the challenge").isEqualTo(1);
        }
        var lagging = new dev.clearline.devnet.junit.LaggingLogs(l1.service(), 1, org.web3j.abi.EventEncoder.encode(DisputeGame.CHALLENGED_EVENT));
        DisputeL1 proposerSide = r.dispute(r.proposerKey, Web3j.build(lagging));
        try (Watcher defender = r.watcher(proposerSide, new Watcher.Role(false, true), dir)) {
            assertThatThrownBy(defender::poll).isInstanceOf(java.io.IOException.class)
                    .hasMessageContaining("name game 0 as the last but the game counts 1");
            assertThat(defender.activeGames()).isZero();
            defender.poll();
            assertThat(defender.activeGames()).as("the game the first answer left out").isOne();
            assertThat(defender.ledger().entries()).extracting(GasLedger.Entry::action).containsExactly("bisect");
        }
    }

    /**
     * The liar's bisection left out of a lagging node's log answer: the game says it awaits the challenger's choice but
     * the answer shows no bisection to choose from. The poll fails and says what is missing (the follow loop retries),
     * nothing is sent, and the next poll, answered in full, makes the choice.
     */
    @Test
    void aBisectionLeftOutOfALaggingLogAnswerFailsThePollAndIsChosenOnTheNext(DevnetContext l1) throws Exception {
        Rollout r = new Rollout(l1);
        Batch bad = postHonestThenLie(r);
        Claims lies = lies(r, bad);
        var lagging = new dev.clearline.devnet.junit.LaggingLogs(l1.service(), 1, org.web3j.abi.EventEncoder.encode(DisputeGame.BISECTED_EVENT));
        DisputeL1 liar = r.dispute(r.proposerKey);
        try (Watcher watcher = r.watcher(r.dispute(l1.key(4), Web3j.build(lagging)), new Watcher.Role(true, true), dir)) {
            assertThat(watcher.poll()).as("the challenge").isEqualTo(1);
            long gameId = liar.challenges(0, liar.latestBlock()).getFirst().gameId.longValueExact();
            assertThat(new Defender(liar, liar.arity()).move(liar.game(gameId), lies)).as("the liar's bisection").isTrue();
            GameView g = liar.game(gameId);
            assertThatThrownBy(watcher::poll).isInstanceOf(java.io.IOException.class)
                    .hasMessage("game " + gameId + " awaits a choice but L1 shows no bisection of [" + g.lo() + ", " + g.hi() + ")");
            assertThat(watcher.ledger().entries()).extracting(GasLedger.Entry::action).containsExactly("challenge");
            assertThat(watcher.poll()).as("the choice, on the full answer").isEqualTo(1);
            assertThat(watcher.ledger().entries()).extracting(GasLedger.Entry::action).containsExactly("challenge", "choose");
        }
    }

    /**
     * The other side of the clock: a griefer challenges an honest batch and walks away after the proposer's first
     * bisection. The proposer's watcher waits while the griefer's clock runs, then claims the game on time and is
     * paid the griefer's bond; the batch stays.
     */
    @Test
    void aChallengerThatWalksAwayFromAnHonestBatchLosesOnTimeToTheProposer(DevnetContext l1) throws Exception {
        Rollout r = new Rollout(l1);
        List<Batch> batches = r.seal(r.honestGroups().subList(0, 2));
        for (Batch b : batches) r.post(b.header(), b.calldata());
        try (Watcher proposerSide = r.watcher(r.proposerKey, new Watcher.Role(true, true), dir)) {
            assertThat(proposerSide.poll()).as("honest batches: nothing to do").isZero();
            DisputeL1 griefer = r.dispute(l1.key(5));
            long gameId = griefer.challenge(batches.get(1).header()).gameId();
            assertThat(proposerSide.poll()).as("the first bisection").isEqualTo(1);
            assertThat(proposerSide.poll()).as("the griefer's clock still runs").isZero();
            DisputeGame game = DisputeGame.load(r.gameAddress, l1.web3j(), r.transactions(l1.key(5)), Rollout.GAS);
            l1.time().advance(Duration.ofSeconds(game.clockBudget().send().longValueExact() + 1));
            assertThat(proposerSide.poll()).as("the timeout claim").isEqualTo(1);
            proposerSide.poll();
            assertThat(proposerSide.finishedGames()).containsEntry(gameId, GameView.PROPOSER_WON);
            assertThat(proposerSide.ledger().entries()).extracting(GasLedger.Entry::action).containsExactly("bisect", "timeout");
            assertThat(game.credit(r.proposerKey.getAddress()).send()).isEqualTo(game.challengeBond().send());
            assertThat(r.proposer.nextBatchIndex().send()).isEqualTo(BigInteger.TWO);
        }
    }

    /**
     * A watcher that comes up after the challenge window of a wrong batch closed (nobody finalized it yet) cannot
     * challenge it: L1 refuses. It says so once, naming the game's error, goes on polling instead of failing every
     * poll on the same batch, and lets the batch go once it is finalized.
     */
    @Test
    void aWrongBatchPastItsWindowIsReportedOnceAndLetGoOnceFinal(DevnetContext l1) throws Exception {
        Rollout r = new Rollout(l1);
        postHonestThenLie(r);
        l1.time().advance(Duration.ofSeconds(r.proposer.challengePeriod().send().longValueExact() + 1));
        ListAppender<ILoggingEvent> logs = watcherLog();
        try (Watcher late = r.watcher(l1.key(4), new Watcher.Role(true, true), dir)) {
            assertThat(late.poll()).as("transactions sent").isZero();
            assertThat(late.refusedChallenges()).containsOnlyKeys(1L);
            assertThat(late.refusedChallenges().get(1L)).startsWith("ChallengePeriodOver(1, ");
            assertThat(late.gameCounts().challengesRefused()).as("the figure an operator's alert reads").isEqualTo(1);
            assertThat(late.poll()).as("tried again and refused again").isZero();
            assertThat(late.refusedChallenges()).as("still live, still refused").containsOnlyKeys(1L);
            assertThat(logs.list).noneMatch(e -> e.getFormattedMessage().startsWith("event=challenge-given-up"));
            Rollout.ok(r.proposer.finalizeBatches(BigInteger.TEN).send());
            assertThat(late.poll()).isZero();
            assertThat(late.refusedChallenges()).as("a final batch is let go").isEmpty();
            assertThat(late.gameCounts().challengesRefused()).isZero();
            assertThat(late.ledger().transactions()).isZero();
            List<String> lines = logs.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
            assertThat(lines.stream().filter(l -> l.startsWith("event=challenge-refused"))).as("one line for two refusals: %s", lines)
                    .singleElement().asString().contains("batch=1 ", "ChallengePeriodOver(1, ");
            assertThat(lines.stream().filter(l -> l.startsWith("event=challenge-given-up"))).singleElement().asString().contains("batch=1 ");
        } finally {
            ((Logger) LoggerFactory.getLogger(Watcher.class)).detachAppender(logs);
        }
    }

    /**
     * A griefer challenges both of the proposer's honest batches, and L1 refuses the proposer's bisection in the first
     * game (its gas estimate reverts with the game's error). The second game is answered all the same, the refusal is
     * reported once, and once L1 takes the move the first game is answered too.
     */
    @Test
    void aMoveL1RefusesInOneGameDoesNotHoldUpTheOthers(DevnetContext l1) throws Exception {
        Rollout r = new Rollout(l1);
        List<Batch> batches = r.seal(r.honestGroups().subList(0, 2));
        for (Batch b : batches) r.post(b.header(), b.calldata());
        DisputeL1 griefer = r.dispute(l1.key(5));
        long first = griefer.challenge(batches.get(0).header()).gameId();
        long second = griefer.challenge(batches.get(1).header()).gameId();
        RefusingTransport path = new RefusingTransport(l1.service())
                .refuse(RefusingTransport.selector("bisect(uint256,bytes32[])"), first, RefusingTransport.error("ClockExpired(uint256,uint8)", first, 0));
        ListAppender<ILoggingEvent> logs = watcherLog();
        try (Watcher proposerSide = r.watcher(r.dispute(r.proposerKey, Web3j.build(path)), new Watcher.Role(true, true), dir)) {
            assertThat(proposerSide.poll()).as("the second game's bisection").isEqualTo(1);
            assertThat(logs.list).as("the refusal, reported when it first happens").anyMatch(e -> e.getFormattedMessage().startsWith("event=move-refused"));
            assertThat(proposerSide.poll()).as("the first refused again; the second waits on the griefer").isZero();
            assertThat(path.refusals).isEqualTo(2);
            assertThat(proposerSide.gameCounts().movesRefused()).as("the figure an operator's alert reads").isEqualTo(1);
            path.allow();
            assertThat(proposerSide.poll()).as("the first game's bisection, once L1 takes it").isEqualTo(1);
            assertThat(proposerSide.gameCounts().movesRefused()).isZero();
            assertThat(proposerSide.ledger().entries()).extracting(GasLedger.Entry::action, GasLedger.Entry::gameId)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("bisect", second), org.assertj.core.groups.Tuple.tuple("bisect", first));
            List<String> lines = logs.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
            assertThat(lines.stream().filter(l -> l.startsWith("event=move-refused"))).as("one line for two refusals: %s", lines)
                    .singleElement().asString().contains("game=" + first + " ", "ClockExpired(" + first + ", 0)");
        } finally {
            ((Logger) LoggerFactory.getLogger(Watcher.class)).detachAppender(logs);
        }
    }

    /**
     * A challenge the node refuses though the chain would take it (a node behind, where the batch is not posted yet) is
     * sent on the next poll once the node answers as the chain does: a refusal delays a challenge, it does not drop it.
     */
    @Test
    void aChallengeRefusedByANodeBehindIsSentOnTheNextPoll(DevnetContext l1) throws Exception {
        Rollout r = new Rollout(l1);
        Batch bad = postHonestThenLie(r);
        RefusingTransport path = refusingTheChallengeOf(r, l1, bad.header());
        try (Watcher watcher = r.watcher(r.dispute(l1.key(4), Web3j.build(path)), dir)) {
            assertThat(watcher.poll()).as("refused: nothing sent").isZero();
            assertThat(watcher.refusedChallenges()).hasEntrySatisfying(1L, why -> assertThat(why).startsWith("HeaderMismatch(1, "));
            path.allow();
            assertThat(watcher.poll()).as("the challenge, once the node answers as the chain does").isEqualTo(1);
            assertThat(watcher.refusedChallenges()).isEmpty();
            assertThat(watcher.activeGames()).isEqualTo(1);
            assertThat(watcher.gameCounts().transactionsSent()).isEqualTo(1);
            assertThat(watcher.ledger().entries()).extracting(GasLedger.Entry::action).containsExactly("challenge");
        }
    }

    /**
     * A wrong batch whose challenge L1 refused, taken away by a reorg (an honest batch lands in its place): the refusal goes
     * with its block. A watcher that kept it would go on sending the old branch's challenge, refused for a header L1 no
     * longer has, and report a wrong batch that is not there.
     */
    @Test
    void aRefusedChallengeGoesWithTheBlockAReorgTakesAway(DevnetContext l1) throws Exception {
        Rollout r = new Rollout(l1);
        Lied lied = honestThenLieAfterASnapshot(r, l1);
        RefusingTransport path = refusingTheChallengeOf(r, l1, lied.batches().get(1).header());
        try (Watcher watcher = r.watcher(r.dispute(l1.key(4), Web3j.build(path)), dir)) {
            assertThat(watcher.poll()).as("refused: nothing sent").isZero();
            assertThat(watcher.refusedChallenges()).containsOnlyKeys(1L);

            lied.reorgTo(r, l1, lied.batches().get(1).header());
            path.allow();
            assertThat(watcher.poll()).as("nothing to challenge on the new branch").isZero();
            assertThat(watcher.refusedChallenges()).as("the refusal went with the lie").isEmpty();
            assertThat(watcher.gameCounts().challengesRefused()).isZero();
            assertThat(watcher.verdicts().getLast()).isInstanceOf(Verdict.Honest.class);
            assertThat(watcher.ledger().transactions()).isZero();
            DisputeGame game = DisputeGame.load(r.gameAddress, l1.web3j(), r.transactions(l1.key(4)), Rollout.GAS);
            assertThat(game.gameCount().send()).isZero();
        }
    }

    /**
     * A wrong batch judged just before L1 stopped answering (its challenge never went out) and reorganised away
     * while L1 was down: when L1 answers again the watcher judges the new branch and sends nothing. A watcher that
     * kept the old branch's judgement would challenge a header L1 no longer has, and report a wrong batch that is
     * not there.
     */
    @Test
    void aWrongBatchJudgedBeforeAnOutageAndReorganisedAwayDuringItIsNotChallenged(DevnetContext l1) throws Exception {
        Rollout r = new Rollout(l1);
        Lied lied = honestThenLieAfterASnapshot(r, l1);
        Outage outage = new Outage(l1);
        outage.atTheNextChallenge();
        try (Watcher watcher = r.watcher(r.dispute(l1.key(4), outage.web3j()), dir)) {
            assertThatThrownBy(watcher::poll).isInstanceOf(java.io.IOException.class);
            assertThat(watcher.verdicts().getLast()).isInstanceOf(Verdict.WrongPostRoot.class);

            lied.reorgTo(r, l1, lied.batches().get(1).header());
            outage.over();
            assertThat(watcher.poll()).as("nothing to challenge on the new branch").isZero();
            assertThat(watcher.verdicts().getLast()).isInstanceOf(Verdict.Honest.class);
            assertThat(watcher.verdicts().getLast().batchIndex()).isEqualTo(1);
            assertThat(watcher.refusedChallenges()).as("no challenge of the old branch's header was tried").isEmpty();
            assertThat(watcher.ledger().transactions()).isZero();
            DisputeGame game = DisputeGame.load(r.gameAddress, l1.web3j(), r.transactions(l1.key(4)), Rollout.GAS);
            assertThat(game.gameCount().send()).isZero();
        }
    }

    /**
     * A wrong batch judged while L1 kept failing the challenge's send, then a reorg of the blocks after it only:
     * the batch is still there, still waiting to be challenged, and the challenge goes out once L1 answers. A
     * watcher that forgot the waiting batches at every reorg would never challenge it (the batch is judged and
     * not read twice), and the lie would finalize.
     */
    @Test
    void aWrongBatchWaitingForItsChallengeThroughAReorgAboveItIsStillChallenged(DevnetContext l1) throws Exception {
        Rollout r = new Rollout(l1);
        postHonestThenLie(r);
        String afterTheLie = l1.time().snapshot();
        Outage outage = new Outage(l1);
        try (Watcher watcher = r.watcher(r.dispute(l1.key(4), outage.web3j()), dir)) {
            // L1 fails as each challenge is about to go out: twice, the second time after the watcher read one more block
            outage.atTheNextChallenge();
            assertThatThrownBy(watcher::poll).isInstanceOf(java.io.IOException.class);
            outage.over();
            l1.time().mine();
            outage.atTheNextChallenge();
            assertThatThrownBy(watcher::poll).isInstanceOf(java.io.IOException.class);

            // the block after the lie is replaced: the fork is the lie's own block
            reorgAbove(l1, afterTheLie);
            outage.over();
            assertThat(watcher.poll()).as("the challenge of the lie still on L1").isEqualTo(1);
            assertThat(watcher.activeGames()).isEqualTo(1);
            DisputeGame game = DisputeGame.load(r.gameAddress, l1.web3j(), r.transactions(l1.key(4)), Rollout.GAS);
            assertThat(game.gameCount().send()).isOne();
        }
    }

    /**
     * A reorg that takes away only blocks after a wrong batch whose challenge a node refused: the refusal stays,
     * since the batch is still there, and the challenge goes out once the node takes it. A watcher that let the
     * refusal go with the reorg would never try again (the batch is judged and not read twice), and the lie would
     * finalize.
     */
    @Test
    void aReorgAboveARefusedChallengesBatchKeepsTheRefusalAndTheChallengeGoesOutLater(DevnetContext l1) throws Exception {
        Rollout r = new Rollout(l1);
        Batch bad = postHonestThenLie(r);
        String afterTheLie = l1.time().snapshot();
        RefusingTransport path = refusingTheChallengeOf(r, l1, bad.header());
        try (Watcher watcher = r.watcher(r.dispute(l1.key(4), Web3j.build(path)), dir)) {
            assertThat(watcher.poll()).as("refused: nothing sent").isZero();
            l1.time().mine();
            assertThat(watcher.poll()).as("refused again").isZero();

            // the block after the lie is replaced: the fork is the lie's own block
            reorgAbove(l1, afterTheLie);
            assertThat(watcher.poll()).as("still refused").isZero();
            assertThat(watcher.refusedChallenges()).as("the batch is still there, so is its refusal").containsOnlyKeys(1L);
            path.allow();
            assertThat(watcher.poll()).as("the challenge, once the node takes it").isEqualTo(1);
            assertThat(watcher.activeGames()).isEqualTo(1);
            assertThat(watcher.refusedChallenges()).isEmpty();
        }
    }

    /**
     * A reorg that takes away only blocks after the challenge keeps the game: it is still on L1, and the watcher
     * plays it to the end (here, the proposer never answering, on time). A watcher that forgot games at the fork
     * would read games again only after it, never find this one, and lose it on time instead.
     */
    @Test
    void aReorgAboveAnOpenGameKeepsItAndTheWatcherStillWinsIt(DevnetContext l1) throws Exception {
        Rollout r = new Rollout(l1);
        postHonestThenLie(r);
        L1Reads reads = new L1Reads(l1.service());
        try (Watcher watcher = r.watcher(r.dispute(l1.key(4), Web3j.build(reads)), new Watcher.Role(true, true), dir)) {
            assertThat(watcher.poll()).as("the challenge").isEqualTo(1);
            assertThat(watcher.poll()).as("the challenge's block read").isZero();
            String afterTheChallenge = l1.time().snapshot();
            long challengeBlock = l1.web3j().ethBlockNumber().send().getBlockNumber().longValueExact();
            l1.time().mine();
            assertThat(watcher.poll()).isZero();

            // the block after the challenge is replaced: the fork is the challenge's own block
            reorgAbove(l1, afterTheChallenge);
            int readBefore = reads.ranges(DisputeGame.CHALLENGED_EVENT).size();
            assertThat(watcher.poll()).isZero();
            // games are read again from the block after the fork, not from the fork (the challenge's block would be read twice)
            assertThat(reads.ranges(DisputeGame.CHALLENGED_EVENT)).as("queries for games").hasSizeGreaterThan(readBefore);
            assertThat(reads.ranges(DisputeGame.CHALLENGED_EVENT).get(readBefore)[0]).as("the first query for games after the reorg")
                    .isEqualTo(challengeBlock + 1);
            assertThat(watcher.activeGames()).as("the game is still on L1").isEqualTo(1);

            DisputeGame game = DisputeGame.load(r.gameAddress, l1.web3j(), r.transactions(l1.key(4)), Rollout.GAS);
            l1.time().advance(Duration.ofSeconds(game.clockBudget().send().longValueExact() + 1));
            assertThat(watcher.poll()).as("the timeout claim").isEqualTo(1);
            watcher.poll();
            assertThat(watcher.finishedGames()).containsOnly(java.util.Map.entry(game.gameCount().send().longValueExact(), GameView.CHALLENGER_WON));
        }
    }

    /**
     * A reorg that takes away the block of this watcher's own challenge, which the new branch does not carry (this
     * devnet does not put a reorganised transaction back in its pool; a real node may not either): the lie is
     * challenged again. A watcher that only forgot the game would have nothing left to challenge it from (the batch
     * is judged and not read twice), and the lie would finalize.
     */
    @Test
    void aChallengeAReorgTakesAwayIsSentAgain(DevnetContext l1) throws Exception {
        Rollout r = new Rollout(l1);
        postHonestThenLie(r);
        String afterTheLie = l1.time().snapshot();
        try (Watcher watcher = r.watcher(l1.key(4), new Watcher.Role(true, true), dir)) {
            assertThat(watcher.poll()).as("the challenge").isEqualTo(1);
            assertThat(watcher.poll()).as("the challenge's block read").isZero();
            assertThat(watcher.activeGames()).isEqualTo(1);

            reorgAbove(l1, afterTheLie);
            DisputeGame game = DisputeGame.load(r.gameAddress, l1.web3j(), r.transactions(l1.key(4)), Rollout.GAS);
            assertThat(game.gameCount().send()).as("no game on the new branch").isZero();
            assertThat(watcher.poll()).as("the lie challenged again").isEqualTo(1);
            assertThat(watcher.activeGames()).isEqualTo(1);
            assertThat(game.gameCount().send()).isOne();
            assertThat(watcher.poll()).as("and only once").isZero();
        }
    }

    /**
     * A reorg that takes away the move that ended a game (here the challenger's timeout claim), which the new branch
     * does not carry: the game is open again on L1, and the watcher plays it again. A watcher that kept it among its
     * finished games would never look at it again, and a challenger whose one-step proof went that way would lose
     * its bond on time.
     */
    @Test
    void aGameWhoseEndAReorgTakesAwayIsPlayedAgain(DevnetContext l1) throws Exception {
        Rollout r = new Rollout(l1);
        postHonestThenLie(r);
        try (Watcher watcher = r.watcher(l1.key(4), new Watcher.Role(true, true), dir)) {
            assertThat(watcher.poll()).as("the challenge").isEqualTo(1);
            assertThat(watcher.poll()).isZero();
            DisputeGame game = DisputeGame.load(r.gameAddress, l1.web3j(), r.transactions(l1.key(4)), Rollout.GAS);
            long id = game.gameCount().send().longValueExact();
            l1.time().advance(Duration.ofSeconds(game.clockBudget().send().longValueExact() + 1));
            String beforeTheClaim = l1.time().snapshot();
            assertThat(watcher.poll()).as("the timeout claim").isEqualTo(1);
            watcher.poll();
            assertThat(watcher.finishedGames()).containsOnly(java.util.Map.entry(id, GameView.CHALLENGER_WON));

            reorgAbove(l1, beforeTheClaim);
            assertThat(watcher.poll()).as("the claim sent again").isEqualTo(1);
            watcher.poll();
            assertThat(watcher.finishedGames()).containsOnly(java.util.Map.entry(id, GameView.CHALLENGER_WON));
            assertThat(watcher.activeGames()).isZero();
        }
    }

    /**
     * A game that ended is kept for a reorg that could take its end away only while the head is within the replay's
     * reorg depth (64 blocks here) of the poll that saw it end: a reorg then asks L1 about it again; once the head is
     * further on, it is forgotten and a reorg asks nothing (a long-running watcher does not keep every game it ever played).
     */
    @Test
    void aGameThatEndedIsAskedAboutAfterAReorgOnlyWithinTheReorgDepth(DevnetContext l1) throws Exception {
        Rollout r = new Rollout(l1);
        postHonestThenLie(r);
        L1Reads reads = new L1Reads(l1.service());
        try (Watcher watcher = r.watcher(r.dispute(l1.key(4), Web3j.build(reads)), new Watcher.Role(true, true), dir)) {
            assertThat(watcher.poll()).as("the challenge").isEqualTo(1);
            DisputeGame game = DisputeGame.load(r.gameAddress, l1.web3j(), r.transactions(l1.key(4)), Rollout.GAS);
            l1.time().advance(Duration.ofSeconds(game.clockBudget().send().longValueExact() + 1));
            assertThat(watcher.poll()).as("the timeout claim").isEqualTo(1);
            watcher.poll();
            assertThat(watcher.finishedGames()).containsValue(GameView.CHALLENGER_WON);
            long seen = head(l1); // the head of the poll that saw the game end

            // within the depth: a poll at seen + 64 keeps it, and the reorg below that block asks L1 about it again
            l1.time().mineBlocks(seen + 63 - head(l1), 1);
            String below = l1.time().snapshot();
            l1.time().mine();
            assertThat(head(l1)).isEqualTo(seen + 64);
            watcher.poll();
            long asked = reads.calls("game(uint256)");
            reorgAbove(l1, below);
            assertThat(watcher.poll()).isZero();
            assertThat(reads.calls("game(uint256)") - asked).as("asked about the ended game after a reorg within the depth").isOne();

            // past the depth (that poll's head is seen + 65): forgotten, and the next reorg asks nothing
            String later = l1.time().snapshot();
            l1.time().mine();
            watcher.poll();
            asked = reads.calls("game(uint256)");
            reorgAbove(l1, later);
            assertThat(watcher.poll()).isZero();
            assertThat(reads.calls("game(uint256)") - asked).as("asked about the ended game after a reorg past the depth").isZero();
            assertThat(watcher.finishedGames()).containsValue(GameView.CHALLENGER_WON);
        }
    }

    private static long head(DevnetContext l1) throws java.io.IOException {
        return l1.web3j().ethBlockNumber().send().getBlockNumber().longValueExact();
    }

    /**
     * A game opened and won inside the blocks a reorg takes away (the challenge and the timeout claim both gone, the lie
     * still there): the lie is challenged again, and the new game, which L1 numbers as the old one was, is played to
     * the end. A watcher that kept the old game among its finished ones would take the new one for it and leave it
     * alone: the challenger's clock would run out and its bond go to the liar.
     */
    @Test
    void aGameOpenedAndWonInsideTheBlocksAReorgTakesIsOpenedAndWonAgain(DevnetContext l1) throws Exception {
        Rollout r = new Rollout(l1);
        postHonestThenLie(r);
        String afterTheLie = l1.time().snapshot();
        try (Watcher watcher = r.watcher(l1.key(4), new Watcher.Role(true, true), dir)) {
            assertThat(watcher.poll()).as("the challenge").isEqualTo(1);
            assertThat(watcher.poll()).isZero();
            DisputeGame game = DisputeGame.load(r.gameAddress, l1.web3j(), r.transactions(l1.key(4)), Rollout.GAS);
            long id = game.gameCount().send().longValueExact();
            long budget = game.clockBudget().send().longValueExact();
            l1.time().advance(Duration.ofSeconds(budget + 1));
            assertThat(watcher.poll()).as("the timeout claim").isEqualTo(1);
            watcher.poll();
            assertThat(watcher.finishedGames()).containsOnly(java.util.Map.entry(id, GameView.CHALLENGER_WON));

            reorgAbove(l1, afterTheLie);
            assertThat(game.gameCount().send()).as("no game on the new branch").isZero();
            assertThat(watcher.poll()).as("the lie challenged again").isEqualTo(1);
            watcher.poll();
            assertThat(game.gameCount().send().longValueExact()).as("the new game takes the old one's number").isEqualTo(id);
            assertThat(watcher.activeGames()).as("and is played").isEqualTo(1);
            l1.time().advance(Duration.ofSeconds(budget + 1));
            assertThat(watcher.poll()).as("the timeout claim on the new branch").isEqualTo(1);
            watcher.poll();
            assertThat(watcher.finishedGames()).containsOnly(java.util.Map.entry(id, GameView.CHALLENGER_WON));
            assertThat(game.gameCount().send().longValueExact()).isEqualTo(id);
            assertThat(watcher.activeGames()).isZero();
        }
    }

    /** A node that refuses the challenge of {@code header} with its post-root replaced by the lie, as a node behind would. */
    private static RefusingTransport refusingTheChallengeOf(Rollout r, DevnetContext l1, dev.clearline.engine.batch.BatchHeader header)
            throws Exception {
        String challenge = DisputeGame.load(r.gameAddress, l1.web3j(), r.transactions(l1.key(4)), Rollout.GAS)
                .challenge(DisputeL1.header(Rollout.withPostRoot(header, LIE)), BigInteger.ZERO).encodeFunctionCall();
        return new RefusingTransport(l1.service())
                .refuse(challenge.substring(0, 10), 0, RefusingTransport.error("HeaderMismatch(uint64,bytes32,bytes32)", 1, 0, 0));
    }

    /** A path to L1 that goes down just as the watcher's next challenge is about to go out (its gas estimate): the batch is judged, the challenge not sent. */
    private static final class Outage {
        private final UnreachableTransport path;
        private final CallWatch node;

        Outage(DevnetContext l1) {
            path = new UnreachableTransport(l1.service());
            node = new CallWatch(path);
        }

        Web3j web3j() {
            return Web3j.build(node);
        }

        void atTheNextChallenge() {
            node.beforeCall("eth_estimateGas", 0, () -> path.unreachable = true);
        }

        void over() {
            path.unreachable = false;
        }
    }

    /** L1 goes back to {@code snapshot} and grows two other blocks on it (later timestamps, so other hashes). */
    private static void reorgAbove(DevnetContext l1, String snapshot) {
        long latest = l1.time().latestTimestamp();
        assertThat(l1.time().revert(snapshot)).isTrue();
        l1.time().mineAt(latest + 7);
        l1.time().mine();
    }

    /** The watcher's log lines from now on, until the test detaches the appender. */
    private static ListAppender<ILoggingEvent> watcherLog() {
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        ((Logger) LoggerFactory.getLogger(Watcher.class)).addAppender(logs);
        return logs;
    }

    /**
     * Two challengers dispute the same lie and the other wins first: the batch is rejected, and the watcher's own game,
     * its turn to move, can no longer be played (L1 refuses every move on a batch that is not live). The watcher settles
     * it and its challenge bond comes back; before, it tried its refused move on every poll and the bond stayed in the
     * open game until someone else settled it.
     */
    @Test
    void aGameWhoseBatchAnotherChallengerGotRejectedIsSettledAndTheBondComesBack(DevnetContext l1) throws Exception {
        Rollout r = new Rollout(l1);
        Batch bad = postHonestThenLie(r);
        DisputeL1 other = r.dispute(l1.key(5));
        long othersGame = other.challenge(Rollout.withPostRoot(bad.header(), LIE)).gameId();
        DisputeGame game = DisputeGame.load(r.gameAddress, l1.web3j(), r.transactions(l1.key(4)), Rollout.GAS);
        long budget = game.clockBudget().send().longValueExact();
        l1.time().advance(Duration.ofSeconds(budget / 2));
        try (Watcher watcher = r.watcher(l1.key(4), new Watcher.Role(true, true), dir)) {
            assertThat(watcher.poll()).as("its challenge").isEqualTo(1);
            long mine = othersGame + 1;
            DisputeL1 liar = r.dispute(r.proposerKey);
            assertThat(liar.game(mine).challenger()).isEqualToIgnoringCase(l1.key(4).getAddress());
            assertThat(new Defender(liar, liar.arity()).move(liar.game(mine), lies(r, bad))).as("the liar answers the watcher's game only").isTrue();
            l1.time().advance(Duration.ofSeconds(budget / 2 + 1)); // the liar's clock in the other game ran out; the watcher's has not
            other.timeout(othersGame);
            assertThat(other.game(othersGame).status()).isEqualTo(GameView.CHALLENGER_WON);
            assertThat(game.credit(l1.key(4).getAddress()).send()).isZero();

            assertThat(watcher.poll()).as("the settlement").isEqualTo(1);
            watcher.poll();

            assertThat(watcher.finishedGames()).containsEntry(mine, GameView.OBSOLETE);
            assertThat(game.credit(l1.key(4).getAddress()).send()).as("the challenge bond, back").isEqualTo(game.challengeBond().send());
            assertThat(watcher.gameCounts().movesRefused()).isZero();
            assertThat(watcher.activeGames()).isZero();
            assertThat(watcher.ledger().entries()).extracting(GasLedger.Entry::action).containsExactly("challenge", "settleObsolete");
            Rollout.accountsForEveryTransaction(watcher, l1.web3j());
        }
    }

    @Test
    void aProposerThatNeverAnswersLosesOnTimeToTheWatcher(DevnetContext l1) throws Exception {
        Rollout r = new Rollout(l1);
        postHonestThenLie(r);
        try (Watcher watcher = r.watcher(l1.key(4), new Watcher.Role(true, true), dir)) {
            assertThat(watcher.poll()).isEqualTo(1);
            assertThat(watcher.poll()).as("the proposer's clock still runs").isZero();
            DisputeGame game = DisputeGame.load(r.gameAddress, l1.web3j(), r.transactions(l1.key(4)), Rollout.GAS);
            l1.time().advance(Duration.ofSeconds(game.clockBudget().send().longValueExact() + 1));
            assertThat(watcher.poll()).as("the timeout claim").isEqualTo(1);
            watcher.poll();
            assertThat(watcher.finishedGames()).containsValue(GameView.CHALLENGER_WON);
            assertThat(watcher.ledger().entries()).extracting(GasLedger.Entry::action).containsExactly("challenge", "timeout");
            Rollout.accountsForEveryTransaction(watcher, l1.web3j());
            assertThat(r.proposer.nextBatchIndex().send()).isEqualTo(BigInteger.ONE);
        }
    }
}
