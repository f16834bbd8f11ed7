package dev.clearline.prover.report;

import dev.clearline.contracts.generated.DisputeGame;
import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.web3j.abi.EventEncoder;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.tx.ReadonlyTransactionManager;
import org.web3j.tx.gas.DefaultGasProvider;
import org.web3j.utils.Numeric;

/**
 * One game as the {@code DisputeGame} contract recorded it in its events: who opened it against
 * which batch, every bisection and choice, and how it ended, with each move's transaction and gas.
 */
public final class DisputeLog {
    private static final String[] STATUS = {"None", "Active", "ChallengerWon", "ProposerWon", "Obsolete"};
    private static final String[] REASON = {"StepRejected", "RootMismatch", "PriorityHashMismatch", "StepAgrees", "Timeout", "BatchGone"};

    /** The game's moves and facts, before the local replay adds the one-step proof. */
    public record Game(long gameId, String disputeGame, String rollup, long batchIndex, long submissionId, String proposer,
                       String challenger, int transitionCount, List<DisputeRecord.Round> rounds, int lo, int hi, String loRoot,
                       String hiRoot, Optional<DisputeRecord.Outcome> outcome) {}

    private DisputeLog() {}

    /**
     * Reads game {@code gameId} of the {@code DisputeGame} at {@code address} from blocks {@code fromBlock} on.
     *
     * @throws NoSuchGameException when the contract has no such game
     */
    public static Game read(Web3j web3j, String address, long gameId, long fromBlock) throws IOException {
        DisputeGame contract = DisputeGame.load(address, web3j, new ReadonlyTransactionManager(web3j, address), new DefaultGasProvider());
        long count;
        DisputeGame.Game state;
        String rollup;
        try {
            count = contract.gameCount().send().longValueExact();
            if (gameId < 1 || gameId > count) throw new NoSuchGameException(gameId, count);
            state = contract.game(BigInteger.valueOf(gameId)).send();
            rollup = contract.rollup().send();
        } catch (IOException | NoSuchGameException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("cannot read the DisputeGame at " + address + ": " + e.getMessage(), e);
        }

        List<Log> logs = dev.clearline.prover.l1.LogQuery.logs(web3j, address, filter -> filter
                .addOptionalTopics(EventEncoder.encode(DisputeGame.CHALLENGED_EVENT), EventEncoder.encode(DisputeGame.BISECTED_EVENT),
                        EventEncoder.encode(DisputeGame.SEGMENTCHOSEN_EVENT), EventEncoder.encode(DisputeGame.GAMERESOLVED_EVENT))
                .addSingleTopic(Numeric.toHexStringWithPrefixZeroPadded(BigInteger.valueOf(gameId), 64)),
                fromBlock, web3j.ethBlockNumber().send().getBlockNumber().longValueExact());

        List<DisputeRecord.Round> rounds = new ArrayList<>();
        String proposer = state.proposer;
        String challenger = state.challenger;
        int transitionCount = state.transitionCount.intValueExact();
        long batchIndex = state.batchIndex.longValueExact();
        int lo = 0;
        int hi = transitionCount;
        String loRoot = null;
        String hiRoot = null;
        List<String> lastRoots = List.of();
        Optional<DisputeRecord.Outcome> outcome = Optional.empty();
        String topicChallenged = EventEncoder.encode(DisputeGame.CHALLENGED_EVENT);
        String topicBisected = EventEncoder.encode(DisputeGame.BISECTED_EVENT);
        String topicChosen = EventEncoder.encode(DisputeGame.SEGMENTCHOSEN_EVENT);
        for (Log log : logs) {
            String topic = log.getTopics().getFirst();
            Optional<String> tx = Optional.of(log.getTransactionHash());
            long block = log.getBlockNumber().longValueExact();
            long gas = gasUsed(web3j, log);
            if (topic.equals(topicChallenged)) {
                rounds.add(new DisputeRecord.Round(rounds.size() + 1, "challenger", "challenge", 0, transitionCount, List.of(), -1, tx, block, gas));
            } else if (topic.equals(topicBisected)) {
                DisputeGame.BisectedEventResponse e = DisputeGame.getBisectedEventFromLog(log);
                lastRoots = e.roots.stream().map(Numeric::toHexString).toList();
                rounds.add(new DisputeRecord.Round(rounds.size() + 1, "proposer", "bisect", e.lo.intValueExact(), e.hi.intValueExact(),
                        lastRoots, -1, tx, block, gas));
            } else if (topic.equals(topicChosen)) {
                DisputeGame.SegmentChosenEventResponse e = DisputeGame.getSegmentChosenEventFromLog(log);
                int len = hi - lo;
                int parts = lastRoots.size() + 1;
                int segment = -1;
                for (int j = 0; j < parts; j++) if (lo + len * j / parts == e.lo.intValueExact()) segment = j;
                loRoot = Numeric.toHexString(e.loRoot);
                hiRoot = Numeric.toHexString(e.hiRoot);
                rounds.add(new DisputeRecord.Round(rounds.size() + 1, "challenger", "choose", lo, hi, List.of(loRoot, hiRoot), segment, tx, block, gas));
                lo = e.lo.intValueExact();
                hi = e.hi.intValueExact();
            } else {
                DisputeGame.GameResolvedEventResponse e = DisputeGame.getGameResolvedEventFromLog(log);
                String reason = REASON[e.reason.intValueExact()];
                outcome = Optional.of(new DisputeRecord.Outcome(STATUS[e.status.intValueExact()], reason));
                String move = switch (reason) {
                    case "Timeout" -> "timeout";
                    case "BatchGone" -> "settleObsolete";
                    default -> "oneStep";
                };
                String side = move.equals("oneStep") ? "challenger" : "anyone";
                rounds.add(new DisputeRecord.Round(rounds.size() + 1, side, move, lo, hi, List.of(), -1, tx, block, gas));
            }
        }
        return new Game(gameId, address, rollup, batchIndex, state.submissionId.longValueExact(), proposer, challenger, transitionCount,
                rounds, lo, hi, loRoot, hiRoot, outcome);
    }

    /**
     * Gas the move's transaction used, or {@link DisputeRecord#GAS_UNKNOWN}. By hash first; a node
     * keeps its index by transaction hash for about a year (geth's default), so an older move is
     * looked up among its block's receipts, and where the node cannot answer that either the gas
     * is unknown (not 0, which would understate what the dispute cost).
     */
    private static long gasUsed(Web3j web3j, Log log) throws IOException {
        Optional<TransactionReceipt> r = web3j.ethGetTransactionReceipt(log.getTransactionHash()).send().getTransactionReceipt();
        if (r.isPresent()) return r.get().getGasUsed().longValueExact();
        var block = web3j.ethGetBlockReceipts(DefaultBlockParameter.valueOf(log.getBlockNumber())).send();
        if (block.hasError() || block.getBlockReceipts().isEmpty()) return DisputeRecord.GAS_UNKNOWN;
        return block.getBlockReceipts().get().stream().filter(x -> log.getTransactionHash().equalsIgnoreCase(x.getTransactionHash()))
                .findFirst().map(x -> x.getGasUsed().longValueExact()).orElse(DisputeRecord.GAS_UNKNOWN);
    }

    /** There is no game with this id. */
    public static final class NoSuchGameException extends RuntimeException {
        public NoSuchGameException(long gameId, long count) {
            super("there is no dispute " + gameId + ": the DisputeGame has " + (count == 0 ? "no games yet" : "games 1 to " + count));
        }
    }
}
