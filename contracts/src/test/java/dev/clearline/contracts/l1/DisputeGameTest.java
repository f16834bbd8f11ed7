package dev.clearline.contracts.l1;

import static dev.clearline.contracts.l1.L1Fixture.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.evm.Address;
import dev.clearline.evm.ExecutionResult;
import dev.clearline.evm.Log;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.web3j.abi.datatypes.DynamicBytes;
import org.web3j.abi.datatypes.Type;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.crypto.Hash;

/** DisputeGame: k-ary bisection, chess clocks, one-step proofs, bonds and settlement (toy verifier). */
class DisputeGameTest {
    static final Address PROPOSER = Address.ofLong(0x9909);
    static final Address CHALLENGER = Address.ofLong(0xc4a1);
    static final Address CHALLENGER_2 = Address.ofLong(0xc4a2);
    static final Address GRIEFER = Address.ofLong(0x6a1f);
    static final Address ALICE = Address.ofLong(0xa11ce);

    /** One batch on L1 with the roots the proposer claims and what an honest challenger knows. */
    static final class Scenario {
        final L1Fixture l1;
        final List<byte[]> transitions;
        final List<ToyStf.State> truth;
        final List<byte[]> claimed;
        final int firstInvalid; // index of the first transition the STF rejects, or n
        final Header header;

        Scenario(L1Fixture l1, List<byte[]> transitions, ToyStf.State pre, int lieFrom) {
            this.l1 = l1;
            this.transitions = transitions;
            this.truth = ToyStf.states(pre, transitions);
            int bad = transitions.size();
            ToyStf.State s = pre;
            for (int i = 0; i < transitions.size(); i++) {
                var next = ToyStf.step(s, transitions.get(i));
                if (next.isEmpty()) {
                    bad = i;
                    break;
                }
                s = next.get();
            }
            this.firstInvalid = bad;
            List<byte[]> roots = new ArrayList<>(ToyStf.roots(truth));
            for (int i = Math.max(lieFrom, 1); i < roots.size(); i++) roots.set(i, Hash.sha3(("lie" + i).getBytes()));
            this.claimed = roots;
            long consumedBefore = word(l1.view(l1.rollup, "tip()"), 1).longValueExact();
            long added = transitions.stream().filter(t -> t[0] >= 1 && t[0] <= 4).count();
            this.header = L1Fixture.header(l1.nextBatchIndex(), l1.tipRoot(), roots.getLast(), transitions, consumedBefore + added);
        }

        boolean honest() {
            return firstInvalid == transitions.size() && Arrays.equals(claimed.getLast(), truth.getLast().root());
        }

        void submit(Address proposer) {
            l1.ok(l1.submit(proposer, header, Transitions.concat(transitions)));
        }

        Dispute challenge(Address proposer, Address challenger) {
            ExecutionResult r = l1.ok(l1.challenge(challenger, header));
            long id = word(event(r, "Challenged(uint256,uint64,address,address,uint32)").topics().get(1).bytes(), 0).longValueExact();
            return new Dispute(l1, id, proposer, challenger, transitions, claimed,
                    (i, root) -> i <= firstInvalid && Arrays.equals(truth.get(i).root(), root), i -> truth.get(i).witness());
        }
    }

    static List<byte[]> batch(L1Fixture l1, int n, Random random) {
        List<byte[]> ts = new ArrayList<>();
        for (int i = 0; i < n; i++) ts.add(Transitions.liquidate(Address.ofLong(0x1000 + random.nextInt(1 << 20)), 1 + random.nextInt(1 << 16) * 256));
        return ts;
    }

    // ------------------------------------------------------------------ deployment

