package dev.clearline.prover.dispute;

import dev.clearline.contracts.Artifacts;
import dev.clearline.contracts.Refusals;
import dev.clearline.contracts.generated.DisputeGame;
import dev.clearline.contracts.generated.Rollup;
import dev.clearline.engine.batch.BatchHeader;
import dev.clearline.prover.l1.TxSender;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.web3j.abi.EventEncoder;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.protocol.core.RemoteFunctionCall;
import org.web3j.tx.ReadonlyTransactionManager;
import org.web3j.tx.gas.DefaultGasProvider;
import org.web3j.utils.Numeric;

/**
 * One account's view of the dispute game and the rollup through any JSON-RPC endpoint: reads the
 * games, the proposer's posted roots and the challenges, and sends this account's moves, each
 * recorded with its gas in a {@link GasLedger}.
 */
public final class DisputeL1 {
    private final Web3j web3j;
    private final TxSender sender;
    private final String account;
    private final DisputeGame game;
    private final Rollup rollup;
    private final GasLedger ledger = new GasLedger();
    /** Names the custom error of a move L1 would refuse (the game's, the rollup's, the escape hatch's). */
    private final Refusals refusals = new Refusals(Artifacts.onClasspath(), List.of("DisputeGame", "Rollup", "EscapeHatch"));
    private BigInteger challengeBond;

    /**
     * L1 would refuse this move (the node's gas estimate reverts), so it was not sent: the game or
     * the batch is not where this account thought (a window closed, a clock ran out, another move
     * came first). {@link #reason()} names the contract's error with its arguments.
     */
    public static final class Refused extends IOException {
        private final String reason;

        Refused(String what, String reason) {
            super(what + " would revert, not sent: " + reason);
            this.reason = reason;
        }

        /** The contract's error, decoded when it is one of the standard set's ({@code ChallengePeriodOver(1, 1733..)}). */
        public String reason() {
            return reason;
        }
    }

    /**
     * @param sender signs and sends this account's moves: its own nonce, fees from the latest base
     *     fee, and a re-send under the same nonce with higher fees when L1 drops or refuses one
     */
    public DisputeL1(Web3j web3j, String rollupAddress, String gameAddress, TxSender sender) {
        this.web3j = web3j;
        this.sender = sender;
        this.account = sender.address().toLowerCase();
        // Reads go through a read-only manager; every move goes through the sender.
        ReadonlyTransactionManager reads = new ReadonlyTransactionManager(web3j, sender.address());
        this.game = DisputeGame.load(gameAddress, web3j, reads, new DefaultGasProvider());
        this.rollup = Rollup.load(rollupAddress, web3j, reads, new DefaultGasProvider());
    }

    /** L1 replaced every block after {@code forkBlock}: this account's sends forget what went with them ({@link TxSender#reorganised}). */
    public void reorganised(long forkBlock) {
        sender.reorganised(forkBlock);
    }

    /** The endpoint this account reads and sends through. */
    public Web3j web3j() {
        return web3j;
    }

    public String account() {
        return account;
    }

    public GasLedger ledger() {
        return ledger;
    }

    public Rollup rollup() {
        return rollup;
    }

    public long chainId() throws IOException {
        return call(() -> web3j.ethChainId().send().getChainId().longValueExact());
    }

    public byte[] domainSeparator() throws IOException {
        return call(() -> rollup.domainSeparator().send());
    }

    /** The game's challenge bond (an immutable: read once, so a challenge costs no extra round trip). */
    public BigInteger challengeBond() throws IOException {
        if (challengeBond == null) challengeBond = call(() -> game.challengeBond().send());
        return challengeBond;
    }

    public int arity() throws IOException {
        return call(() -> game.arity().send()).intValueExact();
    }

    public long challengePeriod() throws IOException {
        return call(() -> rollup.challengePeriod().send()).longValueExact();
    }

