package dev.clearline.engine.invariants;

import dev.clearline.engine.batch.Batch;
import dev.clearline.engine.batch.BatchBuilder;
import dev.clearline.engine.batch.BatchPolicy;
import dev.clearline.engine.exchange.Exchange;
import dev.clearline.engine.exchange.MarketBooks;
import dev.clearline.engine.exchange.SignatureStage;
import dev.clearline.engine.exchange.SignedOrder;
import dev.clearline.engine.exchange.CancelRequest;
import dev.clearline.engine.exchange.VerifiedCancel;
import dev.clearline.engine.exchange.VerifiedOrder;
import dev.clearline.engine.exchange.Verification;
import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.engine.state.MarketLeaf;
import dev.clearline.engine.state.PositionLeaf;
import dev.clearline.engine.stf.Outcome;
import dev.clearline.engine.stf.StateReads;
import dev.clearline.engine.stf.Stf;
import dev.clearline.engine.stf.TreeLeafStore;
import dev.clearline.engine.testkit.World;
import dev.clearline.engine.transition.Transition;
import dev.clearline.engine.transition.Transition.*;
import dev.clearline.tree.SparseMerkleTree;
import dev.clearline.tree.store.MemoryNodeStore;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static dev.clearline.engine.testkit.World.LOT;
import static dev.clearline.engine.testkit.World.TICK;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random order flow over several markets and accounts through the whole pipeline: signature
 * stage, exchange (book + risk + mirror STF), batch builder on the real tree. Each try is one
 * seed; the flow is generated from it so a failure reproduces with its seed.
 */
class ExchangeInvariantProperties {
    static final int MARKETS = 3;
    static final int TRADERS = 6;
    static final long DEPOSIT = 2_000_000;

    /** Each try is a seeded case: the seed drives the whole flow, the count its length. */
    @Test
    void randomFlowKeepsEveryInvariant() {
        Set<String> seen = new HashSet<>();
        Property.forAll(Gens.seeds(), Gens.ints(20, 150)).tries(40).check((seed, ops) -> {
            Flow f = new Flow(seed);
            f.run(ops);
            f.stream.forEach(t -> seen.add(t.getClass().getSimpleName()));
            f.checkSizesSumToZeroPerMarket();
            f.checkCollateralIsConserved();
            f.checkNoOrderOverfillsOrFillsAfterCancelOrExpiry();
            f.checkReplayFromGenesisGivesTheSameRoots();
        });
        // The tries together must reach every kind of step, or the invariants were checked on too little.
        if (System.getProperty("clearline.seed", "").isEmpty()) {
            assertThat(seen).as("transition kinds the flows produced").contains("Trade", "Liquidate", "Cancel", "Withdraw", "PostOrder");
        }
    }

    static final class Flow {
        final World w = new World();
        final Random rng;
        final SignatureStage stage = new SignatureStage(w.domain, new NativeSecp256k1Verifier());
        final Exchange ex = new Exchange(w.domain, new NativeSecp256k1Verifier(), new MarketBooks(1 << 12, 1 << 20, 1 << 10));
        final BatchBuilder batches;
        final List<Signer> traders = new ArrayList<>();
        final List<Transition> stream = new ArrayList<>();
        final List<Batch> sealed = new ArrayList<>();
        final Map<Hash32, Signer> liveOrders = new HashMap<>();
        final Map<Hash32, Order> orders = new HashMap<>();
        final long[] mark = new long[MARKETS + 1];
        final long[] funding = new long[MARKETS + 1];
        long now = 1_000;
        long oracleTs = 1_000;
        long nonce;
        long deposits;

        Flow(long seed) {
            rng = new Random(seed);
            // a builder that keeps only a few leaves at hand (1 to 64), so it starts over again and again; the replay
            // below (every leaf kept) must still give the same roots
            batches = new BatchBuilder(new Stf(w.domain, new NativeSecp256k1Verifier()), new MemoryNodeStore(), new BatchPolicy(16, 5),
                    1 + new Random(seed ^ 0x5eedL).nextInt(64));
            for (int i = 0; i < TRADERS; i++) traders.add(World.signer(10 + i));
            for (int m = 1; m <= MARKETS; m++) {
                apply(w.market(m));
                mark[m] = 100 * TICK;
                apply(w.price(m, mark[m], 0, oracleTs));
            }
            for (Signer s : traders) {
                apply(w.deposit(s.address(), DEPOSIT));
                deposits += DEPOSIT;
            }
        }

        void apply(Transition t) {
            ex.apply(t, now);
            pump();
        }

        void pump() {
            List<Transition> group = ex.takeTransitions();          // one command's output: never split across batches
            List<Outcome> outcomes = batches.appendAll(group, now);
            for (int i = 0; i < group.size(); i++) {
                assertThat(outcomes.get(i).applied()).as("the tree's STF accepts what the exchange emitted: %s -> %s",
                        group.get(i), outcomes.get(i)).isTrue();
                stream.add(group.get(i));
            }
            batches.tick(now);
            sealed.addAll(batches.takeSealed());
            ex.discardEvents();
        }