    /** A game parameter that means nothing is refused at deployment, by name; the edges it allows deploy and are kept. */
    @Test
    void test_constructor_refusesParametersThatMeanNothing_andKeepsTheEdgesItAllows() {
        try (L1Fixture l1 = new L1Fixture()) {
            record Change(String name, int index, Type<?> value) {}
            java.util.function.Function<Change, List<Type<?>>> args = c -> {
                List<Type<?>> a = new ArrayList<>(List.of(addr(l1.rollup), addr(l1.verifier), uint(2), u64(CLOCK_BUDGET), new Uint256(CHALLENGE_BOND)));
                a.set(c.index(), c.value());
                return a;
            };
            for (Change c : List.of(new Change("arity", 2, uint(1)), new Change("arity", 2, uint(257)), new Change("arity", 2, uint(0)),
                    new Change("clockBudget", 3, u64(0)), new Change("challengeBond", 4, uint(0)))) {
                ExecutionResult r = l1.tryDeploy("DisputeGame", args.apply(c));
                assertReverted(r, "BadGameParameter(string)");
                assertThat(revertArgs(r)).as("%s = %s", c.name(), c.value().getValue()).containsExactly(c.name());
            }
            for (Change c : List.of(new Change("arity", 2, uint(2)), new Change("arity", 2, uint(256)), new Change("clockBudget", 3, u64(1)),
                    new Change("challengeBond", 4, uint(1)))) {
                ExecutionResult r = l1.ok(l1.tryDeploy("DisputeGame", args.apply(c)));
                assertThat(l1.viewUint(r.contractAddress(), c.name() + "()")).as(c.name()).isEqualTo(c.value().getValue());
            }
        }
    }

    /**
     * A move of the wrong shape is refused with what was expected; each accepted move is announced
     * (a watcher learns the proposer's roots from Bisected); at the one-step phase a choice is the
     * wrong phase.
     */
    @Test
    void test_movesOfTheWrongShape_areRefusedWithWhatWasExpected_andEveryMoveIsAnnounced() {
        try (L1Fixture l1 = new L1Fixture(L1Fixture.Params.defaults().withArity(4))) {
            l1.join(PROPOSER);
            Scenario s = new Scenario(l1, batch(l1, 8, new Random(5)), ToyStf.State.GENESIS, 3);
            s.submit(PROPOSER);
            Dispute d = s.challenge(PROPOSER, CHALLENGER);
            ExecutionResult wrong = l1.send(PROPOSER, l1.game, "bisect(uint256,bytes32[])", new Uint256(BigInteger.valueOf(d.gameId)),
                    roots(List.of(new byte[32], new byte[32])));
            assertReverted(wrong, "WrongRootCount(uint256,uint256)");
            assertThat(revertArgs(wrong)).as("min(arity 4, 8 transitions) - 1 roots expected").containsExactly(BigInteger.valueOf(3), BigInteger.TWO);
            boolean first = true;
            while (d.field(Dispute.HI) - d.field(Dispute.LO) > 1) {
                if (d.sideToMove() == 0) {
                    Log b = event(l1.ok(d.bisect()), "Bisected(uint256,uint32,uint32,bytes32[])");
                    assertThat(word(b.data(), 0).longValueExact()).isEqualTo(d.field(Dispute.LO));
                    assertThat(word(b.data(), 3)).as("roots announced").isEqualTo(BigInteger.valueOf(d.lastRoots.size()));
                    long lo = d.field(Dispute.LO), len = d.field(Dispute.HI) - lo;
                    if (first && lo > 0) { // a one-step proof before the segment is one transition long: the wrong phase, with the length
                        ExecutionResult early = d.oneStep();
                        assertReverted(early, "WrongPhase(uint256,uint32)");
                        assertThat(revertArgs(early).get(1)).isEqualTo(BigInteger.valueOf(len));
                        first = false;
                    }
                } else {
                    Log c = event(l1.ok(d.choose()), "SegmentChosen(uint256,uint32,uint32,bytes32,bytes32)");
                    assertThat(word(c.data(), 0).longValueExact()).isEqualTo(d.field(Dispute.LO));
                    assertThat(word(c.data(), 1).longValueExact()).isEqualTo(d.field(Dispute.HI));
                }
                l1.advance(1);
            }
            assertThat(first).as("a one-step proof was tried early, on a segment not starting at 0").isFalse();
            assertThat(d.sideToMove()).as("one transition left: the challenger proves it").isOne();
            ExecutionResult late = l1.send(CHALLENGER, l1.game, "choose(uint256,bytes32[],uint256)", new Uint256(BigInteger.valueOf(d.gameId)),
                    roots(List.of()), uint(0));
            assertReverted(late, "WrongPhase(uint256,uint32)");
            ExecutionResult proved = l1.ok(d.oneStep());
            Log resolved = event(proved, "GameResolved(uint256,uint8,uint8)");
            assertThat(word(resolved.data(), 0).intValueExact()).as("status").isEqualTo(Dispute.CHALLENGER_WON);
            Log credited = event(proved, "Credited(address,uint256)");
            assertThat(credited.topics().get(1).toBigInteger()).isEqualTo(new BigInteger(1, CHALLENGER.bytes()));
            assertThat(word(credited.data(), 0)).isEqualTo(CHALLENGE_BOND);
            assertThat(d.status()).isEqualTo(Dispute.CHALLENGER_WON);
        }
    }

