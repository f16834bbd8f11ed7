package dev.clearline.contracts.l1;

import static dev.clearline.contracts.l1.L1Fixture.*;

import dev.clearline.evm.Address;
import dev.clearline.evm.ExecutionResult;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiPredicate;
import java.util.function.IntUnaryOperator;
import org.web3j.abi.datatypes.DynamicBytes;
import org.web3j.abi.datatypes.generated.Uint256;

/**
 * Plays one dispute game move by move the way off-chain provers would: the proposer answers
 * each dissection with the roots it claims, the challenger picks the first part whose end root
 * it disputes and finally re-executes the one step. Counts transactions and gas per side.
 */
final class Dispute {
    /** Game record words (DisputeGame.Game). */
    static final int CHALLENGER = 0, BATCH = 1, STATUS = 2, PROPOSER = 3, LO = 4, HI = 5, COUNT = 6, CLOCK = 7, LO_ROOT = 8,
            HI_ROOT = 9;
    static final int ACTIVE = 1, CHALLENGER_WON = 2, PROPOSER_WON = 3, OBSOLETE = 4;

    final L1Fixture l1;
    final long gameId;
    final Address proposer;
    final Address challenger;
    final List<byte[]> transitions;
    /** The roots r_0..r_n the proposer claims. */
    final List<byte[]> claimed;
    /** Does the challenger accept {@code root} as the state after the first {@code i} transitions? */
    final BiPredicate<Integer, byte[]> agrees;
    /** The challenger's witness for the state after the first {@code i} transitions. */
    final java.util.function.IntFunction<byte[]> witness;
    /** Overrides the honest choice of part (for a challenger that picks at random); identity = honest. */
    IntUnaryOperator chooser = IntUnaryOperator.identity();
    List<byte[]> lastRoots = List.of();
    int proposerTxs, challengerTxs;
    long proposerGas, challengerGas;
    final List<String> moves = new ArrayList<>();

    Dispute(L1Fixture l1, long gameId, Address proposer, Address challenger, List<byte[]> transitions, List<byte[]> claimed,
            BiPredicate<Integer, byte[]> agrees, java.util.function.IntFunction<byte[]> witness) {
        this.l1 = l1;
        this.gameId = gameId;
        this.proposer = proposer;
        this.challenger = challenger;
        this.transitions = transitions;
        this.claimed = claimed;
        this.agrees = agrees;
        this.witness = witness;
    }

    byte[] record() {
        return l1.view(l1.game, "game(uint256)", new Uint256(gameId));
    }

    long field(int i) {
        return word(record(), i).longValueExact();
    }

    int sideToMove() {
        return word(record(), CLOCK).shiftRight(192).testBit(0) ? 1 : 0;
    }

    static List<Long> cuts(long lo, long hi, int arity) {
        long len = hi - lo;
        long parts = Math.min(arity, len);
        List<Long> out = new ArrayList<>();
        for (long i = 0; i <= parts; i++) out.add(lo + len * i / parts);
        return out;
    }

    /** The proposer's next move: the claimed roots at the inner cut points. */
    ExecutionResult bisect() {
        List<Long> c = cuts(field(LO), field(HI), l1.params.arity());
        List<byte[]> roots = new ArrayList<>();
        for (int i = 1; i < c.size() - 1; i++) roots.add(claimed.get((int) (long) c.get(i)));
        lastRoots = roots;
        ExecutionResult r = l1.send(proposer, l1.game, "bisect(uint256,bytes32[])", new Uint256(gameId), L1Fixture.roots(roots));
        proposerTxs++;
        proposerGas += r.gasUsed();
        moves.add("bisect " + roots.size());
        return r;
    }

    /** The challenger's next move: the first part whose end it disputes (or the chooser's pick). */
    ExecutionResult choose() {
        byte[] rec = record();
        long lo = word(rec, LO).longValueExact(), hi = word(rec, HI).longValueExact();
        List<Long> c = cuts(lo, hi, l1.params.arity());
        int parts = c.size() - 1;
        int pick = parts - 1;
        for (int j = 0; j < parts; j++) {
            byte[] end = j == parts - 1 ? wordBytes(rec, HI_ROOT) : lastRoots.get(j);
            if (!agrees.test((int) (long) c.get(j + 1), end)) {
                pick = j;
                break;
            }
        }
        pick = Math.floorMod(chooser.applyAsInt(pick), parts);
        ExecutionResult r = l1.send(challenger, l1.game, "choose(uint256,bytes32[],uint256)", new Uint256(gameId),
                L1Fixture.roots(lastRoots), uint(pick));
        challengerTxs++;
        challengerGas += r.gasUsed();
        moves.add("choose " + pick + "/" + parts);
        return r;
    }

    ExecutionResult oneStep() {
        int lo = (int) field(LO);
        ExecutionResult r = l1.send(challenger, l1.game, "oneStep(uint256,bytes,bytes32[],bytes)", new Uint256(gameId),
                new DynamicBytes(transitions.get(lo)), L1Fixture.roots(Transitions.proof(transitions, lo)),
                new DynamicBytes(witness.apply(lo)));
        challengerTxs++;
        challengerGas += r.gasUsed();
        moves.add("oneStep " + lo);
        return r;
    }

    /** Plays until the game is over; every move must succeed. Returns the final status. */
    int playOut() {
        for (int guard = 0; guard < 200; guard++) {
            byte[] rec = record();
            if (word(rec, STATUS).intValueExact() != ACTIVE) return word(rec, STATUS).intValueExact();
            long len = word(rec, HI).longValueExact() - word(rec, LO).longValueExact();
            ExecutionResult r = sideToMove() == 0 ? bisect() : len > 1 ? choose() : oneStep();
            l1.ok(r);
            l1.advance(1);
        }
        throw new AssertionError("game " + gameId + " did not end: " + moves);
    }

    int status() {
        return (int) field(STATUS);
    }

    static BigInteger credit(L1Fixture l1, Address who) {
        return l1.gameCredit(who);
    }
}
