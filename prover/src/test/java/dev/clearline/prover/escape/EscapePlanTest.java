package dev.clearline.prover.escape;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.clearline.engine.batch.Batch;
import dev.clearline.engine.batch.BatchBuilder;
import dev.clearline.engine.batch.BatchPolicy;
import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.BouncyCastleVerifier;
import dev.clearline.engine.order.Eip712;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.engine.state.BalanceLeaf;
import dev.clearline.engine.state.MarketLeaf;
import dev.clearline.engine.state.PositionLeaf;
import dev.clearline.engine.state.StateKeys;
import dev.clearline.engine.state.WithdrawalLeaf;
import dev.clearline.engine.stf.Stf;
import dev.clearline.engine.transition.Transition;
import dev.clearline.prover.l1.RollupLog;
import dev.clearline.prover.replay.PostedBatch;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import dev.clearline.tree.Bytes32;
import dev.clearline.tree.hash.TreeHash;
import dev.clearline.tree.proof.ProofError;
import dev.clearline.tree.proof.ProofVerifier;
import dev.clearline.tree.store.MemoryNodeStore;
import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The escape plan misses nothing: on random trading histories (fills at random prices and
 * funding, marks moving, liquidations into the insurance fund, withdrawals) replayed from their
 * postings, the claims, minus the bad debt, plus the fund credit and the fees, add up to exactly
 * what was deposited (the collateral identity of docs/protocol.md 7.5). A trader or a position the
 * plan did not find would break the sum.
 */
class EscapePlanTest {
    static final Eip712 DOMAIN = new Eip712(31337, Address.fromHex("0x5FbDB2315678afecb367f032d93F642f64180aa3"));
    static final Signer ORACLE = new Signer(BigInteger.valueOf(999_999));
    static final int[] MARKETS = {1, -2}; // the second id is above 2^31: unsigned on L1

    @Test
    void claimsMinusBadDebtPlusFundCreditAndFeesAreWhatWasDeposited() {
        int[] seen = new int[3]; // histories with fills, with bad debt, with fund credit
        Property.forAll(Gens.seeds()).tries(30).check(seed -> {
            History h = History.random(new Random(seed));
            FinalizedState s = FinalizedState.rebuild(h.posted, h.posted.size(), new Stf(DOMAIN, new BouncyCastleVerifier()), FinalizedState.Progress.NONE);
            assertThat(s.root()).isEqualTo(h.posted.getLast().batch().header().postStateRoot());
            BigInteger claims = BigInteger.ZERO;
            for (Address owner : s.owners()) {
                for (Claim c : EscapePlan.claims(s, owner)) {
                    assertThat(c.amount().signum()).as("%s", c).isPositive();
                    claims = claims.add(c.amount());
                }
            }
            BigInteger debt = BigInteger.ZERO;
            BigInteger credit = BigInteger.ZERO;
            for (Report r : EscapePlan.reports(s)) {
                if (r instanceof Report.BadDebt) debt = debt.add(r.amount());
                else credit = credit.add(r.amount());
            }
            BigInteger fees = BigInteger.ZERO;
            for (int m : MARKETS) fees = fees.add(BigInteger.valueOf(s.market(m).feesAccrued()));
            if (h.fills > 0) seen[0]++;
            if (debt.signum() > 0) seen[1]++;
            if (credit.signum() > 0) seen[2]++;
            assertThat(claims.subtract(debt).add(credit).add(fees)).as("seed %d, %d fills", seed, h.fills).isEqualTo(BigInteger.valueOf(h.deposited));
        });
        assertThat(seen).as("histories with fills, bad debt, fund credit").doesNotContain(0);
    }

