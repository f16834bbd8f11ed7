package dev.clearline.prover.dispute;

import dev.clearline.contracts.generated.DisputeGame;
import dev.clearline.engine.stf.Stf;
import dev.clearline.engine.witness.WitnessBuilder;
import dev.clearline.prover.escape.FreezeReporter;
import dev.clearline.prover.l1.RollupLog;
import dev.clearline.prover.replay.L1Source;
import dev.clearline.prover.replay.ReplayListener;
import dev.clearline.prover.replay.Replayer;
import dev.clearline.prover.replay.Verdict;
import dev.clearline.prover.store.BatchRecord;
import dev.clearline.prover.store.ReplayStore;
import dev.clearline.prover.trace.StepVm;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the rollup on L1 and acts: every posted batch is replayed and judged by a
 * {@link Replayer} over the persistent {@link ReplayStore}; a wrong batch (the first of a run: its
 * successors build on its lie and fall with it) is challenged at once, when {@link Role#challenge}
 * is on; games against this account's batches are defended, when {@link Role#defend} is on. Each
 * {@link #poll()} reads what is new on L1 and makes every move that is due; {@link #follow} drives
 * it in a loop that rides out L1 outages. After a freeze it reports the frozen state's bad debt and
 * insurance fund during the claim window, once ({@link Role#reportEscape}).
 *
 * <p>Restart: the store resumes the replay where it stopped; the watcher keeps no dispute state of
 * its own. On its first poll it reads the games of this account from the {@code Challenged} events
 * and resumes them, and challenges any wrong batch the store judged that it has no game on yet (a
 * watcher killed between the verdict and the challenge). Reorg: the replay rewinds to the fork
 * point and judges the new branch; a game whose challenge was reorganised away is dropped (the
 * batch, if the new branch still holds it, is judged and challenged again).
 *
 * <p>Refusals: a challenge or a move L1 would revert (its gas estimate fails: the window closed, the
 * game moved on, the node is behind) is not sent and holds nothing else up. It is reported once,
 * with the contract's error decoded, and tried again on the next poll; a refused challenge is let
 * go once its batch is no longer live ({@link #refusedChallenges()}).
 *
 * <p>Not thread-safe: one thread polls.
 */
public final class Watcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Watcher.class);

    /**
     * What this watcher does besides judging: challenge wrong batches, defend this account's
     * batches, and after a freeze report the frozen state's bad debt and insurance fund to the
     * escape hatch during the claim window ({@link FreezeReporter}), and post the batch of the queued
     * ops an operator leaves waiting half the force delay ({@link CensoredOps}: it locks a proposer
     * bond, so only when asked).
     */
    public record Role(boolean challenge, boolean defend, boolean reportEscape, boolean proposeCensored) {
        /** Challenging and defending as given, and reporting after a freeze. */
        public Role(boolean challenge, boolean defend) {
            this(challenge, defend, true);
        }

        /** As given, without posting censored ops. */
        public Role(boolean challenge, boolean defend, boolean reportEscape) {
            this(challenge, defend, reportEscape, false);
        }
    }

    /** A game this watcher plays, with the replay of its batch and the block holding the challenge. */
    private record Game(long id, long batchIndex, long submissionId, long block, BatchTrace trace) {}

    /** A batch the replay judged in this poll. */
    private record Judged(BatchRecord record, RollupLog.Posted posted, Verdict verdict) {}

    /** A wrong batch whose challenge L1 refused, and why. */
    private record Refusal(Judged batch, String reason) {}

    private final L1Source source;
    private final ReplayStore store;
    private final Stf stf;
    private final DisputeL1 l1;
    private final Role role;
    private final Replayer replayer;
    private final StepVm replay;
    private final Challenger challenger;
    private final Defender defender;
    /** Reports the frozen state to the escape hatch after a freeze, when the role says so. */
    private final FreezeReporter reporter;
    /** Posts the batch of ops the operator leaves waiting; null unless the role asks for it. */
    private final CensoredOps censored;
    private final long startBlock;
    /** The first block whose {@code Challenged} events are not read yet. */
    private long nextChallengeBlock;
    /**
     * Whether the wrong batches in the store have been taken up since the run started (a restart) or
     * since a reorg took away a challenge of this account's; false: the next poll takes them up.
     */
    private boolean resumed;
    /** Batches judged and not acted on yet: kept across a poll that fails half way, so none is missed. */
    private final List<Judged> pending = new ArrayList<>();
    /** Games still being played, by id. */
    private final Map<Long, Game> games = new LinkedHashMap<>();
    /** Every (batch index, submission) this account has a game on, played out or not. */
    private final Map<Long, Game> challengedByMe = new LinkedHashMap<>();
    private final Map<Long, Integer> finished = new LinkedHashMap<>();
    /**
     * Games that ended, kept while a reorg could still take their last move away (the poll's head was
     * within the replay's reorg depth of the block the end was seen at): such a game is open again.
     */
    private final Map<Long, Ended> ended = new LinkedHashMap<>();
    private record Ended(Game game, long seenAt) {}
    /** Set by a reorg: the next poll asks L1 again about the games in {@link #ended}. */
    private boolean recheckEnded;
    private final long reorgDepth;
    /** Wrong batches whose challenge L1 refused, by posting transaction, with the reason: tried again on every poll while live. */
    private final Map<String, Refusal> refused = new LinkedHashMap<>();
    /** The last refusal of each game's move, so a move L1 keeps refusing is reported once, not on every poll. */
    private final Map<Long, String> refusedMoves = new LinkedHashMap<>();
    /** Transactions sent by this run's polls (the polling thread's). */
    private long moves;
    private volatile GameCounts gamesCounted = new GameCounts(0, 0, 0, 0, 0);
    private final List<Verdict> verdicts = new ArrayList<>();

    /**
     * @param store the watcher's persistent state; the watcher closes it when it closes
     * @param listener told of every verdict, reorg and the replay's progress (besides the watcher)
     */
    public Watcher(L1Source source, ReplayStore store, Stf stf, DisputeL1 l1, Role role, Replayer.Settings settings,
                   ReplayListener listener) throws IOException {
        this.source = source;
        this.store = store;
        this.stf = stf;
        this.l1 = l1;
        this.role = role;
        this.startBlock = settings.startBlock();
        this.reorgDepth = settings.reorgDepth();
        this.nextChallengeBlock = settings.startBlock();
        this.replayer = new Replayer(source, store, stf, settings, new ReplayListener() {
            @Override
            public void judged(BatchRecord batch, RollupLog.Posted posted, Verdict verdict) {
                listener.judged(batch, posted, verdict);
                pending.add(new Judged(batch, posted, verdict));
            }

            @Override
            public void progress(long block, long head, long batches) {
                listener.progress(block, head, batches);
            }

            @Override
            public void reorg(long lostBlock, long forkBlock) {
                listener.reorg(lostBlock, forkBlock);
                onReorg(forkBlock);
            }
        });
        this.replay = new StepVm(l1.chainId());
        this.challenger = new Challenger(l1, new WitnessBuilder(stf), replay, l1.domainSeparator());
        this.defender = new Defender(l1, l1.arity());
        this.censored = role.proposeCensored() ? new CensoredOps(l1, startBlock) : null;
        this.reporter = role.reportEscape() ? new FreezeReporter(l1.web3j(), l1.rollup().getContractAddress(), stf, l1::sendCall, startBlock) : null;
        l1.challengeBond();
    }

    /** Reads new blocks, judges new batches, opens, resumes and plays games; returns the number of transactions sent. */
    public int poll() throws IOException {
        Replayer.Poll p = replayer.poll();
        int sent = 0;
        // The games first, so a batch this account already challenged (before a restart) is not challenged twice.
        adoptGames(p.reachedBlock(), p.head());
        if (recheckEnded) reopenEnded();
        ended.values().removeIf(e -> e.seenAt() < p.head() - reorgDepth);
        if (!resumed) {
            pending.addAll(0, unchallengedFromBefore());
            resumed = true;
        }
        sent += challengeRefusedAgain();
        while (!pending.isEmpty()) {
            sent += onBatch(pending.getFirst());
            pending.removeFirst();
        }
        sent += play(p.head());
        if (censored != null) sent += censored.poll(replayer.verifier(), p.head());
        if (reporter != null) sent += reporter.poll().sent();
        moves += sent;
        gamesCounted = new GameCounts(games.size(), finished.size(), moves, refused.size(), refusedMoves.size());
        return sent;
    }

    /**
     * Games being played and played to the end, and transactions sent, as of the last poll: read from any thread.
     * {@code challengesRefused}: wrong batches, still live, whose challenge L1 refuses (each may become final
     * unchallenged); {@code movesRefused}: games whose last move L1 refused (their clock runs on).
     */
    public record GameCounts(int active, int finished, long transactionsSent, int challengesRefused, int movesRefused) {}

    /** {@link GameCounts} as of the last poll that completed (the games' maps belong to the polling thread). */
    public GameCounts gameCounts() {
        return gamesCounted;
    }

    /**
     * Polls until {@code running} turns false, {@code intervalMillis} apart. When L1 cannot be
     * reached it says so once, retries with a doubling pause (up to 30 s), and says when L1
     * answers again; a dispute is never given up for an outage, the next poll carries on.
     */
    public void follow(BooleanSupplier running, Replayer.Sleeper sleeper, long intervalMillis) throws InterruptedException {
        int failures = 0;
        long pause = intervalMillis;
        while (running.getAsBoolean()) {
            try {
                poll();
                if (failures > 0) LOG.warn("event=l1-reachable failedTries={}", failures);
                failures = 0;
                pause = intervalMillis;
            } catch (IOException | RuntimeException e) {
                if (failures++ == 0) {
                    LOG.warn("event=poll-failed reason=\"{}\" action=retry retryInMs={}", e.getMessage() == null ? e.toString() : e.getMessage(),
                            pause);
                }
                pause = Math.min(30_000, Math.max(pause, 1) * 2);
            }
            sleeper.sleep(failures > 0 ? pause : intervalMillis);
        }
    }

    /** Reads the games opened up to {@code toBlock} and takes up those this account plays. */
    private void adoptGames(long toBlock, long head) throws IOException {
        if (toBlock < nextChallengeBlock) return;
        List<DisputeGame.ChallengedEventResponse> opened = l1.challenges(nextChallengeBlock, toBlock);
        requireEveryGame(opened, toBlock);
        for (DisputeGame.ChallengedEventResponse e : opened) {
            long gameId = e.gameId.longValueExact();
            gamesByBlock.merge(e.log.getBlockNumber().longValueExact(), gameId, Math::max);
            boolean mineToPlay = e.challenger.equalsIgnoreCase(l1.account());
            boolean mineToDefend = role.defend() && e.proposer.equalsIgnoreCase(l1.account());
            if (!mineToPlay && !mineToDefend || games.containsKey(gameId) || finished.containsKey(gameId)) continue;
            long index = e.batchIndex.longValueExact();
            long block = e.log.getBlockNumber().longValueExact();
            Optional<BatchTrace> trace = traceOf(index, block);
            if (trace.isEmpty()) {
                LOG.warn("event=challenge-of-unknown-batch game={} batch={} action=ignore", gameId, index);
                continue;
            }
            GameView g = l1.game(gameId);
            Game game = new Game(gameId, index, g.submissionId(), block, trace.get());
            if (mineToPlay) challengedByMe.put(gameId, game);
            if (!g.active()) {
                finished.put(gameId, g.status());
                ended.put(gameId, new Ended(game, head));
                continue;
            }
            LOG.info("event={} game={} batch={} challenger={}", mineToPlay ? "resume" : "challenged", gameId, index, e.challenger);
            games.put(gameId, game);
        }
        nextChallengeBlock = toBlock + 1;
    }

    /** Whether this watcher read the games from the rollup's deployment on, so it knows how many there are (null: not asked yet). */
    private Boolean countsGames;
    /** The highest game id opened in each block read, for the count check (kept across reorgs up to the fork). */
    private final java.util.NavigableMap<Long, Long> gamesByBlock = new java.util.TreeMap<>();

    /**
     * Refuses a log answer that left out a game, before any of it is taken up: a load-balanced
     * RPC's node a block behind answers the newest blocks with no logs and no error, and a
     * challenge of this account's batch left out would never be answered (the proposer loses its
     * bond by timeout). Games are numbered 1, 2, 3..: the game's own {@code gameCount()} at the
     * range's last block (the head: games are read up to where the replay reached, which is the
     * head whenever there is anything new) must be the highest id read, for a watcher that reads
     * from the rollup's deployment (one started later does not know the count).
     */
    private void requireEveryGame(List<DisputeGame.ChallengedEventResponse> opened, long toBlock) throws IOException {
        if (countsGames == null) countsGames = startBlock <= source.deploymentBlock();
        if (!countsGames) return;
        long seen = gamesByBlock.isEmpty() ? 0 : java.util.Collections.max(gamesByBlock.values());
        for (DisputeGame.ChallengedEventResponse e : opened) seen = Math.max(seen, e.gameId.longValueExact());
        long counted = l1.gameCountAt(toBlock);
        if (counted != seen) {
            throw new IOException("the node's logs up to block " + toBlock + " name game " + seen + " as the last but the game counts " + counted
                    + " there: a node behind the others answered the log query; reading them again");
        }
    }

    /** The replay of the latest posting of batch {@code index} at or before {@code block}, from the store. */
    private Optional<BatchTrace> traceOf(long index, long block) throws IOException {
        BatchRecord found = null;
        for (BatchRecord r : store.batches()) if (r.batchIndex() == index && r.block() <= block) found = r;
        if (found == null) return Optional.empty();
        long preVersion = found.preVersion();
        return posted(found).map(p -> new BatchTrace(stf, store.nodes(), preVersion, p.batch()));
    }

    /** The batch a record judged, read again from L1 (by its block and transaction). */
    private Optional<RollupLog.Posted> posted(BatchRecord r) throws IOException {
        for (RollupLog.Posted p : source.batches(r.block(), r.block())) {
            if (p.transactionHash().equalsIgnoreCase(r.transactionHash())) return Optional.of(p);
        }
        return Optional.empty();
    }

    /** Wrong batches the store judged before this run: each is challenged if this account has no game on it yet. */
    private List<Judged> unchallengedFromBefore() throws IOException {
        if (!role.challenge()) return List.of();
        Set<String> fromThisPoll = new HashSet<>();
        for (Judged j : pending) fromThisPoll.add(j.record().transactionHash());
        List<Judged> out = new ArrayList<>();
        for (BatchRecord r : store.batches()) {
            if (r.honest() || r.verdict().startsWith("fraud:wrong-prev-root") || fromThisPoll.contains(r.transactionHash())) continue;
            Optional<RollupLog.Posted> p = posted(r);
            if (p.isPresent()) out.add(new Judged(r, p.get(), null));
        }
        return out;
    }

    private int onBatch(Judged j) throws IOException {
        BatchRecord r = j.record();
        long index = r.batchIndex();
        if (j.verdict() != null) verdicts.add(j.verdict());
        if (r.honest() || !role.challenge()) return 0;
        if (j.verdict() instanceof Verdict.WrongPrevRoot) {
            // It builds on an earlier wrong batch: that one is the one to challenge, and this falls with it.
            LOG.info("event=verdict batch={} verdict=builds-on-wrong-batch", index);
            return 0;
        }
        if (!provable(r.verdict())) {
            LOG.warn("event=not-challengeable batch={} reason=\"{}\"", index, r.verdict());
            return 0;
        }
        long submission = j.posted().submissionId();
        for (Game g : challengedByMe.values()) {
            if (g.batchIndex() == index && g.submissionId() == submission) {
                refused.remove(r.transactionHash());
                return 0;
            }
        }
        if (!l1.isLive(index, submission)) {
            LOG.info("event=not-challengeable batch={} reason=not-live", index);
            return 0;
        }
        // The challenge first, the per-step replay the game needs after it: the clock starts at the batch, not at the replay.
        DisputeL1.Opened opened;
        try {
            opened = l1.challenge(j.posted().batch().header());
        } catch (DisputeL1.Refused e) {
            // Not a reason to stop: the poll goes on to the other batches and the games in play.
            Refusal before = refused.put(r.transactionHash(), new Refusal(j, e.reason()));
            if (before == null || !before.reason().equals(e.reason())) {
                LOG.warn("event=challenge-refused batch={} submission={} reason=\"{}\" action=\"try again on every poll while the batch is live\"",
                        index, submission, e.reason());
            }
            return 0;
        }
        refused.remove(r.transactionHash());
        BatchTrace trace = new BatchTrace(stf, store.nodes(), r.preVersion(), j.posted().batch());
        LOG.info("event=challenge game={} batch={} block={} firstRefused={}", opened.gameId(), index, opened.block(),
                trace.firstRefused().orElse(-1));
        Game g = new Game(opened.gameId(), index, submission, opened.block(), trace);
        games.put(g.id(), g);
        challengedByMe.put(g.id(), g);
        return 1;
    }

    /**
     * Tries again the challenges L1 refused on an earlier poll (a node behind may refuse what the
     * chain allows); a batch no longer live (finalized, rejected, replaced, frozen) is let go.
     */
    private int challengeRefusedAgain() throws IOException {
        int sent = 0;
        for (Refusal f : List.copyOf(refused.values())) {
            Judged j = f.batch();
            if (!l1.isLive(j.record().batchIndex(), j.posted().submissionId())) {
                refused.remove(j.record().transactionHash());
                LOG.warn("event=challenge-given-up batch={} reason=\"no longer live; L1 refused its challenge with {}\"", j.record().batchIndex(),
                        f.reason());
                continue;
            }
            sent += onBatch(new Judged(j.record(), j.posted(), null));
        }
        return sent;
    }

    /** Wrong batches whose challenge L1 refused and that are still live, by batch index, with L1's reason. */
    public Map<Long, String> refusedChallenges() {
        Map<Long, String> out = new LinkedHashMap<>();
        for (Refusal f : refused.values()) out.put(f.batch().record().batchIndex(), f.reason());
        return out;
    }

    /**
     * Whether a verdict ({@link dev.clearline.prover.replay.VerdictText}'s form) is fraud a one-step
     * proof wins: a transition the STF refuses or cannot decode, or a post-root the steps do not
     * reach. (A header that disagrees with its calldata never reaches L1: the rollup checks it.)
     */
    static boolean provable(String verdict) {
        return verdict.startsWith("fraud:refused-step") || verdict.startsWith("fraud:undecodable") || verdict.startsWith("fraud:wrong-post-root");
    }

    private int play(long head) throws IOException {
        int sent = 0;
        for (var it = games.values().iterator(); it.hasNext();) {
            Game game = it.next();
            GameView g = l1.game(game.id());
            if (g.status() == 0) {
                LOG.warn("event=game-gone game={} batch={} reason=\"L1 no longer has it (reorganised away)\" action=drop", game.id(),
                        game.batchIndex());
                // a challenge of this account's gone with it leaves its lie unchallenged: the wrong batches are taken up again
                if (challengedByMe.remove(game.id()) != null) resumed = false;
                it.remove();
                continue;
            }
            if (!g.active()) {
                LOG.info("event=game-over game={} batch={} status={}", g.gameId(), g.batchIndex(), GameView.statusName(g.status()));
                finished.put(g.gameId(), g.status());
                ended.put(g.gameId(), new Ended(game, head));
                refusedMoves.remove(game.id());
                it.remove();
                continue;
            }
            boolean mine = g.challenger().equals(l1.account());
            try {
                if (mine && !l1.isLive(g.batchIndex(), g.submissionId())) {
                    // Its batch went another way (another challenger's game rejected it, or the rollup froze): L1 refuses every
                    // move from now on, and the game stays open, holding this account's bond, until someone settles it.
                    LOG.info("event=settle-obsolete game={} batch={} reason=\"its batch is no longer live\" effect=\"the challenge bond comes back\"",
                            g.gameId(), g.batchIndex());
                    l1.settleObsolete(g.gameId());
                    sent++;
                } else if (mine ? challenger.move(g, game.trace(), game.block()) : defender.move(g, Claims.of(game.trace()))) sent++;
                refusedMoves.remove(game.id());
            } catch (DisputeL1.Refused e) {
                // The game moved under this account's feet (or the node is behind): read it again next poll; the others go on.
                if (!e.reason().equals(refusedMoves.put(game.id(), e.reason()))) {
                    LOG.warn("event=move-refused game={} batch={} reason=\"{}\" action=\"read the game again on the next poll\"", game.id(),
                            game.batchIndex(), e.reason());
                }
            }
        }
        return sent;
    }

    /** Blocks after {@code forkBlock} are gone: games opened in them may be too, and their events are read again. */
    private void onReorg(long forkBlock) {
        l1.reorganised(forkBlock); // a move of ours mined after the fork may be gone: its nonce and block are not to be waited on
        for (Game g : games.values()) {
            if (g.block() > forkBlock) {
                LOG.warn("event=game-reorged game={} batch={} block={} forkBlock={} action=\"read the games again from the fork point\"", g.id(),
                        g.batchIndex(), g.block(), forkBlock);
            }
        }
        pending.removeIf(j -> j.record().block() > forkBlock);
        refused.values().removeIf(f -> f.batch().record().block() > forkBlock);
        // Game ids are sequential: after the fork an id may name another game, so these are read again from the events.
        games.values().removeIf(g -> g.block() > forkBlock);
        if (challengedByMe.values().removeIf(g -> g.block() > forkBlock)) {
            // A challenge of this account's went with the blocks: unless the new branch carries it again (read from
            // the fork on, before the batches), its lie stands unchallenged. The batch was judged and is not read
            // again, so the wrong batches are taken up from the store, as after a restart.
            LOG.warn("event=challenge-reorged forkBlock={} action=\"challenge again each wrong batch left without a game of this account\"",
                    forkBlock);
            resumed = false;
        }
        nextChallengeBlock = Math.max(startBlock, Math.min(nextChallengeBlock, forkBlock + 1));
        gamesByBlock.tailMap(forkBlock, false).clear();
        // A game opened after the fork went with the blocks (its id may name another game now, read from the events);
        // one opened before it may have lost the move that ended it: asked again on this poll.
        for (var it = ended.values().iterator(); it.hasNext();) {
            Game g = it.next().game();
            if (g.block() > forkBlock) {
                finished.remove(g.id());
                it.remove();
            }
        }
        recheckEnded = !ended.isEmpty();
    }

    /** After a reorg: each recently ended game L1 shows open again is played again; the others keep their (possibly new) outcome. */
    private void reopenEnded() throws IOException {
        for (var it = ended.values().iterator(); it.hasNext();) {
            Game game = it.next().game();
            GameView g = l1.game(game.id());
            if (g.active()) {
                LOG.warn("event=game-reopened game={} batch={} reason=\"the move that ended it was reorganised away\" action=play",
                        game.id(), game.batchIndex());
                finished.remove(game.id());
                games.put(game.id(), game);
                if (g.challenger().equals(l1.account())) challengedByMe.put(game.id(), game);
                it.remove();
            } else if (g.status() == 0) {
                finished.remove(game.id());
                it.remove();
            } else {
                finished.put(game.id(), g.status());
            }
        }
        recheckEnded = false;
    }

    /** Every verdict of this run, in L1 order (batches judged before a restart are in the store). */
    public List<Verdict> verdicts() {
        return List.copyOf(verdicts);
    }

    /** Games this watcher played to the end, with their final status. */
    public Map<Long, Integer> finishedGames() {
        return Map.copyOf(finished);
    }

    /** Games still being played. */
    public int activeGames() {
        return games.size();
    }

    /** Why the challenger last held a one-step proof back (its replay did not show the batch losing), or empty. */
    public String heldBack() {
        return challenger.heldBack();
    }

    public GasLedger ledger() {
        return l1.ledger();
    }

    /** The freeze as the escape reporter last saw it; null while not frozen, or when this watcher does not report. */
    public FreezeReporter.Frozen frozen() {
        return reporter == null ? null : reporter.frozen();
    }

    @Override
    public void close() {
        replay.close();
        store.close();
    }
}