    /** A credit whose receiver refuses the ether stays credited: the withdrawal reverts and can be made again. */
    @Test
    void test_withdrawCredit_refusedByTheReceiver_revertsAndKeepsTheCredit() {
        try (L1Fixture l1 = new L1Fixture()) {
            l1.join(PROPOSER);
            Scenario s = new Scenario(l1, batch(l1, 4, new Random(9)), ToyStf.State.GENESIS, 2);
            s.submit(PROPOSER);
            Address actor = l1.ok(l1.tryDeploy("EthReentrant", List.of(addr(l1.game)))).contractAddress();
            l1.state.addBalance(actor, CHALLENGE_BOND);
            l1.ok(l1.send(ALICE, actor, "act(address,uint256,bytes)", addr(l1.game), new Uint256(CHALLENGE_BOND),
                    new DynamicBytes(calldata("challenge((uint64,bytes32,bytes32,uint32,bytes32,uint64))", s.header.struct()))));
            assertThat(s.challenge(PROPOSER, CHALLENGER).playOut()).isEqualTo(Dispute.CHALLENGER_WON);
            l1.ok(l1.send(STRANGER, l1.game, "settleObsolete(uint256)", new Uint256(BigInteger.ONE))); // the actor's game: its batch is gone
            assertThat(l1.gameCredit(actor)).isEqualTo(CHALLENGE_BOND);
            l1.ok(l1.send(ALICE, actor, "setRefuses(bool)", new org.web3j.abi.datatypes.Bool(true)));
            byte[] withdraw = calldata("withdrawCredit()");
            assertReverted(l1.send(ALICE, actor, "act(address,uint256,bytes)", addr(l1.game), uint(0), new DynamicBytes(withdraw)),
                    "PayoutFailed(address,uint256)");
            assertThat(l1.gameCredit(actor)).isEqualTo(CHALLENGE_BOND);
            l1.ok(l1.send(ALICE, actor, "setRefuses(bool)", new org.web3j.abi.datatypes.Bool(false)));
            l1.ok(l1.send(ALICE, actor, "act(address,uint256,bytes)", addr(l1.game), uint(0), new DynamicBytes(withdraw)));
            assertThat(l1.gameCredit(actor)).isZero();
            assertThat(l1.state.balance(actor)).isEqualTo(CHALLENGE_BOND);
        }
    }

    // ------------------------------------------------------------------ the two promises

    @Test
    void test_honestChallenger_alwaysWins_againstAWrongRootAnywhereInTheBatch() {
        Property.forAll(Gens.ints(1, 300), Gens.ints(0, 3)).tries(12).check((n, arityPick) -> {
            int arity = new int[] {2, 3, 16, 7}[arityPick];
            try (L1Fixture l1 = new L1Fixture(L1Fixture.Params.defaults().withArity(arity))) {
                Random random = new Random(n * 31L + arity);
                l1.join(PROPOSER);
                Scenario s = new Scenario(l1, batch(l1, n, random), ToyStf.State.GENESIS, 1 + random.nextInt(n));
                s.submit(PROPOSER);
                Dispute d = s.challenge(PROPOSER, CHALLENGER);
                assertThat(d.playOut()).as(d.moves.toString()).isEqualTo(Dispute.CHALLENGER_WON);
                assertThat(l1.nextBatchIndex()).isZero();
                assertThat(l1.tipRoot()).isEqualTo(ToyStf.State.GENESIS.root());
                assertThat(l1.gameCredit(CHALLENGER)).isEqualTo(CHALLENGE_BOND);
                assertThat(l1.ethCredit(CHALLENGER)).isEqualTo(PROPOSER_BOND.multiply(BigInteger.valueOf(100 - BURN_PERCENT)).divide(BigInteger.valueOf(100)));
            }
        });
    }

