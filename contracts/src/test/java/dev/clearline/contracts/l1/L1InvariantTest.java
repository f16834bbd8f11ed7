package dev.clearline.contracts.l1;

import static dev.clearline.contracts.l1.L1Fixture.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.contracts.l1.FrozenWorld.Account;
import dev.clearline.contracts.l1.FrozenWorld.Withdrawal;
import dev.clearline.evm.Address;
import dev.clearline.evm.ExecutionResult;
import dev.clearline.testkit.property.Gen;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Solvency and liveness over random call sequences through actors (users, an honest and a
 * dishonest proposer, challengers): what the contracts hold always equals what they owe, and
 * every valid exit pays once its window has passed.
 */
class L1InvariantTest {
    static final Address HONEST = Address.ofLong(0x4011);
    static final Address DISHONEST = Address.ofLong(0xd155);
    static final Address WATCHER = Address.ofLong(0x3a7c);
    static final List<Address> USERS = List.of(Address.ofLong(0x5001), Address.ofLong(0x5002), Address.ofLong(0x5003));
    static final List<Address> ETH_ACTORS = List.of(HONEST, DISHONEST, WATCHER);

    /** Live phase: deposits, forced requests, honest and wrong batches, disputes, finalization, leaving. */
    @Test
    void test_liveRollup_holdsExactlyWhatItOwes_overRandomCallSequences() {
        Gen<List<Integer>> actions = Gens.listOf(Gens.ints(0, 7), 5, 30);
        Property.forAll(actions, Gens.seeds()).tries(6).check((script, seed) -> {
            try (L1Fixture l1 = new L1Fixture(L1Fixture.Params.defaults().withArity(4))) {
                Random random = new Random(seed);
                for (Address u : USERS) l1.fund(u, 1_000_000);
                l1.join(HONEST);
                l1.join(DISHONEST);
                List<byte[]> queued = new ArrayList<>();
                ToyStf.State tip = ToyStf.State.GENESIS;
                List<ToyStf.State> tips = new ArrayList<>(List.of(tip)); // tips.get(i) = state after batch i-1
                long deposited = 0;
                for (int action : script) {
                    long consumed = word(l1.view(l1.rollup, "tip()"), 1).longValueExact();
                    switch (action) {
                        case 0, 1 -> {
                            long amount = 1 + random.nextInt(10_000);
                            queued.add(l1.deposit(USERS.get(random.nextInt(USERS.size())), amount));
                            deposited += amount;
                        }
                        case 2 -> {
                            l1.ok(l1.send(USERS.get(random.nextInt(USERS.size())), l1.rollup, "requestForcedWithdrawal(uint256)", uint(5)));
                            queued.add(null); // only its index matters for the batch below
                        }
                        case 3, 4 -> {
                            // A batch consuming the waiting ops (rebuilt from the queue's events is what a node does; here we
                            // kept the encodings) plus filler; the dishonest proposer lies about its post root.
                            boolean lie = action == 4;
                            Address proposer = lie ? DISHONEST : HONEST;
                            if (word(l1.view(l1.rollup, "proposers(address)", addr(proposer)), 0).compareTo(PROPOSER_BOND) < 0) {
                                l1.ok(l1.send(proposer, l1.rollup, PROPOSER_BOND, "topUpBond()"));
                            }
                            List<byte[]> ts = new ArrayList<>();
                            for (long i = consumed; i < queued.size(); i++) {
                                if (queued.get((int) i) != null) ts.add(queued.get((int) i));
                                else break; // a forced withdrawal stays waiting: the sequencer "censors" it
                            }
                            ts.addAll(Transitions.filler(1 + random.nextInt(6), random.nextInt(1000)));
                            ToyStf.State pre = tips.get((int) l1.nextBatchIndex());
                            DisputeGameTest.Scenario s = new DisputeGameTest.Scenario(l1, ts, pre, lie ? 1 + random.nextInt(ts.size()) : ts.size() + 1);
                            s.submit(proposer);
                            while (tips.size() <= l1.nextBatchIndex()) tips.add(null);
                            tips.set((int) l1.nextBatchIndex(), s.truth.getLast());
                            if (lie || random.nextInt(4) == 0) {
                                Dispute d = s.challenge(proposer, WATCHER);
                                int status = d.playOut();
                                assertThat(status).isEqualTo(lie ? Dispute.CHALLENGER_WON : Dispute.PROPOSER_WON);
                            }
                        }
                        case 5 -> l1.advance(1 + random.nextInt((int) CHALLENGE_PERIOD));
                        case 6 -> l1.finalizeBatches(10);
                        default -> {
                            for (Address a : ETH_ACTORS) {
                                if (l1.ethCredit(a).signum() > 0) l1.ok(l1.send(a, l1.rollup, "withdrawEth()"));
                                if (l1.gameCredit(a).signum() > 0) l1.ok(l1.send(a, l1.game, "withdrawCredit()"));
                            }
                        }
                    }
                    assertSolvent(l1, deposited);
                }
            }
        });
    }

