package dev.clearline.engine.stf;

import dev.clearline.engine.batch.BatchBuilder;
import dev.clearline.engine.batch.BatchPolicy;
import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.state.MarketLeaf;
import dev.clearline.engine.state.OrderHashLeaf;
import dev.clearline.engine.state.PositionLeaf;
import dev.clearline.engine.testkit.World;
import dev.clearline.engine.transition.Transition;
import dev.clearline.engine.transition.Transition.*;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import dev.clearline.tree.store.MemoryNodeStore;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static dev.clearline.engine.testkit.World.LOT;
import static dev.clearline.engine.testkit.World.TICK;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The solvency rule of docs/protocol.md section 4: at every batch end, what users could claim (free
 * balances, the fund's included; positive position equity at the mark; pending withdrawals; fees
 * accrued) exceeds the collateral held by exactly the sum of the negative equities still open (the
 * fund's and any bankrupt position not yet liquidated). Random flows of trades, price and funding
 * moves, liquidations (with the fee), deleveraging by a stated policy and withdrawals.
 */
class ClaimsCoverProperties {
    static final int TRADERS = 5;
    static final long DEPOSIT = 3_000_000;
    static final int LIQUIDATION_FEE = 20_000;  // 2 % of notional, below the 5 % maintenance

    @Test
    void claimsExceedCollateralByExactlyTheOpenNegativeEquityAtEveryBatchEnd() {
        int[] deleveraged = {0};
        long[] feesToFund = {0};
        Property.forAll(Gens.seeds(), Gens.ints(20, 120)).tries(25).check((seed, steps) -> {
            Flow f = new Flow(seed);
            f.run(steps);
            deleveraged[0] += f.deleveraged;
            feesToFund[0] += StateReads.balance(f.b.state(), Address.INSURANCE_FUND).free();
        });
        if (System.getProperty("clearline.seed", "").isEmpty()) {
            assertThat(deleveraged[0]).as("deleverages applied over all tries").isPositive();
            assertThat(feesToFund[0]).as("liquidation fees paid into the fund over all tries").isPositive();
        }
    }

    static final class Flow {
        final World w = new World();
        final BatchBuilder b = new BatchBuilder(w.stf, new MemoryNodeStore(), new BatchPolicy(10_000, 1_000_000));
        final SplittableRandom r;
        final Signer[] traders = new Signer[TRADERS];
        long deposits;
        long mark = 10_000;
        long funding;
        long ts = 1;
        long nonce;
        long priority;
        int deleveraged;
        /** Every transition the STF accepted, with its batch index, in order (for replays). */
        final List<Step> applied = new ArrayList<>();

        record Step(Transition t, long batch) {}

        Outcome append(Transition t, long now) {
            long batch = sealedBatches;
            Outcome o = b.append(t, now);
            if (o.applied()) applied.add(new Step(t, batch));
            return o;
        }

        void appendAll(List<Transition> group, long now) {
            for (Transition t : group) append(t, now);
        }

        long sealedBatches;

        Flow(long seed) {
            r = new SplittableRandom(seed);
            ok(new MarketConfig(priority++, 0, 1, TICK, LOT, World.IMF, World.MMF, World.MAKER_FEE, World.TAKER_FEE,
                    LIQUIDATION_FEE, w.oracle.address()));
            for (int i = 0; i < TRADERS; i++) {
                traders[i] = World.signer(10 + i);
                ok(new Deposit(priority++, 0, traders[i].address(), DEPOSIT));
                deposits += DEPOSIT;
            }
            ok(w.price(1, mark, funding, ts++));
            endBatch();
        }

        void run(int steps) {
            for (int i = 0; i < steps; i++) {
                switch (r.nextInt(10)) {
                    case 0, 1, 2, 3 -> trade();
                    case 4, 5 -> move();
                    case 6 -> liquidateAll();
                    case 7 -> deleverage();
                    case 8 -> withdraw();
                    default -> endBatch();
                }
            }
            liquidateAll();
            deleverage();
            endBatch();
        }

        void trade() {
            int a = r.nextInt(TRADERS);
            int c = (a + 1 + r.nextInt(TRADERS - 1)) % TRADERS;
            long price = Math.max(TICK, (mark / TICK + r.nextInt(-3, 4)) * TICK);
            long size = (1 + r.nextInt(40)) * LOT;
            Order maker = order(traders[a], r.nextBoolean() ? Side.BUY : Side.SELL, price, size);
            Order taker = order(traders[c], maker.side() == Side.BUY ? Side.SELL : Side.BUY, price, size);
            appendAll(List.of(w.post(traders[a], maker), w.post(traders[c], taker)), ts);
            long makerId = id(maker);
            long takerId = id(taker);
            if (makerId != 0 && takerId != 0) append(new Trade(makerId, takerId, size), ts);
        }

        Order order(Signer s, Side side, long price, long size) {
            long margin = r.nextInt(4) == 0 ? 0 : r.nextLong(price * (size / LOT) / 8 + 1);
            return new Order(s.address(), 1, side, price, size, 0, dev.clearline.engine.order.TimeInForce.GTC, 0, 0, nonce++, margin);
        }

        long id(Order o) {
            OrderHashLeaf h = StateReads.orderHash(b.state(), w.hash(o));
            return h == null ? 0 : h.orderId();
        }

        void move() {
            long pct = r.nextInt(-25, 26);
            mark = Math.max(TICK, mark + mark * pct / 100);
            funding += r.nextInt(-200, 201);
            ok(w.price(1, mark, funding, ts++));
        }

        void liquidateAll() {
            for (Signer s : traders) append(new Liquidate(s.address(), 1), ts);
        }

        /**
         * The stated policy: while the fund's equity is negative, the opposite position with the
         * highest equity per unit of notional is deleveraged first, as much as both sizes allow,
         * halving the size while the counterparty would fall below maintenance.
         */
        void deleverage() {
            for (int round = 0; round < TRADERS; round++) {
                MarketLeaf m = StateReads.market(b.state(), 1);
                PositionLeaf fund = settled(StateReads.position(b.state(), Address.INSURANCE_FUND, 1), m);
                if (fund.size() == 0 || equity(fund, m) >= 0) return;
                Signer best = null;
                double bestScore = Double.NEGATIVE_INFINITY;
                for (Signer s : traders) {
                    PositionLeaf p = settled(StateReads.position(b.state(), s.address(), 1), m);
                    if (p.size() == 0 || Long.signum(p.size()) == Long.signum(fund.size())) continue;
                    double score = (double) equity(p, m) / Math.abs(p.size() / LOT * m.markPrice());
                    if (score > bestScore) {
                        bestScore = score;
                        best = s;
                    }
                }
                if (best == null) return;
                PositionLeaf cp = StateReads.position(b.state(), best.address(), 1);
                long size = Math.min(Math.abs(fund.size()), Math.abs(cp.size()));
                boolean applied = false;
                for (; size >= LOT && !applied; size = size / LOT / 2 * LOT) {
                    applied = append(new Deleverage(1, best.address(), size), ts).applied();
                }
                if (!applied) return;
                deleveraged++;
            }
        }

        void withdraw() {
            Signer s = traders[r.nextInt(TRADERS)];
            long free = StateReads.balance(b.state(), s.address()).free();
            long nonceNow = StateReads.balance(b.state(), s.address()).nonce();
            if (free > 0) {
                long amount = 1 + r.nextLong(free);
                append(new Withdraw(s.address(), s.address(), amount, nonceNow,
                        s.sign(w.domain.withdrawDigest(s.address(), s.address(), amount, nonceNow))), ts);
            }
        }

        void ok(Transition t) {
            assertThat(append(t, ts).applied()).as("%s", t).isTrue();
        }

        void endBatch() {
            b.seal();
            sealedBatches += b.takeSealed().size();
            checkClaims();
        }

        void checkClaims() {
            var s = b.state();
            MarketLeaf m = StateReads.market(s, 1);
            List<Address> owners = new ArrayList<>();
            for (Signer t : traders) owners.add(t.address());
            owners.add(Address.INSURANCE_FUND);
            BigInteger claims = BigInteger.ZERO;
            BigInteger negative = BigInteger.ZERO;
            long sizes = 0;
            for (Address o : owners) {
                claims = claims.add(BigInteger.valueOf(StateReads.balance(s, o).free()));
                PositionLeaf p = settled(StateReads.position(s, o, 1), m);
                sizes += p.size();
                long e = equity(p, m);
                if (e > 0) claims = claims.add(BigInteger.valueOf(e));
                else negative = negative.add(BigInteger.valueOf(-e));
            }
            long withdrawals = StateReads.global(s).nextWithdrawalId();
            for (long id = 0; id < withdrawals; id++) claims = claims.add(BigInteger.valueOf(StateReads.withdrawal(s, id).amount()));
            claims = claims.add(BigInteger.valueOf(m.feesAccrued()));
            assertThat(sizes).as("positions sum to zero").isZero();
            assertThat(claims).as("claims = collateral held + open negative equity").isEqualTo(
                    BigInteger.valueOf(deposits).add(negative));
        }

        static PositionLeaf settled(PositionLeaf p, MarketLeaf m) {
            long quote = p.quote() - p.size() / LOT * (m.fundingIndex() - p.fundingIndex());
            return new PositionLeaf(p.size(), quote, m.fundingIndex());
        }

        static long equity(PositionLeaf settled, MarketLeaf m) {
            return settled.quote() + settled.size() / LOT * m.markPrice();
        }
    }
}