    @Test
    void test_honestChallenger_alwaysWins_againstABatchHoldingAnInvalidTransition() {
        Property.forAll(Gens.ints(1, 120), Gens.ints(0, 119)).tries(8).check((n, where) -> {
            try (L1Fixture l1 = new L1Fixture()) {
                Random random = new Random(n * 7L + where);
                List<byte[]> ts = batch(l1, n, random);
                ts.set(where % n, Transitions.invalid(ALICE));
                l1.join(PROPOSER);
                // The proposer claims the roots as if every transition had applied.
                Scenario s = new Scenario(l1, ts, ToyStf.State.GENESIS, n + 1);
                s.submit(PROPOSER);
                Dispute d = s.challenge(PROPOSER, CHALLENGER);
                assertThat(d.playOut()).as(d.moves.toString()).isEqualTo(Dispute.CHALLENGER_WON);
                assertThat(d.moves.getLast()).isEqualTo("oneStep " + (where % n));
            }
        });
    }

    @Test
    void test_honestProposer_neverLoses_againstAChallengerThatPicksAnyPart() {
        Property.forAll(Gens.ints(1, 200), Gens.seeds()).tries(10).check((n, seed) -> {
            try (L1Fixture l1 = new L1Fixture(L1Fixture.Params.defaults().withArity(4))) {
                Random random = new Random(seed);
                l1.join(PROPOSER);
                Scenario s = new Scenario(l1, batch(l1, n, random), ToyStf.State.GENESIS, n + 1);
                assertThat(s.honest()).isTrue();
                s.submit(PROPOSER);
                Dispute d = s.challenge(PROPOSER, CHALLENGER);
                d.chooser = pick -> random.nextInt(1 << 10);
                assertThat(d.playOut()).as(d.moves.toString()).isEqualTo(Dispute.PROPOSER_WON);
                assertThat(l1.gameCredit(PROPOSER)).isEqualTo(CHALLENGE_BOND);
                assertThat(l1.nextBatchIndex()).isOne();
            }
        });
    }