    /** True while the batch is still the live submission (not final, not rejected, not replaced). */
    public boolean isLive(long batchIndex, long submissionId) throws IOException {
        return call(() -> rollup.isLive(BigInteger.valueOf(batchIndex), BigInteger.valueOf(submissionId)).send());
    }

    public GameView game(long gameId) throws IOException {
        DisputeGame.Game g = call(() -> game.game(BigInteger.valueOf(gameId)).send());
        var clock = call(() -> game.clockOf(BigInteger.valueOf(gameId)).send());
        boolean challengerToMove = GameView.challengerToMove(g.clock);
        return new GameView(gameId, g.batchIndex.longValueExact(), g.submissionId.longValueExact(), g.status.intValueExact(),
                g.challenger.toLowerCase(), g.proposer.toLowerCase(), g.lo.intValueExact(), g.hi.intValueExact(),
                g.transitionCount.intValueExact(), challengerToMove, clock.component2().longValueExact(), g.loRoot, g.hiRoot);
    }

    /**
     * The roots of the proposer's latest bisection of [lo, hi) in game {@code gameId}, read from
     * block {@code openedAt} (the game's challenge) on: a game's events are
     * never older, and a read from genesis through an RPC that caps a log query's block range is
     * thousands of queries on every move, while the game's clock runs.
     */
    public Optional<List<byte[]>> bisection(long gameId, int lo, int hi, long openedAt) throws IOException {
        List<byte[]> found = null;
        for (Log log : logs(DisputeGame.BISECTED_EVENT, gameId, openedAt, latestBlock())) {
            DisputeGame.BisectedEventResponse e = DisputeGame.getBisectedEventFromLog(log);
            if (e.lo.intValue() == lo && e.hi.intValue() == hi) found = e.roots;
        }
        return Optional.ofNullable(found);
    }

    /** The games opened in blocks [fromBlock, toBlock]. */
    public List<DisputeGame.ChallengedEventResponse> challenges(long fromBlock, long toBlock) throws IOException {
        List<DisputeGame.ChallengedEventResponse> out = new ArrayList<>();
        for (Log log : logs(DisputeGame.CHALLENGED_EVENT, null, fromBlock, toBlock)) out.add(DisputeGame.getChallengedEventFromLog(log));
        return out;
    }

    /** The game's {@code gameCount()} at the end of block {@code block}: games are numbered 1 to it. */
    public long gameCountAt(long block) throws IOException {
        return dev.clearline.prover.l1.CounterAt.read(web3j, game.getContractAddress(), "gameCount()", block);
    }

    public long latestBlock() throws IOException {
        return web3j.ethBlockNumber().send().getBlockNumber().longValue();
    }

    // ---------------------------------------------------------------- moves

    /** A game this account opened: its id and the L1 block that holds the challenge. */
    public record Opened(long gameId, long block) {}

    /** Opens a game against the batch with {@code header}. */
    public Opened challenge(BatchHeader header) throws IOException {
        TransactionReceipt r = send("challenge", 0, game.challenge(header(header), BigInteger.ZERO), challengeBond());
        return new Opened(DisputeGame.getChallengedEvents(r).getFirst().gameId.longValueExact(), r.getBlockNumber().longValueExact());
    }

    public void bisect(long gameId, List<byte[]> roots) throws IOException {
        send("bisect", gameId, game.bisect(BigInteger.valueOf(gameId), roots), BigInteger.ZERO);
    }

    public void choose(long gameId, List<byte[]> roots, int segment) throws IOException {
        send("choose", gameId, game.choose(BigInteger.valueOf(gameId), roots, BigInteger.valueOf(segment)), BigInteger.ZERO);
    }

    public void oneStep(long gameId, byte[] transition, List<byte[]> siblings, byte[] witness) throws IOException {
        send("oneStep", gameId, game.oneStep(BigInteger.valueOf(gameId), transition, siblings, witness), BigInteger.ZERO);
    }

