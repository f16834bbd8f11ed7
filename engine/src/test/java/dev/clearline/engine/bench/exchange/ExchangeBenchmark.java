package dev.clearline.engine.bench.exchange;

import dev.clearline.engine.bench.Workload;
import dev.clearline.engine.exchange.Exchange;
import dev.clearline.engine.exchange.MarketBooks;
import dev.clearline.engine.exchange.VerifiedCancel;
import dev.clearline.engine.exchange.VerifiedOrder;
import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Eip712;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Signature;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.engine.transition.Transition;
import dev.clearline.engine.transition.TransitionCodec;
import org.HdrHistogram.Histogram;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Matching + risk on one core: the book engineer's exchange-core style workload (one market, 1,000
 * accounts, ~1,000 resting orders over ~750 levels, 9% GTC, 3% IOC, 6% cancel, 82% move) run
 * through {@link Exchange}: pre-checks against the state mirror, the book, and every fill turned
 * into PostOrder/Trade transitions applied to the mirror STF. Signatures are excluded (verified
 * upstream on other cores; see the signature rows), so orders enter as {@link VerifiedOrder}.
 * Requests are pre-built in chunks outside the timed loop.
 */
public final class ExchangeBenchmark {
    static final long SEED = 42;
    static final int CHUNK = 50_000;

    private ExchangeBenchmark() {}

    public static List<Report.Row> run(boolean full) {
        int ops = full ? 3_000_000 : 600_000;
        Workload w = Workload.generate(new Workload.Spec(1_000, 1_000, 750, ops), new SplittableRandom(SEED));
        List<Report.Row> rows = new ArrayList<>();
        double load = java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        double best = 0;
        int rounds = 5;
        double[] rates = new double[rounds];
        double[] cpuRates = new double[rounds];
        for (int round = 0; round < rounds; round++) {
            Run r = new Run(w);
            double rate = r.throughput();
            System.out.printf("exchange round %d: %,.0f ops/s, %,.0f ops per CPU-s (%d fills, %d rejects)%n",
                    round, rate, r.cpuRate, r.fills, r.rejects);
            best = Math.max(best, rate);
            rates[round] = rate;
            cpuRates[round] = r.cpuRate;
            if (round == rounds - 1) {
                double[] measured = java.util.Arrays.copyOfRange(rates, 2, rounds);
                java.util.Arrays.sort(measured);
                double[] cpu = java.util.Arrays.copyOfRange(cpuRates, 2, rounds);
                java.util.Arrays.sort(cpu);
                rows.add(new Report.Row("exchange (matching + risk)", "throughput", measured[measured.length / 2], "ops/s", ">= 2,000,000",
                        String.format("median of runs 3-5 (best %,.0f); %,d ops after %,d prefill; %,d fills, %,d rejects; "
                                        + "load average %.1f on %d cores at the start",
                                best, w.operationCount(), w.prefillCount(), r.fills, r.rejects, load,
                                Runtime.getRuntime().availableProcessors())));
                rows.add(new Report.Row("L1 calldata", "bytes per fill", r.calldataPerFill(), "bytes", "-",
                        String.format("Trade (%d bytes each) plus the PostOrders and PruneOrders of its orders amortised over their fills: "
                                        + "%,d fills, %,d Trade bytes, %,d PostOrder bytes, %,d PruneOrder bytes, on this run's order flow",
                                TransitionCodec.encodedLength(new Transition.Trade(1, 1, 1)), r.fills, r.tradeBytes, r.postOrderBytes,
                                r.pruneBytes)));
                System.out.printf("calldata: %.1f bytes per fill (%,d fills, %,d Trade bytes, %,d PostOrder bytes, %,d PruneOrder bytes)%n",
                        r.calldataPerFill(), r.fills, r.tradeBytes, r.postOrderBytes, r.pruneBytes);
                rows.add(new Report.Row("exchange (matching + risk)", "throughput per CPU-second", cpu[cpu.length / 2], "ops/CPU-s", "-",
                        "same runs, ops divided by the matcher thread's own CPU time (what the core would do if not shared)"));
            }
        }
        for (double offered : new double[] {1_000_000, Math.floor(best / 2)}) {
            Histogram h = new Run(w).latency(offered);
            String goal = offered == 1_000_000 ? "p99 < 10 us" : "-";
            double loadNow = java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
            String note = String.format("offered %,.0f ops/s, latency from intended start (coordinated omission corrected); "
                    + "load average %.1f on %d cores: a preempted matcher thread shows up here in milliseconds",
                    offered, loadNow, Runtime.getRuntime().availableProcessors());
            rows.add(new Report.Row("exchange latency", "p50", h.getValueAtPercentile(50) / 1000.0, "us", goal, note));
            rows.add(new Report.Row("exchange latency", "p99", h.getValueAtPercentile(99) / 1000.0, "us", goal, note));
            rows.add(new Report.Row("exchange latency", "p99.9", h.getValueAtPercentile(99.9) / 1000.0, "us", goal, note));
            System.out.printf("latency at %,.0f ops/s: p50 %.1f us, p99 %.1f us, p99.9 %.1f us%n", offered,
                    h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0, h.getValueAtPercentile(99.9) / 1000.0);
        }
        return rows;
    }