        void run(int ops) {
            for (int i = 0; i < ops; i++) {
                int dice = rng.nextInt(100);
                now += rng.nextInt(3);
                if (dice < 55) submitRandomOrder();
                else if (dice < 65) cancelRandomOrder();
                else if (dice < 75) amendRandomOrder();
                else if (dice < 85) moveOracle();
                else if (dice < 95) liquidateAll();
                else withdrawSome();
                pump();
            }
            batches.seal();
            sealed.addAll(batches.takeSealed());
        }

        void submitRandomOrder() {
            Signer s = traders.get(rng.nextInt(TRADERS));
            int m = 1 + rng.nextInt(MARKETS);
            Side side = rng.nextBoolean() ? Side.BUY : Side.SELL;
            long price = Math.max(TICK, mark[m] + (rng.nextInt(11) - 5) * TICK);
            long lots = 1 + rng.nextInt(5);
            TimeInForce tif = TimeInForce.values()[rng.nextInt(10) < 7 ? 0 : 1 + rng.nextInt(2)];
            int flags = 0;
            int kind = rng.nextInt(20);
            if (kind == 0 && tif == TimeInForce.GTC) flags = Order.POST_ONLY;
            if (kind == 1 && tif != TimeInForce.GTC) flags = Order.REDUCE_ONLY;
            if (kind == 2 && tif != TimeInForce.GTC) flags = Order.MARKET;
            long display = kind == 3 && tif == TimeInForce.GTC && lots > 1 ? LOT : 0;
            long expiry = rng.nextInt(5) == 0 ? now + rng.nextInt(10) : 0;
            long margin = flags == Order.REDUCE_ONLY ? 0 : lots * mark[m] / 5 + rng.nextInt(1_000);
            Order o = new Order(s.address(), m, side, price, lots * LOT, display, tif, flags, expiry, nonce++, margin);
            Verification v = stage.verify(new SignedOrder(o, World.CHAIN_ID, World.ROLLUP, s.sign(w.domain.orderDigest(o))));
            VerifiedOrder vo = (VerifiedOrder) v;
            orders.put(vo.hash(), o);
            if (ex.submit(vo, now) == null && ex.orderId(vo.hash()) >= 0) liveOrders.put(vo.hash(), s);
        }

        Hash32 randomLive() {
            List<Hash32> hashes = new ArrayList<>(liveOrders.keySet());
            hashes.removeIf(h -> ex.orderId(h) < 0);
            if (hashes.isEmpty()) return null;
            hashes.sort((a, b) -> a.toString().compareTo(b.toString()));
            return hashes.get(rng.nextInt(hashes.size()));
        }

        void cancelRandomOrder() {
            Hash32 h = randomLive();
            if (h == null) return;
            Signer s = liveOrders.remove(h);
            Verification v = stage.verify(new CancelRequest(s.address(), h, s.sign(w.domain.cancelDigest(s.address(), h))));
            ex.cancel((VerifiedCancel) v, now);
        }

        void amendRandomOrder() {
            Hash32 h = randomLive();
            if (h == null) return;
            Signer s = liveOrders.get(h);
            Order old = orders.get(h);
            long price = Math.max(TICK, old.price() + (rng.nextInt(5) - 2) * TICK);
            long lots = 1 + rng.nextInt(4);
            Order o = new Order(old.trader(), old.marketId(), old.side(), price, lots * LOT, 0, TimeInForce.GTC,
                    old.flags(), old.expiry(), nonce++, old.margin() / 2);
            VerifiedOrder vo = (VerifiedOrder) stage.verify(new SignedOrder(o, World.CHAIN_ID, World.ROLLUP, s.sign(w.domain.orderDigest(o))));
            VerifiedCancel vc = (VerifiedCancel) stage.verify(new CancelRequest(s.address(), h, s.sign(w.domain.cancelDigest(s.address(), h))));
            orders.put(vo.hash(), o);
            if (ex.amend(vc, vo, now) == null) {
                liveOrders.remove(h);
                if (ex.orderId(vo.hash()) >= 0) liveOrders.put(vo.hash(), s);
            }
        }

        void moveOracle() {
            int m = 1 + rng.nextInt(MARKETS);
            mark[m] = Math.max(TICK, mark[m] + (rng.nextInt(21) - 10) * TICK);
            funding[m] += rng.nextInt(41) - 20;
            oracleTs = Math.max(oracleTs + 1, now);
            apply(w.price(m, mark[m], funding[m], oracleTs));
        }

        void liquidateAll() {
            for (Signer s : traders) for (int m = 1; m <= MARKETS; m++) ex.apply(new Liquidate(s.address(), m), now);
        }