    static void assertSolvent(L1Fixture l1, long deposited) {
        BigInteger held = l1.viewUint(l1.rollup, "tokenHeld()");
        assertThat(held).isEqualTo(BigInteger.valueOf(deposited));
        assertThat(l1.tokenBalance(l1.rollup)).isGreaterThanOrEqualTo(held);
        BigInteger owedEth = l1.viewUint(l1.rollup, "burnt()");
        for (Address a : ETH_ACTORS) {
            owedEth = owedEth.add(l1.ethCredit(a)).add(word(l1.view(l1.rollup, "proposers(address)", addr(a)), 0));
        }
        assertThat(l1.state.balance(l1.rollup)).isEqualTo(owedEth);
        BigInteger gameOwes = BigInteger.ZERO;
        long games = l1.viewUint(l1.game, "gameCount()").longValueExact();
        for (long g = 1; g <= games; g++) {
            if (word(l1.view(l1.game, "game(uint256)", new org.web3j.abi.datatypes.generated.Uint256(g)), Dispute.STATUS).intValueExact()
                    == Dispute.ACTIVE) gameOwes = gameOwes.add(CHALLENGE_BOND);
        }
        for (Address a : ETH_ACTORS) gameOwes = gameOwes.add(l1.gameCredit(a));
        assertThat(l1.state.balance(l1.game)).isEqualTo(gameOwes);
    }

