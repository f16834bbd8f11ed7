package dev.clearline.prover.report;

import dev.clearline.prover.trace.StepTrace;
import java.util.List;
import java.util.Optional;

/**
 * Everything a dispute report shows, gathered from the {@code DisputeGame}'s L1 events (the rounds
 * and the outcome) and from the watcher's local replay (the disputed transition, its witness, the
 * Java verdict and the EVM trace of the one-step proof).
 *
 * @param source where the rounds come from: {@code "L1"} for a game read from the chain, or
 *     {@code "rehearsal"} for a game played locally against a replayed batch (nothing sent)
 * @param gameId the game's id in the {@code DisputeGame} contract (0 for a rehearsal)
 * @param disputeGame the contract's address (empty for a rehearsal)
 * @param claimedPreRoot the batch header's pre-state root, as the game started from
 * @param claimedPostRoot the batch header's post-state root, which the challenger disputes
 * @param disputedStep the transition the bisection narrowed the game down to
 * @param claimedStepRoot the root the proposer claimed after the disputed step (the game's final {@code hiRoot})
 * @param outcome the resolution, empty while the game is open
 * @param oneStep the one-step proof of the disputed step replayed in the EVM
 */
public record DisputeRecord(String source, long chainId, long gameId, Optional<String> disputeGame, long batchIndex,
                            String proposer, String challenger, int transitionCount, String claimedPreRoot, String claimedPostRoot,
                            List<Round> rounds, int disputedStep, String claimedStepRoot, Optional<Outcome> outcome,
                            StepTrace oneStep) {
    public DisputeRecord {
        rounds = List.copyOf(rounds);
    }

    /**
     * One move of the game.
     *
     * @param side {@code proposer} or {@code challenger}
     * @param move {@code challenge}, {@code bisect}, {@code choose} or {@code oneStep}
     * @param lo the disputed segment's start before the move
     * @param hi its end before the move
     * @param roots the roots the move posted ({@code bisect}: one per inner cut; {@code choose}: the
     *     chosen part's start and end roots)
     * @param segment the part a {@code choose} named, -1 otherwise
     * @param transaction the L1 transaction (empty in a rehearsal)
     * @param gasUsed gas the transaction used on L1 (0 in a rehearsal; {@link #GAS_UNKNOWN} where the node no longer finds its receipt)
     */
    public record Round(int number, String side, String move, int lo, int hi, List<String> roots, int segment,
                        Optional<String> transaction, long block, long gasUsed) {
        public Round {
            roots = List.copyOf(roots);
        }

        /** The gas as a report shows it. */
        public String gasText() {
            return gasUsed == GAS_UNKNOWN ? "unknown (the node no longer finds its receipt)" : Long.toString(gasUsed);
        }
    }

    /** A move's gas when the node keeps neither its receipt by hash nor its block's receipts. */
    public static final long GAS_UNKNOWN = -1;

    /** How the game ended: the contract's {@code Status} and {@code Reason} names. */
    public record Outcome(String status, String reason) {
        public boolean challengerWon() {
            return status.equals("ChallengerWon");
        }
    }

    /** The report's verdict line: who won (or who should win, by the replay) and why. */
    public String verdict() {
        if (outcome.isPresent()) {
            Outcome o = outcome.get();
            return (o.challengerWon() ? "Challenger wins" : o.status().equals("ProposerWon") ? "Proposer wins" : o.status())
                    + " (" + o.reason() + ")";
        }
        return "Open; by the replay the " + expectedWinner() + " should win (" + expectedReason() + ")";
    }

    /** Who wins the one-step by the EVM replay: the challenger unless Solidity applies the step and reaches the claimed root. */
    public String expectedWinner() {
        return expectedReason().equals("StepAgrees") ? "proposer" : "challenger";
    }

    /** The contract's {@code Reason} the one-step replay leads to. */
    public String expectedReason() {
        var result = oneStep.run().result();
        if (result.isEmpty()) return "StepReverted";
        if (result.get().reject() != 0) return "StepRejected";
        String post = "0x" + java.util.HexFormat.of().formatHex(result.get().postRoot());
        return post.equalsIgnoreCase(claimedStepRoot) ? "StepAgrees" : "RootMismatch";
    }

    /** Gas the L1 transactions of {@code side} used, as a report shows it: the moves whose gas is unknown are named, not counted as 0. */
    public String gasOf(String side) {
        long known = rounds.stream().filter(r -> r.side().equals(side) && r.gasUsed() != GAS_UNKNOWN).mapToLong(Round::gasUsed).sum();
        long unknown = rounds.stream().filter(r -> r.side().equals(side) && r.gasUsed() == GAS_UNKNOWN).count();
        return unknown == 0 ? Long.toString(known) : "at least " + known + " (" + unknown + " move" + (unknown == 1 ? "" : "s") + " unknown)";
    }
}
