package dev.clearline.prover.dispute;

import dev.clearline.contracts.generated.DisputeGame;
import dev.clearline.engine.stf.Stf;
import dev.clearline.engine.witness.WitnessBuilder;
import dev.clearline.prover.l1.RollupLog;
import dev.clearline.prover.replay.BatchVerifier;
import dev.clearline.prover.replay.Verdict;
import dev.clearline.tree.store.NodeStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the rollup on L1 and acts: every posted batch is replayed and judged; a wrong batch (the
 * first of a run: its successors build on its lie and fall with it) is challenged at once, when
 * {@link Role#challenge} is on; games against this account's batches are defended, when
 * {@link Role#defend} is on. Each {@link #poll()} reads what is new on L1 and makes every move
 * that is due, so a caller drives it from a loop with any pace (the CLI sleeps between polls,
 * tests call it directly).
 *
 * <p>Not thread-safe: one thread polls.
 */
public final class Watcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Watcher.class);

    /** What this watcher does besides judging. */
    public record Role(boolean challenge, boolean defend) {}

    private final RollupLog log;
    private final BatchVerifier verifier;
    private final NodeStore nodes;
    private final Stf stf;
    private final DisputeL1 l1;
    private final Role role;
    private final OneStepReplay replay = new OneStepReplay();
    private final Challenger challenger;
    private final Defender defender;
    private long nextBlock;
    /** The replay of the latest posting of each batch index. */
    private final Map<Long, BatchTrace> traces = new HashMap<>();
    /** Games this watcher plays, by id, with the trace of their batch. */
    private final Map<Long, BatchTrace> games = new LinkedHashMap<>();
    private final Map<Long, Integer> finished = new LinkedHashMap<>();
    private final List<Verdict> verdicts = new ArrayList<>();

    /**
     * @param nodes the node store {@code verifier} keeps the verified state in (forks of it hold the replays)
     * @param fromBlock the first L1 block to read (the rollup's deployment block)
     */
    public Watcher(RollupLog log, BatchVerifier verifier, NodeStore nodes, Stf stf, DisputeL1 l1, Role role, long fromBlock)
            throws IOException {
        this.log = log;
        this.verifier = verifier;
        this.nodes = nodes;
        this.stf = stf;
        this.l1 = l1;
        this.role = role;
        this.nextBlock = fromBlock;
        this.challenger = new Challenger(l1, new WitnessBuilder(stf), replay, l1.domainSeparator());
        this.defender = new Defender(l1, l1.arity());
    }

    /** Reads new blocks, judges new batches, opens and plays games; returns the number of transactions sent. */
    public int poll() throws IOException {
        long head = log.latestBlock();
        int sent = 0;
        if (head >= nextBlock) {
            // Games opened in this range first: after a restart, a game this account already opened
            // on a batch is resumed rather than opened a second time.
            List<DisputeGame.ChallengedEventResponse> challenges = l1.challenges(nextBlock, head);
            for (RollupLog.Posted p : log.batches(nextBlock, head)) sent += onBatch(p, challenges);
            if (role.defend()) {
                for (DisputeGame.ChallengedEventResponse e : challenges) {
                    if (!e.proposer.equalsIgnoreCase(l1.account())) continue;
                    BatchTrace t = traces.get(e.batchIndex.longValueExact());
                    long gameId = e.gameId.longValueExact();
                    LOG.info("event=challenged game={} batch={} challenger={}", gameId, e.batchIndex, e.challenger);
                    if (t != null) games.putIfAbsent(gameId, t);
                    else LOG.warn("event=challenge-of-unknown-batch game={} batch={}", gameId, e.batchIndex);
                }
            }
            nextBlock = head + 1;
        }
        for (var it = games.entrySet().iterator(); it.hasNext();) {
            var e = it.next();
            GameView g = l1.game(e.getKey());
            if (!g.active()) {
                LOG.info("event=game-over game={} batch={} status={}", g.gameId(), g.batchIndex(), GameView.statusName(g.status()));
                finished.put(g.gameId(), g.status());
                it.remove();
                continue;
            }
            boolean mine = g.challenger().equals(l1.account());
            if (mine ? challenger.move(g, e.getValue()) : defender.move(g, Claims.of(e.getValue()))) sent++;
        }
        return sent;
    }

    private int onBatch(RollupLog.Posted p, List<DisputeGame.ChallengedEventResponse> challenges) throws IOException {
        long preVersion = nodes.latestVersion();
        Verdict v = verifier.verify(p.batch());
        verdicts.add(v);
        long index = p.batch().header().batchIndex();
        if (v instanceof Verdict.WrongPrevRoot) {
            // It builds on an earlier wrong batch: that one is the one to challenge, and this falls with it.
            LOG.info("event=verdict batch={} verdict=builds-on-wrong-batch", index);
            return 0;
        }
        BatchTrace trace = new BatchTrace(stf, nodes, preVersion, p.batch());
        traces.put(index, trace);
        if (v instanceof Verdict.Honest) {
            LOG.debug("event=verdict batch={} verdict=honest", index);
            return 0;
        }
        LOG.warn("event=verdict batch={} verdict=wrong detail=\"{}\"", index, v);
        if (!role.challenge() || !trace.fraudulent()) return 0;
        for (DisputeGame.ChallengedEventResponse e : challenges) {
            if (e.batchIndex.longValueExact() != index || !e.challenger.equalsIgnoreCase(l1.account())) continue;
            GameView g = l1.game(e.gameId.longValueExact());
            if (g.submissionId() != p.submissionId()) continue;
            LOG.info("event=resume game={} batch={} status={}", g.gameId(), index, GameView.statusName(g.status()));
            games.put(g.gameId(), trace);
            return 0;
        }
        if (!l1.isLive(index, p.submissionId())) {
            LOG.info("event=not-challengeable batch={} reason=not-live", index);
            return 0;
        }
        long gameId = l1.challenge(p.batch().header());
        LOG.info("event=challenge game={} batch={} firstRefused={}", gameId, index, trace.firstRefused().orElse(-1));
        games.put(gameId, trace);
        return 1;
    }

    /** Every verdict so far, in L1 order. */
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

    @Override
    public void close() {
        replay.close();
    }
}
