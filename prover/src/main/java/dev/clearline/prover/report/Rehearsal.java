package dev.clearline.prover.report;

import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.stf.ForkedNodeStore;
import dev.clearline.engine.stf.Stf;
import dev.clearline.engine.stf.TreeLeafStore;
import dev.clearline.prover.replay.CalldataReplay;
import dev.clearline.prover.replay.PostedBatch;
import dev.clearline.prover.trace.StepCases;
import dev.clearline.prover.trace.StepTrace;
import dev.clearline.prover.trace.StepVm;
import dev.clearline.tree.SparseMerkleTree;
import dev.clearline.tree.store.NodeStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.IntFunction;

/**
 * Plays a dispute over a replayed batch locally, with the {@code DisputeGame}'s rules (k-ary
 * dissection with the contract's cut points, the challenger naming the first part whose end root
 * it disagrees with, then the one-step proof in the EVM), sending nothing. Its record is what the
 * report shows for a game before (or instead of) playing it on L1.
 */
public final class Rehearsal {
    private final Stf stf;
    private final StepVm vm;
    private final long chainId;
    private final byte[] domainSeparator;

    public Rehearsal(Stf stf, StepVm vm, long chainId, byte[] domainSeparator) {
        this.stf = stf;
        this.vm = vm;
        this.chainId = chainId;
        this.domainSeparator = domainSeparator.clone();
    }

    /** The root after each prefix of the batch (index 0 is the pre-state), by the Java STF. */
    public List<Hash32> honestRoots(NodeStore nodes, long preVersion, PostedBatch batch) {
        CalldataReplay.Decoded decoded = CalldataReplay.decode(batch.calldata());
        if (decoded.tail().isPresent()) {
            throw new IllegalArgumentException("batch " + batch.header().batchIndex() + " does not cut into transitions; its dispute is about bytes, not roots");
        }
        TreeLeafStore store = new TreeLeafStore(new SparseMerkleTree(new ForkedNodeStore(nodes, preVersion), 0));
        List<Hash32> roots = new ArrayList<>();
        roots.add(store.root());
        // a refused step leaves the root as it was, as the Solidity step does
        CalldataReplay.apply(stf, store, decoded.steps(), decoded.steps().size(), batch.header().batchIndex(), CalldataReplay.OnRefusal.SKIP,
                step -> roots.add(store.root()));
        return roots;
    }

    /**
     * @param claimed the proposer's root after each prefix {@code 0..n} (its answers in bisection;
     *     {@code claimed(n)} is the header's post-root)
     * @param arity parts per dissection, as the contract's {@code arity}
     */
    public DisputeRecord play(NodeStore nodes, long preVersion, PostedBatch batch, IntFunction<Hash32> claimed, int arity,
                              String proposer, String challenger) {
        List<Hash32> honest = honestRoots(nodes, preVersion, batch);
        int n = batch.header().transitionCount();
        List<DisputeRecord.Round> rounds = new ArrayList<>();
        int lo = 0;
        int hi = n;
        Hash32 loRoot = batch.header().prevStateRoot();
        Hash32 hiRoot = batch.header().postStateRoot();
        rounds.add(new DisputeRecord.Round(1, "challenger", "challenge", lo, hi,
                List.of(batch.header().prevStateRoot().toString(), hiRoot.toString()), -1, Optional.empty(), 0, 0));
        while (hi - lo > 1) {
            int len = hi - lo;
            int parts = Math.min(arity, len);
            List<Hash32> posted = new ArrayList<>();
            for (int j = 1; j < parts; j++) posted.add(claimed.apply(lo + len * j / parts));
            rounds.add(new DisputeRecord.Round(rounds.size() + 1, "proposer", "bisect", lo, hi,
                    posted.stream().map(Hash32::toString).toList(), -1, Optional.empty(), 0, 0));
            int pick = parts - 1;
            for (int j = 0; j < parts; j++) {
                Hash32 end = j == parts - 1 ? hiRoot : posted.get(j);
                if (!end.equals(honest.get(lo + len * (j + 1) / parts))) {
                    pick = j;
                    break;
                }
            }
            int newLo = lo + len * pick / parts;
            int newHi = lo + len * (pick + 1) / parts;
            if (pick > 0) loRoot = posted.get(pick - 1);
            if (pick < parts - 1) hiRoot = posted.get(pick);
            rounds.add(new DisputeRecord.Round(rounds.size() + 1, "challenger", "choose", lo, hi,
                    List.of(loRoot.toString(), hiRoot.toString()), pick, Optional.empty(), 0, 0));
            lo = newLo;
            hi = newHi;
        }
        StepTrace trace = StepTrace.of(vm, chainId, domainSeparator, new StepCases(stf).of(nodes, preVersion, batch, lo));
        rounds.add(new DisputeRecord.Round(rounds.size() + 1, "challenger", "oneStep", lo, hi, List.of(), -1, Optional.empty(), 0, 0));
        DisputeRecord open = new DisputeRecord("rehearsal", chainId, 0, Optional.empty(), batch.header().batchIndex(), proposer, challenger, n,
                batch.header().prevStateRoot().toString(), batch.header().postStateRoot().toString(), rounds, lo, hiRoot.toString(),
                Optional.empty(), trace);
        String reason = open.expectedReason();
        String status = reason.equals("StepAgrees") ? "ProposerWon" : "ChallengerWon";
        return new DisputeRecord(open.source(), chainId, 0, Optional.empty(), open.batchIndex(), proposer, challenger, n,
                open.claimedPreRoot(), open.claimedPostRoot(), rounds, lo, open.claimedStepRoot(),
                Optional.of(new DisputeRecord.Outcome(status, reason)), trace);
    }
}