    @Test
    void test_honestProposer_winsAgainstAGriefingChallengerThatSpamsMoves() {
        try (L1Fixture l1 = new L1Fixture()) {
            l1.join(PROPOSER);
            Scenario s = new Scenario(l1, batch(l1, 100, new Random(5)), ToyStf.State.GENESIS, 101);
            s.submit(PROPOSER);
            Dispute d = s.challenge(PROPOSER, GRIEFER);
            Dispute second = s.challenge(PROPOSER, GRIEFER);
            // Out of turn: the griefer cannot move while the proposer is to move, nor bisect for it.
            assertReverted(l1.send(GRIEFER, l1.game, "choose(uint256,bytes32[],uint256)", new Uint256(d.gameId), roots(List.of()), uint(0)),
                    "NotYourTurn(uint256,address,address)");
            assertReverted(l1.send(GRIEFER, l1.game, "bisect(uint256,bytes32[])", new Uint256(d.gameId), roots(List.of())),
                    "NotYourTurn(uint256,address,address)");
            l1.ok(d.bisect());
            // Roots other than the proposer's, a part out of range, a one-step on a long segment: all refused.
            assertReverted(l1.send(GRIEFER, l1.game, "choose(uint256,bytes32[],uint256)", new Uint256(d.gameId),
                    roots(List.of(new byte[32])), uint(0)), "RootsMismatch(bytes32,bytes32)");
            assertReverted(l1.send(GRIEFER, l1.game, "choose(uint256,bytes32[],uint256)", new Uint256(d.gameId), roots(d.lastRoots),
                    uint(16)), "SegmentOutOfRange(uint256,uint256)");
            assertReverted(l1.send(GRIEFER, l1.game, "oneStep(uint256,bytes,bytes32[],bytes)", new Uint256(d.gameId),
                    new DynamicBytes(s.transitions.get(0)), roots(List.of()), new DynamicBytes(new byte[0])), "WrongPhase(uint256,uint32)");
            d.chooser = pick -> 3;
            assertThat(d.playOut()).isEqualTo(Dispute.PROPOSER_WON);
            // The second game: the griefer never moves after the first dissection and loses on time.
            l1.ok(second.bisect());
            assertReverted(l1.send(GRIEFER, l1.game, "timeout(uint256)", new Uint256(second.gameId)), "ClockNotExpired(uint256,uint256)");
            l1.advance(CLOCK_BUDGET + 1);
            assertReverted(second.choose(), "ClockExpired(uint256,uint8)");
            ExecutionResult t = l1.ok(l1.send(PROPOSER, l1.game, "timeout(uint256)", new Uint256(second.gameId)));
            event(t, "GameResolved(uint256,uint8,uint8)");
            assertThat(second.status()).isEqualTo(Dispute.PROPOSER_WON);
            assertThat(l1.gameCredit(PROPOSER)).isEqualTo(CHALLENGE_BOND.multiply(BigInteger.TWO));
            assertReverted(l1.send(PROPOSER, l1.game, "timeout(uint256)", new Uint256(second.gameId)), "GameNotActive(uint256)");
            // The batch finalizes once its period is over and no dispute is open.
            l1.advance(CHALLENGE_PERIOD);
            l1.ok(l1.finalizeBatches(1));
        }
    }

    // ------------------------------------------------------------------ clocks and phases

    @Test
    void test_proposerThatDoesNotAnswer_losesOnTime_andTheBatchIsRejected() {
        try (L1Fixture l1 = new L1Fixture()) {
            l1.join(PROPOSER);
            Scenario s = new Scenario(l1, batch(l1, 10, new Random(1)), ToyStf.State.GENESIS, 11);
            s.submit(PROPOSER);
            Dispute d = s.challenge(PROPOSER, CHALLENGER);
            byte[] clock = l1.view(l1.game, "clockOf(uint256)", new Uint256(d.gameId));
            assertThat(word(clock, 0)).isZero();
            assertThat(word(clock, 1)).isEqualTo(BigInteger.valueOf(CLOCK_BUDGET));
            l1.advance(CLOCK_BUDGET);
            assertReverted(d.bisect(), "ClockExpired(uint256,uint8)");
            ExecutionResult r = l1.ok(l1.send(CHALLENGER, l1.game, "timeout(uint256)", new Uint256(d.gameId)));
            event(r, "BatchesRejected(uint64,uint64,address,address,uint256,uint256)");
            assertThat(d.status()).isEqualTo(Dispute.CHALLENGER_WON);
            assertThat(l1.nextBatchIndex()).isZero();
        }
    }

    @Test
    void test_clocks_chargeEachSideOnlyForItsOwnTurns() {
        try (L1Fixture l1 = new L1Fixture()) {
            l1.join(PROPOSER);
            Scenario s = new Scenario(l1, batch(l1, 300, new Random(2)), ToyStf.State.GENESIS, 150);
            s.submit(PROPOSER);
            Dispute d = s.challenge(PROPOSER, CHALLENGER);
            l1.advance(100);
            l1.ok(d.bisect());
            l1.advance(40);
            byte[] clock = l1.view(l1.game, "clockOf(uint256)", new Uint256(d.gameId));
            assertThat(word(clock, 0)).isOne();
            assertThat(word(clock, 1)).isEqualTo(BigInteger.valueOf(CLOCK_BUDGET - 40));
            assertThat(word(clock, 2)).isEqualTo(BigInteger.valueOf(CLOCK_BUDGET - 100));
        }
    }