    public void timeout(long gameId) throws IOException {
        send("timeout", gameId, game.timeout(BigInteger.valueOf(gameId)), BigInteger.ZERO);
    }

    /**
     * Wei the game and the rollup hold for this account to withdraw (bonds returned or won, a slashed
     * proposer's bond won): both pay only when asked ({@code clearline bonds --withdraw}).
     */
    public BigInteger owed() throws IOException {
        String me = account();
        return call(() -> game.credit(me).send()).add(call(() -> rollup.ethCredit(me).send()));
    }

    /** Ends a game whose batch is no longer live (rejected by another game, replaced, frozen): the challenger's bond is credited back. */
    public void settleObsolete(long gameId) throws IOException {
        send("settleObsolete", gameId, game.settleObsolete(BigInteger.valueOf(gameId)), BigInteger.ZERO);
    }

    /**
     * Sends this account's call {@code data} to another contract than the game (an escape report to
     * the hatch, say), through the same sender and into the same ledger (game 0).
     */
    public TransactionReceipt sendCall(String action, String to, String data) throws IOException {
        return send(action, 0, to, data, BigInteger.ZERO);
    }

    /** As {@link #sendCall(String, String, String)}, paying {@code value} wei (a proposer bond). */
    public TransactionReceipt sendCall(String action, String to, String data, BigInteger value) throws IOException {
        return send(action, 0, to, data, value);
    }

    static DisputeGame.BatchHeader header(BatchHeader h) {
        return new DisputeGame.BatchHeader(BigInteger.valueOf(h.batchIndex()), h.prevStateRoot().bytes(), h.postStateRoot().bytes(),
                BigInteger.valueOf(h.transitionCount()), h.transitionsRoot().bytes(), BigInteger.valueOf(h.priorityOpsConsumed()));
    }

    // ---------------------------------------------------------------- plumbing

    /**
     * Sends one move and waits until it is mined. The sender re-sends it under the same nonce with
     * higher fees while L1 drops or refuses it; a move the node's gas estimate says would revert
     * (the game moved on, a clock ran out) is not sent at all.
     */
    private TransactionReceipt send(String action, long gameId, RemoteFunctionCall<TransactionReceipt> call, BigInteger value)
            throws IOException {
        return send(action, gameId, game.getContractAddress(), call.encodeFunctionCall(), value);
    }

    private TransactionReceipt send(String action, long gameId, String to, String data, BigInteger value) throws IOException {
        String what = to.equalsIgnoreCase(game.getContractAddress()) ? action + " of game " + gameId : action + " to " + to;
        TxSender.Sent sent;
        try {
            sent = sender.send(to, data, value);
        } catch (TxSender.WouldRevert e) {
            throw new Refused(what, refusals.error(e.getMessage()).orElse(e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException(what + " interrupted while waiting to be mined");
        }
        TransactionReceipt r = sent.receipt();
        if (!r.isStatusOK()) throw new IOException(what + " reverted in transaction " + r.getTransactionHash());
        ledger.record(new GasLedger.Entry(action, gameId, r.getGasUsed().longValueExact(), r.getTransactionHash()));
        return r;
    }

    /** Runs a read from L1; an unreachable node or a refused call is an IOException the caller retries or reports. */
    public static <T> T call(dev.clearline.prover.l1.L1Call.Remote<T> remote) throws IOException {
        return dev.clearline.prover.l1.L1Call.read(remote);
    }

    private List<Log> logs(org.web3j.abi.datatypes.Event event, Long gameId, long fromBlock, long toBlock) throws IOException {
        return dev.clearline.prover.l1.LogQuery.logs(web3j, game.getContractAddress(), f -> {
            f.addSingleTopic(EventEncoder.encode(event));
            if (gameId != null) f.addSingleTopic(Numeric.toHexStringWithPrefixZeroPadded(BigInteger.valueOf(gameId), 64));
        }, fromBlock, toBlock);
    }
}