    /** One fresh exchange replaying the workload. */
    static final class Run {
        static final Signature UNCHECKED = new Signature(new byte[65]);
        final Workload w;
        final Eip712 domain = new Eip712(1, Address.fromHex("0x00000000000000000000000000000000000000aa"));
        final Exchange ex = new Exchange(domain, new dev.clearline.engine.order.NativeSecp256k1Verifier(), new MarketBooks(1 << 17, 1_000_000, 4_096));
        final Address[] owners = new Address[1_000];
        final Map<Long, Hash32> current = new HashMap<>();
        final Map<Long, Order> sides = new HashMap<>();
        final Object[] requests = new Object[CHUNK];
        final Hash32[] replaced = new Hash32[CHUNK];
        long fills;
        long rejects;
        long tradeBytes;
        long postOrderBytes;
        long pruneBytes;

        /**
         * Fills, and the L1 calldata they cost: their Trades, the PostOrders that brought their orders
         * in and the PruneOrders that take them out once done.
         */
        void countCalldata(List<Transition> ts) {
            for (Transition t : ts) {
                if (t instanceof Transition.Trade || t instanceof Transition.TradeAtPrice) {
                    fills++;
                    tradeBytes += TransitionCodec.encodedLength(t);
                } else if (t instanceof Transition.PostOrder) {
                    postOrderBytes += TransitionCodec.encodedLength(t);
                } else if (t instanceof Transition.PruneOrder) {
                    pruneBytes += TransitionCodec.encodedLength(t);
                }
            }
        }

        double calldataPerFill() {
            return fills == 0 ? 0 : (double) (tradeBytes + postOrderBytes + pruneBytes) / fills;
        }
        double cpuRate;

        /**
         * Each order brings this many times its notional as margin: the exchange's pre-check reserves
         * initial margin for all of a trader's resting orders on a side but counts only margin already
         * in the position, so a trader with several resting orders needs more than 10 % per order.
         */
        static final long MARGIN_MULTIPLE = 50;

        Run(Workload w) {
            this.w = w;
            Signer oracle = new Signer(BigInteger.valueOf(99));
            ex.apply(new Transition.MarketConfig(0, 0, 1, 1, 1, 100_000, 50_000, 0, 0, oracle.address()), 0);
            ex.apply(new Transition.OraclePrice(1, 1 << 16, 0, 1, oracle.sign(domain.oraclePriceDigest(1, 1 << 16, 0, 1))), 0);
            for (int i = 0; i < owners.length; i++) {
                byte[] a = new byte[20];
                a[0] = 1;
                a[18] = (byte) (i >>> 8);
                a[19] = (byte) i;
                owners[i] = new Address(a);
                ex.apply(new Transition.Deposit(1 + i, 0, owners[i], 1_000_000_000_000_000L), 0);
            }
            ex.takeTransitions();
            build(0, w.prefillCount());
            for (int i = 0; i < w.prefillCount(); i++) execute(i, 0);
            if (rejects > 0) throw new IllegalStateException(rejects + " prefill orders were rejected; the set-up is wrong");
            ex.takeTransitions();
            ex.discardEvents();
        }