    /**
     * Frozen phase: random states with bad debt and often an insurance fund (which took over the last
     * account's position); every valid claim pays once, in any order, at the rate the fund credit
     * reported raises; the pool covers every claim, and what is left is swept to governance at the end.
     */
    @Test
    void test_frozenRollup_paysEveryClaimOnce_inAnyOrder_andStaysSolvent() {
        Property.forAll(Gens.ints(1, 6), Gens.seeds()).tries(6).check((n, seed) -> {
            Random random = new Random(seed);
            long lot = 10;
            long mark = 1 + random.nextInt(5_000);
            long fundingIndex = random.nextInt(200) - 100;
            StateTree.Market market = new StateTree.Market(1, lot, 100_000, 50_000, 0, 0, 20_000, Address.ofLong(0x0c), mark, fundingIndex, 1,
                    random.nextInt(500));
            boolean withFund = random.nextInt(4) != 0;
            List<Account> accounts = new ArrayList<>();
            long lotsLeft = 0;
            for (int i = 0; i < n; i++) {
                long lots = i == n - 1 ? -lotsLeft : random.nextInt(21) - 10;
                lotsLeft += lots;
                Address owner = withFund && i == n - 1 ? FrozenWorld.INSURANCE_FUND : Address.ofLong(0x6000 + i);
                accounts.add(new Account(owner, random.nextInt(100_000), lots, random.nextInt(200_000) - 50_000,
                        random.nextInt(200) - 100));
            }
            List<Withdrawal> withdrawals = List.of(new Withdrawal(0, Address.ofLong(0x7000), 1 + random.nextInt(5_000)),
                    new Withdrawal(1, Address.ofLong(0x7001), 1 + random.nextInt(5_000)));
            try (L1Fixture l1 = new L1Fixture()) {
                FrozenWorld w;
                try {
                    w = new FrozenWorld(l1, market, accounts, withdrawals);
                } catch (AssertionError negativeTotal) {
                    return; // a state whose collateral sums to nothing cannot be deposited; not a case
                }
                w.freeze();
                BigInteger pool = l1.viewUint(l1.rollup, "escapePool()");
                List<Runnable> reports = new ArrayList<>();
                for (Account a : w.underwater()) reports.add(() -> l1.ok(w.reportBadDebt(WATCHER, a)));
                // Fund credit: each leaf reported or not (an unreported credit only lowers the users' rate).
                long[] credit = {0};
                for (Account a : accounts) {
                    if (!FrozenWorld.isFund(a)) continue;
                    if (random.nextInt(4) != 0) {
                        reports.add(() -> l1.ok(w.reportFundBalance(WATCHER, a)));
                        credit[0] += a.free();
                    }
                    if (w.hasPosition(a) && w.equity(a) > 0 && random.nextInt(4) != 0) {
                        reports.add(() -> l1.ok(w.reportFundPosition(WATCHER, a)));
                        credit[0] += w.equity(a);
                    }
                }
                Collections.shuffle(reports, random);
                reports.forEach(Runnable::run);
                l1.ok(w.refundLateDeposit(WATCHER));
                l1.advance(CLAIM_WINDOW);

                List<Runnable> claims = new ArrayList<>();
                BigInteger owed = BigInteger.ZERO;
                for (Account a : accounts) {
                    if (FrozenWorld.isFund(a)) {
                        assertReverted(w.escapeBalance(WATCHER, a), "InsuranceFundLeaf(bytes32)");
                        if (w.hasPosition(a)) assertReverted(w.escapePosition(WATCHER, a), "InsuranceFundLeaf(bytes32)");
                        continue;
                    }
                    claims.add(() -> l1.ok(w.escapeBalance(WATCHER, a)));
                    if (w.hasPosition(a) && w.equity(a) >= 0) claims.add(() -> l1.ok(w.escapePosition(WATCHER, a)));
                    owed = owed.add(BigInteger.valueOf(a.free() + Math.max(0, w.equity(a))));
                }
                for (Withdrawal x : withdrawals) claims.add(() -> l1.ok(w.claimWithdrawal(WATCHER, x)));
                for (Withdrawal x : withdrawals) owed = owed.add(BigInteger.valueOf(x.amount()));
                Collections.shuffle(claims, random);
                BigInteger netDebt = w.badDebt().subtract(BigInteger.valueOf(credit[0])).max(BigInteger.ZERO);
                // Users' claims at the rate pool / (pool + max(0, badDebt - fundCredit)): within the pool (section 7.5).
                BigInteger fair = owed.multiply(pool).divide(pool.add(netDebt));
                assertThat(fair).as("the users' claims at the escape rate fit in the pool").isLessThanOrEqualTo(pool);
                for (Runnable claim : claims) claim.run();
                for (Account a : accounts) {
                    if (!FrozenWorld.isFund(a)) assertReverted(w.escapeBalance(WATCHER, a), "LeafAlreadyUsed(bytes32)");
                }
                for (Withdrawal x : withdrawals) assertReverted(w.claimWithdrawal(WATCHER, x), "WithdrawalAlreadyClaimed(uint64)");
                BigInteger left = l1.tokenBalance(l1.rollup);
                BigInteger paid = pool.subtract(left);
                // Everyone got their claim at the rate, rounded down: at most one unit short per claim, never more.
                assertThat(paid).isLessThanOrEqualTo(fair).isGreaterThanOrEqualTo(fair.subtract(BigInteger.valueOf(claims.size())));
                // The rest (fund credit not needed, fees, dust) leaves to governance after the final deadline.
                l1.advance(FrozenWorld.sweepDelay() - CLAIM_WINDOW);
                l1.ok(w.sweepRemainder(WATCHER));
                assertThat(l1.tokenBalance(GOVERNANCE)).isEqualTo(left);
                assertThat(l1.tokenBalance(l1.rollup)).isZero();
            }
        });
    }
}