    /**
     * What the escape hatch and the rollup check: every claim's and report's proof shows its leaves, as the claim
     * carries them, under the frozen root, and a withdrawal is claimed under the last finalized batch. A claim with
     * no proof, a proof of another leaf, or a withdrawal named under another batch would be refused on L1.
     */
    @Test
    void everyClaimAndReportProvesItsLeavesUnderTheFrozenRoot() {
        int[] kinds = new int[5]; // balance, position, withdrawal, bad debt, fund credit
        Property.forAll(Gens.seeds()).tries(12).check(seed -> {
            History h = History.random(new Random(seed));
            FinalizedState s = FinalizedState.rebuild(h.posted, h.posted.size(), new Stf(DOMAIN, new BouncyCastleVerifier()), FinalizedState.Progress.NONE);
            Bytes32 root = Bytes32.of(s.root().bytes());
            for (Address owner : s.owners()) {
                for (Claim c : EscapePlan.claims(s, owner)) {
                    switch (c) {
                        case Claim.Balance b -> {
                            kinds[0]++;
                            assertProves(root, b.proof(), StateKeys.balance(owner), new BalanceLeaf(b.free(), b.nonce()).encode());
                        }
                        case Claim.Position p -> {
                            kinds[1]++;
                            long market = Integer.toUnsignedLong(p.market());
                            assertProves(root, p.proof(), StateKeys.position(owner, market), p.position().encode(),
                                    StateKeys.market(market), p.marketLeaf().encode());
                        }
                        case Claim.Withdrawal w -> {
                            kinds[2]++;
                            assertThat(w.batchIndex()).as("the last finalized batch").isEqualTo(h.posted.size() - 1);
                            assertProves(root, w.proof(), StateKeys.withdrawal(w.id()), new WithdrawalLeaf(owner, w.withdrawn()).encode());
                        }
                        case Claim.Refund r -> throw new AssertionError("claims() returns no refunds: " + r);
                    }
                }
            }
            for (Report r : EscapePlan.reports(s)) {
                assertThat(r.amount().signum()).as("%s", r).isPositive();
                switch (r) {
                    case Report.BadDebt d -> {
                        kinds[3]++;
                        long market = Integer.toUnsignedLong(d.market());
                        assertProves(root, d.proof(), StateKeys.position(d.owner(), market), d.position().encode(),
                                StateKeys.market(market), d.marketLeaf().encode());
                    }
                    case Report.FundPosition f -> {
                        kinds[4]++;
                        long market = Integer.toUnsignedLong(f.market());
                        assertProves(root, f.proof(), StateKeys.position(Address.INSURANCE_FUND, market), f.position().encode(),
                                StateKeys.market(market), f.marketLeaf().encode());
                    }
                    case Report.FundBalance f -> {
                        kinds[4]++;
                        assertProves(root, f.proof(), StateKeys.balance(Address.INSURANCE_FUND), new BalanceLeaf(f.free(), f.nonce()).encode());
                    }
                }
            }
        });
        assertThat(kinds).as("balances, positions, withdrawals, bad debt, fund credit seen").doesNotContain(0);
    }