    @Test
    void test_badMoves_revertWithNamedErrors() {
        try (L1Fixture l1 = new L1Fixture()) {
            l1.join(PROPOSER);
            Scenario s = new Scenario(l1, batch(l1, 3, new Random(3)), ToyStf.State.GENESIS, 2);
            s.submit(PROPOSER);
            assertReverted(l1.challenge(CHALLENGER, s.header.withPost(new byte[32])), "HeaderMismatch(uint64,bytes32,bytes32)");
            assertReverted(l1.send(CHALLENGER, l1.game, BigInteger.ONE, "challenge((uint64,bytes32,bytes32,uint32,bytes32,uint64))",
                    s.header.struct()), "WrongBond(uint256,uint256)");
            Dispute d = s.challenge(PROPOSER, CHALLENGER);
            assertReverted(l1.send(PROPOSER, l1.game, "bisect(uint256,bytes32[])", new Uint256(d.gameId), roots(List.of(new byte[32]))),
                    "WrongRootCount(uint256,uint256)");
            l1.ok(d.bisect()); // 3 transitions, arity 16: two roots, three single steps
            l1.ok(d.choose());
            int lo = (int) d.field(Dispute.LO);
            assertReverted(l1.send(CHALLENGER, l1.game, "oneStep(uint256,bytes,bytes32[],bytes)", new Uint256(d.gameId),
                    new DynamicBytes(s.transitions.get((lo + 1) % 3)), roots(Transitions.proof(s.transitions, lo)),
                    new DynamicBytes(s.truth.get(lo).witness())), "NotInBatch(uint32,bytes32,bytes32)");
            assertReverted(l1.send(CHALLENGER, l1.game, "oneStep(uint256,bytes,bytes32[],bytes)", new Uint256(d.gameId),
                    new DynamicBytes(s.transitions.get(lo)), roots(List.of()), new DynamicBytes(s.truth.get(lo).witness())),
                    "WrongProofDepth(uint256,uint256)");
            // A witness for another state: the verifier refuses it and the game goes on.
            assertReverted(l1.send(CHALLENGER, l1.game, "oneStep(uint256,bytes,bytes32[],bytes)", new Uint256(d.gameId),
                    new DynamicBytes(s.transitions.get(lo)), roots(Transitions.proof(s.transitions, lo)),
                    new DynamicBytes(new byte[96])), "BadWitness(bytes32,bytes32)");
            assertReverted(l1.send(PROPOSER, l1.game, "bisect(uint256,bytes32[])", new Uint256(d.gameId), roots(List.of())),
                    "NotYourTurn(uint256,address,address)");
            l1.ok(d.oneStep());
            assertThat(d.status()).isEqualTo(Dispute.CHALLENGER_WON);
            assertReverted(d.oneStep(), "GameNotActive(uint256)");
            assertReverted(l1.send(CHALLENGER, l1.game, "settleObsolete(uint256)", new Uint256(d.gameId)), "GameNotActive(uint256)");
        }
    }

    @Test
    void test_challenge_ofAFinalizedBatchOrAfterThePeriod_reverts() {
        try (L1Fixture l1 = new L1Fixture()) {
            l1.join(PROPOSER);
            Scenario s = new Scenario(l1, batch(l1, 2, new Random(4)), ToyStf.State.GENESIS, 3);
            s.submit(PROPOSER);
            l1.advance(CHALLENGE_PERIOD);
            assertReverted(l1.challenge(CHALLENGER, s.header), "ChallengePeriodOver(uint64,uint256)");
            l1.ok(l1.finalizeBatches(1));
            assertReverted(l1.challenge(CHALLENGER, s.header), "NotChallengeable(uint64,uint64)");
        }
    }

    @Test
    void test_aSingleTransitionBatch_goesStraightToTheOneStep() {
        try (L1Fixture l1 = new L1Fixture()) {
            l1.join(PROPOSER);
            Scenario s = new Scenario(l1, batch(l1, 1, new Random(6)), ToyStf.State.GENESIS, 1);
            s.submit(PROPOSER);
            Dispute d = s.challenge(PROPOSER, CHALLENGER);
            assertThat(d.sideToMove()).isOne();
            assertReverted(l1.send(PROPOSER, l1.game, "bisect(uint256,bytes32[])", new Uint256(d.gameId), roots(List.of())),
                    "NotYourTurn(uint256,address,address)");
            assertThat(d.playOut()).isEqualTo(Dispute.CHALLENGER_WON);
            assertThat(d.challengerTxs).isOne();
        }
    }

