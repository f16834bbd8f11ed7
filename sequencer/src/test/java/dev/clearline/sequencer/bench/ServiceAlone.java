package dev.clearline.sequencer.bench;

import dev.clearline.engine.exchange.SignatureStage;
import dev.clearline.engine.exchange.SignedOrder;
import dev.clearline.engine.exchange.VerifiedOrder;
import dev.clearline.engine.order.Eip712;
import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.engine.transition.Transition;
import dev.clearline.sequencer.DevAccounts;
import dev.clearline.sequencer.FastSigner;
import dev.clearline.sequencer.command.Command;
import dev.clearline.sequencer.command.ReplyCodec;
import dev.clearline.sequencer.state.Genesis;
import dev.clearline.sequencer.state.Reply;
import dev.clearline.sequencer.state.SequencerState;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;

/**
 * The cluster service's own work per order, without the network, the log or the gateway: the
 * state machine applying pre-verified {@code Place} commands (engine, STF mirror, Merkle tree,
 * batches, the API's views) and the reply's JSON, on this one thread, the way the service thread
 * does it. Measured in CPU-seconds of this thread, so other work on the machine stretches the wall
 * time but not the figure much. The orders are the acknowledgement benchmark's own.
 */
final class ServiceAlone {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /** @param applyCpu CPU-seconds in {@code SequencerState.apply}; {@code encodeCpu} in the reply's JSON */
    record Figures(int orders, double applyCpu, double encodeCpu) {
        double ordersPerCpuSecond() {
            return orders / (applyCpu + encodeCpu);
        }
    }

    /** Alone, for a profiler: {@code ServiceAlone [warm-up orders] [measured orders]}. */
    public static void main(String[] args) {
        int warmup = args.length > 0 ? Integer.parseInt(args[0]) : 30_000;
        int measured = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        List<FastSigner> signers = new ArrayList<>();
        for (int i = 0; i < SequencerBench.TRADERS; i++) signers.add(FastSigner.dev(i));
        Figures f = measure(Genesis.devnet(dev.clearline.sequencer.Market.ROLLUP), signers, warmup, measured);
        System.out.printf(java.util.Locale.ROOT, "%,.0f orders per CPU-second: %.1f us apply + %.1f us JSON per order%n",
                f.ordersPerCpuSecond(), f.applyCpu() * 1e6 / f.orders(), f.encodeCpu() * 1e6 / f.orders());
    }

    static Figures measure(Genesis genesis, List<FastSigner> signers, int warmup, int measured) {
        Eip712 domain = genesis.domain();
        SequencerState state = new SequencerState(genesis, new NativeSecp256k1Verifier());
        long client = 1;
        long[] seq = {0};
        long ms = 1_700_000_000_000L;
        var oracle = DevAccounts.oracle();
        List<Command> opening = new ArrayList<>();
        long p = 0;
        opening.add(new Command.L1Op(client, ++seq[0], new Transition.MarketConfig(p++, 0, 1, 100, 1_000, 100_000, 50_000, 200, 500, oracle.address())));
        for (FastSigner s : signers) opening.add(new Command.L1Op(client, ++seq[0], new Transition.Deposit(p++, 0, s.address(), 1_000_000_000_000L)));
        long ts = ms / 1000;
        opening.add(new Command.Oracle(client, ++seq[0], new Transition.OraclePrice(1, 10_000, 0, ts, oracle.sign(domain.oraclePriceDigest(1, 10_000, 0, ts)))));
        for (Command c : opening) state.apply(c, ms);

        SignatureStage stage = new SignatureStage(domain, new NativeSecp256k1Verifier());
        List<Command> orders = new ArrayList<>(warmup + measured);
        for (int i = 0; i < warmup + measured; i++) {
            FastSigner s = signers.get(i % signers.size());
            Side side = (i / signers.size()) % 2 == 0 ? Side.BUY : Side.SELL;
            Order o = new Order(s.address(), 1, side, 10_000, 1_000, 0, TimeInForce.GTC, 0, 0, 1_000_000 + i, 100_000);
            VerifiedOrder v = (VerifiedOrder) stage.verify(new SignedOrder(o, domain.chainId(), domain.verifyingContract(), s.sign(domain.orderDigest(o))));
            orders.add(new Command.Place(client, ++seq[0], v));
        }
        long sink = 0;
        for (int i = 0; i < warmup; i++) sink += ReplyCodec.encode(state.apply(orders.get(i), ms + i)).length;
        Reply[] replies = new Reply[measured];
        long t0 = THREADS.getCurrentThreadCpuTime();
        for (int i = 0; i < measured; i++) replies[i] = state.apply(orders.get(warmup + i), ms + warmup + i);
        long t1 = THREADS.getCurrentThreadCpuTime();
        for (Reply r : replies) sink += ReplyCodec.encode(r).length;
        long t2 = THREADS.getCurrentThreadCpuTime();
        if (sink == 0) throw new IllegalStateException("no replies");
        return new Figures(measured, (t1 - t0) / 1e9, (t2 - t1) / 1e9);
    }
}