    /** {@code keysAndValues}: key, encoded leaf, key, encoded leaf... */
    private static void assertProves(Bytes32 root, byte[] proof, Object... keysAndValues) {
        // the verifier takes the keys in ascending order, as the contracts sort them
        java.util.TreeMap<String, Bytes32[]> sorted = new java.util.TreeMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            Bytes32 key = (Bytes32) keysAndValues[i];
            sorted.put(java.util.HexFormat.of().formatHex(key.toArray()), new Bytes32[] {key, Bytes32.of(TreeHash.value((byte[]) keysAndValues[i + 1]))});
        }
        List<Bytes32> keys = sorted.values().stream().map(kv -> kv[0]).toList();
        List<Bytes32> hashes = sorted.values().stream().map(kv -> kv[1]).toList();
        assertThat(proof).as("a proof of %s", keys).isNotNull();
        assertThat(ProofVerifier.verify(root, keys, hashes, proof)).as("the proof of %s", keys).isEqualTo(ProofError.OK);
    }

    @Test
    void theInsuranceFundHasNoClaimsAndAQueuedDepositOfTheOwnerIsARefund() throws IOException {
        History h = History.random(new Random(7));
        FinalizedState s = FinalizedState.rebuild(h.posted, h.posted.size(), new Stf(DOMAIN, new BouncyCastleVerifier()), FinalizedState.Progress.NONE);
        assertThat(s.owners()).contains(Address.INSURANCE_FUND);
        assertThat(EscapePlan.claims(s, Address.INSURANCE_FUND)).isEmpty();
        Address owner = h.traders.getFirst().address();
        List<Transition> queue = List.of(new Transition.Deposit(3, 10, owner, 5), new Transition.Deposit(9, 11, owner, 7),
                new Transition.Deposit(10, 12, Address.INSURANCE_FUND, 1), new Transition.ForcedWithdrawal(11, 13, owner, 1));
        assertThat(EscapePlan.refunds(queue, 9, owner)).containsExactly(new Claim.Refund(owner, 9, 11, 7));
        // what the CLI sums for the owner: the deposit in full, not scaled by the escape rate
        assertThat(EscapePlan.refunds(queue, 9, owner).getFirst().amount()).isEqualTo(BigInteger.valueOf(7));
    }

    @Test
    void equityIsFundingSettledThenMarkedWithLotsTruncatedTowardZero() {
        MarketLeaf m = new MarketLeaf(1, 10, 0, 0, 0, 0, 0, Address.INSURANCE_FUND, 1_000, 7, 0, 0);
        // 25 base units = 2 lots (the 5 left over are not valued, as on L1); funding 7 - 3 charged per lot
        assertThat(Escape.equity(new PositionLeaf(25, -1_500, 3), m)).isEqualTo(BigInteger.valueOf(-1_500 - 2 * 4 + 2 * 1_000));
        assertThat(Escape.equity(new PositionLeaf(-25, 2_500, 3), m)).isEqualTo(BigInteger.valueOf(2_500 + 2 * 4 - 2 * 1_000));
        assertThat(Escape.pays(BigInteger.valueOf(1_000), BigInteger.valueOf(600), BigInteger.valueOf(10), BigInteger.valueOf(10)))
                .as("fund credit covers the debt: rate 1").isEqualTo(BigInteger.valueOf(1_000));
        assertThat(Escape.pays(BigInteger.valueOf(1_000), BigInteger.valueOf(600), BigInteger.valueOf(210), BigInteger.valueOf(10)))
                .as("1000 x 600 / 800").isEqualTo(BigInteger.valueOf(750));
    }

    /**
     * A trader who withdrew every unit keeps a balance leaf at 0 free: it gives no claim (a transaction that would pay
     * nothing and spend the leaf), only the finalized withdrawal does.
     */
    @Test
    void aTraderWithNothingFreeHasNoBalanceClaimOnlyTheWithdrawal() throws IOException {
        BatchBuilder b = new BatchBuilder(new Stf(DOMAIN, new BouncyCastleVerifier()), new MemoryNodeStore(), new BatchPolicy(40, 60));
        Signer trader = new Signer(BigInteger.valueOf(4_242));
        Address owner = trader.address();
        assertThat(b.append(new Transition.Deposit(0, 0, owner, 5_000_000), 0).applied()).isTrue();
        assertThat(b.append(new Transition.Withdraw(owner, owner, 5_000_000, 0, trader.sign(DOMAIN.withdrawDigest(owner, owner, 5_000_000, 0))), 0)
                .applied()).as("the whole balance withdrawn").isTrue();
        b.seal();
        List<RollupLog.Posted> posted = new ArrayList<>();
        for (Batch batch : b.takeSealed()) posted.add(new RollupLog.Posted(new PostedBatch(batch.header(), batch.calldata()), 0, 0, "0x"));
        FinalizedState s = FinalizedState.rebuild(posted, posted.size(), new Stf(DOMAIN, new BouncyCastleVerifier()), FinalizedState.Progress.NONE);
        assertThat(s.balance(owner)).as("the leaf stays, at 0 free").isNotNull().extracting(BalanceLeaf::free).isEqualTo(0L);
        assertThat(EscapePlan.claims(s, owner)).singleElement().isInstanceOfSatisfying(Claim.Withdrawal.class,
                w -> assertThat(w.withdrawn()).isEqualTo(5_000_000L));
    }

    /** A long rebuild shows its progress: after each batch, how many of how many, and the transitions so far. */
    @Test
    void aRebuildReportsEachBatchWithTheTransitionsReplayedSoFar() throws IOException {
        History h = History.random(new Random(11));
        List<long[]> told = new ArrayList<>();
        FinalizedState.rebuild(h.posted, h.posted.size(), new Stf(DOMAIN, new BouncyCastleVerifier()),
                (batches, of, transitions) -> told.add(new long[] {batches, of, transitions}));
        assertThat(told).hasSize(h.posted.size());
        long transitions = 0;
        for (int i = 0; i < told.size(); i++) {
            transitions += h.posted.get(i).batch().header().transitionCount();
            assertThat(told.get(i)).as("after batch %d", i).containsExactly(i + 1, h.posted.size(), transitions);
        }
    }

    @Test
    void aFinalizedBatchMissingFromTheLogIsAClearError() {
        History h = History.random(new Random(3));
        assertThatThrownBy(() -> FinalizedState.rebuild(h.posted, h.posted.size() + 1, new Stf(DOMAIN, new BouncyCastleVerifier()),
                FinalizedState.Progress.NONE)).isInstanceOf(IOException.class).hasMessageContaining("finalized batch " + h.posted.size());
    }

    /** A random history on two markets, posted as a few batches. */
    record History(List<RollupLog.Posted> posted, List<Signer> traders, long deposited, int fills) {
        static History random(Random r) {
            BatchBuilder b = new BatchBuilder(new Stf(DOMAIN, new BouncyCastleVerifier()), new MemoryNodeStore(), new BatchPolicy(40, 60));
            List<Signer> traders = new ArrayList<>();
            long priority = 0;
            long deposited = 0;
            int n = 2 + r.nextInt(4);
            for (int i = 0; i < n; i++) {
                Signer s = new Signer(BigInteger.valueOf(1_000_003L * (i + 2) + r.nextInt(1_000)));
                traders.add(s);
                long amount = 1_000_000_000L + r.nextLong(9_000_000_000L);
                if (b.append(new Transition.Deposit(priority++, 0, s.address(), amount), 0).applied()) deposited += amount;
            }
            long ts = 0;
            long[] funding = new long[MARKETS.length];
            long[] mark = new long[MARKETS.length];
            for (int k = 0; k < MARKETS.length; k++) {
                b.append(new Transition.MarketConfig(priority++, 0, MARKETS[k], 1, 1, 100_000, 50_000, 200, 500, 20_000, ORACLE.address()), 0);
                mark[k] = 100_000_000L;
                b.append(price(MARKETS[k], mark[k], 0, ++ts), 0);
            }
            long nonce = 1;
            long orders = 0;
            int fills = 0;
            int steps = 20 + r.nextInt(40);
            for (int step = 0; step < steps; step++) {
                int k = r.nextInt(MARKETS.length);
                int market = MARKETS[k];
                switch (r.nextInt(6)) {
                    case 0, 1, 2 -> { // a fill between two traders near the mark
                        Signer maker = traders.get(r.nextInt(n));
                        Signer taker = traders.get(r.nextInt(n));
                        if (maker == taker) continue;
                        long lots = 1 + r.nextInt(10);
                        long price = mark[k] + r.nextLong(-5_000_000L, 5_000_000L);
                        Side side = r.nextBoolean() ? Side.BUY : Side.SELL;
                        long margin = lots * price / 8 + r.nextLong(lots * price / 8);
                        Order mo = new Order(maker.address(), market, side, price, lots, 0, TimeInForce.GTC, 0, 0, nonce++, margin);
                        Order to = new Order(taker.address(), market, side == Side.BUY ? Side.SELL : Side.BUY, price, lots, 0, TimeInForce.GTC, 0, 0,
                                nonce++, margin);
                        boolean postedMaker = b.append(new Transition.PostOrder(mo, maker.sign(DOMAIN.orderDigest(mo))), 0).applied();
                        long makerId = postedMaker ? ++orders : 0;
                        boolean postedTaker = b.append(new Transition.PostOrder(to, taker.sign(DOMAIN.orderDigest(to))), 0).applied();
                        long takerId = postedTaker ? ++orders : 0;
                        if (postedMaker && postedTaker && b.append(new Transition.Trade(makerId, takerId, lots), 0).applied()) fills++;
                    }
                    case 3 -> { // the mark moves, funding accrues
                        mark[k] = Math.max(1_000_000L, mark[k] + r.nextLong(-15_000_000L, 15_000_000L));
                        funding[k] += r.nextLong(-200_000L, 200_000L);
                        b.append(price(market, mark[k], funding[k], ++ts), 0);
                    }
                    case 4 -> b.append(new Transition.Liquidate(traders.get(r.nextInt(n)).address(), market), 0);
                    default -> { // a withdrawal of some free balance
                        Signer s = traders.get(r.nextInt(n));
                        long amount = 1 + r.nextLong(200_000_000L);
                        for (long tryNonce = 0; tryNonce < 4; tryNonce++) {
                            Transition w = new Transition.Withdraw(s.address(), s.address(), amount, tryNonce,
                                    s.sign(DOMAIN.withdrawDigest(s.address(), s.address(), amount, tryNonce)));
                            if (b.append(w, 0).applied()) break;
                        }
                    }
                }
            }
            b.seal();
            List<RollupLog.Posted> posted = new ArrayList<>();
            for (Batch batch : b.takeSealed()) posted.add(new RollupLog.Posted(new PostedBatch(batch.header(), batch.calldata()), 0, 0, "0x"));
            return new History(posted, traders, deposited, fills);
        }

        static Transition price(int market, long price, long funding, long ts) {
            return new Transition.OraclePrice(market, price, funding, ts, ORACLE.sign(DOMAIN.oraclePriceDigest(market, price, funding, ts)));
        }
    }
}