    @Test
    void test_aStateWhosePriorityHashDisagreesWithTheQueue_cannotConsumeTheNextOp() {
        ToyStf.State forged = new ToyStf.State(new byte[32], 0, Hash.sha3("forged".getBytes()));
        try (L1Fixture l1 = new L1Fixture(L1Fixture.Params.defaults().withGenesis(forged.root()))) {
            l1.fund(ALICE, 100);
            byte[] dep = l1.deposit(ALICE, 100);
            l1.join(PROPOSER);
            List<byte[]> ts = new ArrayList<>(batch(l1, 5, new Random(8)));
            ts.add(2, dep);
            Scenario s = new Scenario(l1, ts, forged, ts.size() + 1);
            s.submit(PROPOSER);
            ExecutionResult r = l1.ok(l1.challenge(CHALLENGER, s.header));
            long id = word(event(r, "Challenged(uint256,uint64,address,address,uint32)").topics().get(1).bytes(), 0).longValueExact();
            // The challenger accepts every root up to the deposit and none after it.
            Dispute d = new Dispute(l1, id, PROPOSER, CHALLENGER, ts, s.claimed,
                    (i, root) -> i <= 2 && Arrays.equals(s.truth.get(i).root(), root), i -> s.truth.get(i).witness());
            assertThat(d.playOut()).isEqualTo(Dispute.CHALLENGER_WON);
            assertThat(d.moves.getLast()).isEqualTo("oneStep 2");
        }
    }

    // ------------------------------------------------------------------ settlement

    @Test
    void test_aSuccessfulChallenge_rejectsTheBatchAndEveryLaterOne_andSettlesTheOtherGamesAsObsolete() {
        try (L1Fixture l1 = new L1Fixture()) {
            l1.join(PROPOSER);
            Scenario good = new Scenario(l1, batch(l1, 4, new Random(10)), ToyStf.State.GENESIS, 5);
            good.submit(PROPOSER);
            Scenario bad = new Scenario(l1, batch(l1, 20, new Random(11)), good.truth.getLast(), 7);
            bad.submit(PROPOSER);
            Scenario later = new Scenario(l1, batch(l1, 5, new Random(12)), ToyStf.State.GENESIS, 6);
            later.submit(PROPOSER);
            assertThat(l1.nextBatchIndex()).isEqualTo(3);
            Dispute first = bad.challenge(PROPOSER, CHALLENGER);
            Dispute second = bad.challenge(PROPOSER, CHALLENGER_2);
            Dispute onLater = later.challenge(PROPOSER, GRIEFER);
            assertReverted(l1.send(CHALLENGER_2, l1.game, "settleObsolete(uint256)", new Uint256(second.gameId)), "StillLive(uint256)");
            assertThat(first.playOut()).isEqualTo(Dispute.CHALLENGER_WON);
            assertThat(l1.nextBatchIndex()).isOne();
            assertThat(l1.tipRoot()).isEqualTo(good.claimed.getLast());
            assertReverted(second.bisect(), "NotChallengeable(uint64,uint64)");
            // a game whose batch is gone settles as obsolete, asked to settle or to time out (its clock may have run out too)
            l1.advance(CLOCK_BUDGET + 1);
            for (String settle : List.of("timeout(uint256)", "settleObsolete(uint256)")) {
                Dispute d = settle.startsWith("timeout") ? second : onLater;
                ExecutionResult r = l1.ok(l1.send(STRANGER, l1.game, settle, new Uint256(d.gameId)));
                event(r, "GameResolved(uint256,uint8,uint8)");
                assertThat(d.status()).as(settle).isEqualTo(Dispute.OBSOLETE);
            }
            assertThat(l1.gameCredit(CHALLENGER_2)).isEqualTo(CHALLENGE_BOND);
            assertThat(l1.gameCredit(GRIEFER)).isEqualTo(CHALLENGE_BOND);
            // The proposer topped up can post again from the rewound tip; the first batch finalizes.
            Scenario next = new Scenario(l1, batch(l1, 2, new Random(13)), good.truth.getLast(), 3);
            assertReverted(l1.submit(PROPOSER, next.header, Transitions.concat(next.transitions)), "NotBondedProposer(address,uint256,uint256)");
            l1.ok(l1.send(PROPOSER, l1.rollup, PROPOSER_BOND, "topUpBond()"));
            next.submit(PROPOSER);
            l1.advance(CHALLENGE_PERIOD);
            l1.ok(l1.finalizeBatches(5));
            assertThat(l1.finalizedCount()).isEqualTo(2);
            // Credits leave by pull.
            BigInteger before = l1.state.balance(CHALLENGER);
            assertThat(word(event(l1.ok(l1.send(CHALLENGER, l1.game, "withdrawCredit()")), "CreditWithdrawn(address,uint256)").data(), 0))
                    .isEqualTo(CHALLENGE_BOND);
            l1.ok(l1.send(CHALLENGER, l1.rollup, "withdrawEth()"));
            BigInteger reward = PROPOSER_BOND.multiply(BigInteger.valueOf(100 - BURN_PERCENT)).divide(BigInteger.valueOf(100));
            assertThat(l1.state.balance(CHALLENGER).subtract(before)).isEqualTo(CHALLENGE_BOND.add(reward));
            assertReverted(l1.send(CHALLENGER, l1.game, "withdrawCredit()"), "NoCredit(address)");
        }
    }