        double throughput() {
            java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
            long nanos = 0;
            long cpuNanos = 0;
            int first = w.prefillCount();
            int end = first + w.operationCount();
            for (int from = first; from < end; from += CHUNK) {
                int to = Math.min(end, from + CHUNK);
                build(from, to);
                long cpuStart = threads.getCurrentThreadCpuTime();
                long start = System.nanoTime();
                for (int i = from; i < to; i++) {
                    execute(i, from);
                    if ((i & 1023) == 0) ex.discardEvents();
                }
                nanos += System.nanoTime() - start;
                cpuNanos += threads.getCurrentThreadCpuTime() - cpuStart;
                countCalldata(ex.takeTransitions());
                ex.discardEvents();
            }
            cpuRate = w.operationCount() / (cpuNanos / 1e9);
            return w.operationCount() / (nanos / 1e9);
        }

        Histogram latency(double offeredPerSecond) {
            Histogram h = new Histogram(3_600_000_000_000L, 3);
            double interval = 1e9 / offeredPerSecond;
            int first = w.prefillCount();
            int end = first + w.operationCount();
            for (int from = first; from < end; from += CHUNK) {
                int to = Math.min(end, from + CHUNK);
                build(from, to);
                long t0 = System.nanoTime();
                for (int i = from; i < to; i++) {
                    long intended = t0 + (long) ((i - from) * interval);
                    while (System.nanoTime() < intended) Thread.onSpinWait();
                    execute(i, from);
                    h.recordValue(Math.max(0, System.nanoTime() - intended));
                    if ((i & 1023) == 0) ex.discardEvents();
                }
                ex.takeTransitions();
                ex.discardEvents();
            }
            return h;
        }

        private void build(int from, int to) {
            for (int i = from; i < to; i++) {
                long id = w.orderId(i);
                Address owner = owners[(int) (w.ownerId(i) % owners.length)];
                Order o;
                switch (w.kind(i)) {
                    case Workload.CANCEL -> {
                        Hash32 h = current.remove(id);
                        sides.remove(id);
                        requests[i - from] = new VerifiedCancel(owner, h == null ? Hash32.ZERO : h, UNCHECKED);
                        continue;
                    }
                    case Workload.MOVE -> {
                        Order old = sides.get(id);
                        o = old == null ? order(owner, w, i, TimeInForce.GTC)
                                : new Order(old.trader(), 1, old.side(), w.priceTicks(i), w.sizeLots(i), 0, TimeInForce.GTC, 0, 0, i,
                                        MARGIN_MULTIPLE * w.priceTicks(i) * w.sizeLots(i));
                        replaced[i - from] = current.getOrDefault(id, Hash32.ZERO);
                    }
                    case Workload.IOC -> o = order(owner, w, i, TimeInForce.IOC);
                    default -> o = order(owner, w, i, TimeInForce.GTC);
                }
                Hash32 h = domain.orderDigest(o);
                if (w.kind(i) != Workload.IOC) {
                    current.put(id, h);
                    sides.put(id, o);
                }
                requests[i - from] = new VerifiedOrder(o, h, UNCHECKED);
            }
        }

        private Order order(Address owner, Workload w, int i, TimeInForce tif) {
            long price = w.priceTicks(i);
            long size = w.sizeLots(i);
            dev.clearline.engine.order.Side side = w.side(i) == dev.clearline.engine.book.Side.BUY ? dev.clearline.engine.order.Side.BUY : dev.clearline.engine.order.Side.SELL;
            return new Order(owner, 1, side, price, size, 0, tif, 0, 0, i, MARGIN_MULTIPLE * price * size);
        }

        private void execute(int i, int from) {
            Object r = requests[i - from];
            Object result = switch (w.kind(i)) {
                case Workload.CANCEL -> ex.cancel((VerifiedCancel) r, 0);
                case Workload.MOVE -> {
                    VerifiedOrder v = (VerifiedOrder) r;
                    yield ex.amend(new VerifiedCancel(v.order().trader(), replaced[i - from], UNCHECKED), v, 0);
                }
                default -> ex.submit((VerifiedOrder) r, 0);
            };
            if (result != null) rejects++;
        }
    }
}