        void withdrawSome() {
            Signer s = traders.get(rng.nextInt(TRADERS));
            long free = StateReads.balance(ex.state(), s.address()).free();
            long n = StateReads.balance(ex.state(), s.address()).nonce();
            if (free > 0) ex.apply(w.withdraw(s, 1 + rng.nextLong(free), n), now);
        }

        List<Address> owners() {
            List<Address> all = new ArrayList<>();
            for (Signer s : traders) all.add(s.address());
            all.add(Address.INSURANCE_FUND);
            return all;
        }

        void checkSizesSumToZeroPerMarket() {
            TreeLeafStore tree = batches.state();
            for (int m = 1; m <= MARKETS; m++) {
                long sum = 0;
                for (Address a : owners()) sum += StateReads.position(tree, a, m).size();
                assertThat(sum).as("sum of sizes in market %d", m).isZero();
            }
        }

        /**
         * deposits = free balances + positions' (quote + size / lot * fundingIndex) + fees accrued
         * + withdrawal leaves. Funding only moves value between positions (the term size * index is
         * what settling funding turns into quote), so the identity holds whether or not settled.
         */
        void checkCollateralIsConserved() {
            TreeLeafStore tree = batches.state();
            long total = 0;
            for (Address a : owners()) {
                total += StateReads.balance(tree, a).free();
                for (int m = 1; m <= MARKETS; m++) {
                    PositionLeaf p = StateReads.position(tree, a, m);
                    total += p.quote() + p.size() / LOT * p.fundingIndex();
                }
            }
            for (int m = 1; m <= MARKETS; m++) {
                MarketLeaf mk = StateReads.market(tree, m);
                total += mk.feesAccrued();
            }
            long withdrawals = StateReads.global(tree).nextWithdrawalId();
            for (long id = 0; id < withdrawals; id++) total += StateReads.withdrawal(tree, id).amount();
            assertThat(total).isEqualTo(deposits);
        }

        /** Checked on the transition stream alone, independently of the STF's own checks. */
        void checkNoOrderOverfillsOrFillsAfterCancelOrExpiry() {
            Map<Hash32, Order> posted = new HashMap<>();
            List<Hash32> byId = new ArrayList<>();                   // short id n is the n-th PostOrder
            Map<Hash32, Long> filled = new HashMap<>();
            Set<Hash32> cancelled = new HashSet<>();
            long[] oracleTime = new long[MARKETS + 1];
            for (Transition t : stream) {
                switch (t) {
                    case PostOrder p -> {
                        posted.put(w.domain.orderDigest(p.order()), p.order());
                        byId.add(w.domain.orderDigest(p.order()));
                    }
                    case OraclePrice o -> oracleTime[o.marketId()] = o.timestamp();
                    case Cancel c -> cancelled.add(c.orderHash());
                    case Trade tr -> {
                        assertThat(tr.makerId()).as("a trade names posted orders").isBetween(1L, (long) byId.size());
                        assertThat(tr.takerId()).as("a trade names posted orders").isBetween(1L, (long) byId.size());
                        for (Hash32 h : List.of(byId.get((int) tr.makerId() - 1), byId.get((int) tr.takerId() - 1))) {
                            Order o = posted.get(h);
                            assertThat(o).as("a trade references a posted order").isNotNull();
                            assertThat(cancelled).as("no fill after cancel").doesNotContain(h);
                            assertThat(o.expiry() == 0 || oracleTime[o.marketId()] <= o.expiry()).as("no fill after expiry").isTrue();
                            long f = filled.merge(h, tr.size(), Long::sum);
                            assertThat(f).as("fills never exceed the order's size").isLessThanOrEqualTo(o.size());
                        }
                    }
                    default -> { }
                }
            }
        }

        void checkReplayFromGenesisGivesTheSameRoots() {
            assertThat(sealed).isNotEmpty();
            Stf stf = new Stf(w.domain, new NativeSecp256k1Verifier());
            TreeLeafStore replay = new TreeLeafStore(new SparseMerkleTree(new MemoryNodeStore()));
            assertThat(sealed.get(0).header().prevStateRoot()).isEqualTo(replay.root());
            for (Batch b : sealed) {
                assertThat(replay.root()).isEqualTo(b.header().prevStateRoot());
                for (Transition t : b.transitions()) assertThat(stf.apply(replay, t, b.header().batchIndex()).applied()).isTrue();
                assertThat(replay.root()).isEqualTo(b.header().postStateRoot());
            }
            Batch last = sealed.get(sealed.size() - 1);
            int mid = last.transitions().size() / 2;
            assertThat(batches.rootAfterPrefix(last, last.transitions().size())).isEqualTo(last.header().postStateRoot());
            assertThat(batches.rootAfterPrefix(last, 0)).isEqualTo(last.header().prevStateRoot());
            assertThat(batches.rootAfterPrefix(last, mid)).isNotNull();
        }
    }
}