    static final Address STRANGER = Address.ofLong(0x5757);

    @Test
    void test_aProposerChallengingItsOwnWrongBatch_losesTheBurntShare() {
        try (L1Fixture l1 = new L1Fixture()) {
            Address accomplice = Address.ofLong(0xacc0);
            l1.join(PROPOSER);
            Scenario s = new Scenario(l1, batch(l1, 8, new Random(20)), ToyStf.State.GENESIS, 3);
            s.submit(PROPOSER);
            Dispute d = s.challenge(PROPOSER, accomplice);
            assertThat(d.playOut()).isEqualTo(Dispute.CHALLENGER_WON);
            BigInteger paidIn = PROPOSER_BOND.add(CHALLENGE_BOND);
            BigInteger recoverable = l1.ethCredit(accomplice).add(l1.gameCredit(accomplice)).add(l1.ethCredit(PROPOSER))
                    .add(word(l1.view(l1.rollup, "proposers(address)", addr(PROPOSER)), 0));
            assertThat(recoverable).isLessThan(paidIn);
            assertThat(paidIn.subtract(recoverable)).isEqualTo(l1.viewUint(l1.rollup, "burnt()"));
        }
    }

    @Test
    void test_aProposerWithABatchUnderDispute_cannotLeave() {
        try (L1Fixture l1 = new L1Fixture()) {
            l1.join(PROPOSER);
            Scenario s = new Scenario(l1, batch(l1, 4, new Random(21)), ToyStf.State.GENESIS, 5);
            s.submit(PROPOSER);
            l1.advance(CHALLENGE_PERIOD - 5);
            Dispute d = s.challenge(PROPOSER, CHALLENGER);
            l1.advance(10);
            assertReverted(l1.finalizeBatches(1), "NothingToFinalize(uint64)");
            assertReverted(l1.send(PROPOSER, l1.rollup, "leaveProposers()"), "LastBatchNotFinal(uint64,uint64)");
            assertThat(d.playOut()).isEqualTo(Dispute.PROPOSER_WON);
            l1.ok(l1.finalizeBatches(1));
            l1.ok(l1.send(PROPOSER, l1.rollup, "leaveProposers()"));
        }
    }

    @Test
    void test_roundsNeeded_forAMillionTransitionsAtArity16_areFive() {
        long lo = 0, hi = 1 << 20;
        int rounds = 0;
        while (hi - lo > 1) {
            List<Long> c = Dispute.cuts(lo, hi, 16);
            lo = c.get(c.size() - 2);
            hi = c.getLast();
            rounds++;
        }
        assertThat(rounds).isEqualTo(5);
    }
}
