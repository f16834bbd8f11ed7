package dev.clearline.prover.report;

import dev.clearline.engine.stf.Stf;
import dev.clearline.prover.l1.RollupLog;
import dev.clearline.prover.replay.BatchVerifier;
import dev.clearline.prover.trace.StepCases;
import dev.clearline.prover.trace.StepTrace;
import dev.clearline.prover.trace.StepVm;
import dev.clearline.tree.store.MemoryNodeStore;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * Builds a {@link DisputeRecord} for a game on L1: its rounds from the DisputeGame's events, the
 * disputed transition's pre-state from replaying the rollup's batches before it (from L1 data
 * alone, in memory), and the one-step proof traced in the EVM.
 */
public final class DisputeRecords {
    private DisputeRecords() {}

    public static DisputeRecord fromL1(DisputeLog.Game game, List<RollupLog.Posted> posted, Stf stf, StepVm vm, long chainId,
                                       byte[] domainSeparator) {
        MemoryNodeStore nodes = new MemoryNodeStore();
        BatchVerifier verifier = new BatchVerifier(stf, nodes);
        RollupLog.Posted target = null;
        long preVersion = -1;
        for (RollupLog.Posted p : posted) {
            if (p.submissionId() == game.submissionId() && p.batch().header().batchIndex() == game.batchIndex()) {
                target = p;
                preVersion = nodes.latestVersion();
                break;
            }
            verifier.verify(p.batch());
        }
        if (target == null) {
            throw new IllegalArgumentException("the rollup's events hold no submission " + game.submissionId() + " of batch " + game.batchIndex()
                    + " that game " + game.gameId() + " disputes; read L1 from an earlier block (--from-block)");
        }
        StepTrace trace = StepTrace.of(vm, chainId, domainSeparator, new StepCases(stf).of(nodes, preVersion, target.batch(), game.lo()));
        String claimedStep = game.hiRoot() != null ? game.hiRoot() : target.batch().header().postStateRoot().toString();
        return new DisputeRecord("L1", chainId, game.gameId(), Optional.of(game.disputeGame()), game.batchIndex(), game.proposer(),
                game.challenger(), game.transitionCount(), target.batch().header().prevStateRoot().toString(),
                target.batch().header().postStateRoot().toString(), game.rounds(), game.lo(), claimedStep, game.outcome(), trace);
    }

    /** Reads the game and the rollup's batches through {@code web3j}; see {@link #fromL1(DisputeLog.Game, List, Stf, StepVm, long, byte[])}. */
    public static DisputeLog.Game readGame(org.web3j.protocol.Web3j web3j, String disputeGame, long gameId, long fromBlock) throws IOException {
        return DisputeLog.read(web3j, disputeGame, gameId, fromBlock);
    }
}
