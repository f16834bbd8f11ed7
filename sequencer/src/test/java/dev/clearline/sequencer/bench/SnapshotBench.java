package dev.clearline.sequencer.bench;

import dev.clearline.engine.exchange.VerifiedOrder;
import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Eip712;
import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.Signature;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.engine.transition.Transition;
import dev.clearline.sequencer.DevAccounts;
import dev.clearline.sequencer.command.Command;
import dev.clearline.sequencer.state.Genesis;
import dev.clearline.sequencer.state.SequencerState;
import dev.clearline.sequencer.state.Snapshot;
import dev.clearline.testkit.bench.MachineIdle;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * {@code ./clearline bench sequencer snapshot [orders,...]}: what a node's recovery costs, the
 * snapshot as a state image and its history (format 3, written now) against the command history replayed on load
 * (format 1, before). For each size, a state that took that many orders (half of them filling
 * against the other half, a time tick every 10 orders and an oracle price every 1,000, as a live
 * node's log has them) is snapshotted both ways and loaded back, on this thread, with a member's
 * JVM flags. Writes bench-results/sequencer-snapshot.md with the machine's idle share.
 *
 * <p>The orders carry placeholder signatures: a log's commands carry the gateway's verdicts, so
 * neither load recovers a signature (the history's replay trusts them as the service does).
 */
final class SnapshotBench {
    private static final int TRADERS = 64;

    public static void main(String[] args) throws Exception {
        List<Integer> sizes = new ArrayList<>();
        for (String a : args) {
            if (a.isBlank()) continue;
            for (String n : a.trim().split(",")) sizes.add(Integer.parseInt(n.replace("_", "")));
        }
        if (sizes.isEmpty()) sizes = List.of(25_000, 50_000, 100_000);
        Genesis genesis = Genesis.devnet(dev.clearline.sequencer.Market.ROLLUP);
        System.out.println("warm-up: 20,000 orders, both formats");
        measure(genesis, 20_000, 0, 1);
        StringBuilder md = new StringBuilder("# sequencer: snapshot and recovery\n\n");
        md.append("Machine: ").append(Runtime.getRuntime().availableProcessors()).append(" cores, ").append(System.getProperty("java.vm.name"))
                .append(' ').append(System.getProperty("java.vm.version")).append(", ").append(java.time.Instant.now())
                .append(". Command: `./clearline bench sequencer snapshot").append(args.length == 0 ? "" : " " + String.join(" ", args).trim())
                .append("` (a member's JVM flags, `-Xmx4g`).\n\n");
        md.append("A state that took N orders (half filling the other half; a time tick every 10 orders and an oracle price every 1,000,"
                + " so the log holds 1.1 N commands; the last row: a quiet node whose log is mostly its clock's ticks), snapshotted and loaded back on one thread. Load = `Snapshot.read` to a state"
                + " whose root is checked, median of 3 (the history's replay: one run). Format 3 is the state image and then its command history, written now; format 1"
                + " the command history replayed on load, as before.\n\n");
        md.append("| orders | commands in the log | leaves | snapshot bytes (format 3) | write ms | load ms | history bytes (format 1) | replay ms"
                + " | replay / image load | machine idle |\n");
        md.append("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        List<int[]> runs = new ArrayList<>();
        for (int n : sizes) runs.add(new int[] {n, 0});
        // a quiet node: few orders, a long log of its clock's ticks (one a second: 300,000 is three and a half days)
        runs.add(new int[] {sizes.getFirst() / 10, QUIET_TICKS});
        for (int[] run : runs) {
            int n = run[0];
            MachineIdle idle0 = MachineIdle.now();
            Row r = measure(genesis, n, run[1], 3);
            double idle = MachineIdle.now().percentSince(idle0);
            String line = String.format(Locale.ROOT, "| %,d%s | %,d | %,d | %,d | %,.0f | %,.0f | %,d | %,.0f | %.1fx | %s |%n", n,
                    run[1] == 0 ? "" : String.format(Locale.ROOT, " and %,d more time ticks", run[1]), r.commands, r.leaves,
                    r.imageBytes, r.writeMs, r.loadMs, r.historyBytes, r.replayMs, r.replayMs / r.loadMs,
                    idle < 0 ? "n/a" : String.format(Locale.ROOT, "%.0f%%", idle));
            System.out.print(line);
            md.append(line);
        }
        Path out = Path.of("bench-results", "sequencer-snapshot.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, md.toString());
        System.out.println("wrote " + out);
    }

    record Row(long commands, int leaves, int imageBytes, double writeMs, double loadMs, int historyBytes, double replayMs) {}

    static Row measure(Genesis genesis, int orders, int extraTicks, int loads) throws Exception {
        SequencerState state = build(genesis, orders, extraTicks);
        long t0 = System.nanoTime();
        byte[] image = Snapshot.write(state);
        double writeMs = (System.nanoTime() - t0) / 1e6;
        double[] loadMs = new double[loads];
        for (int i = 0; i < loads; i++) {
            long t = System.nanoTime();
            SequencerState back = Snapshot.read(image, genesis, new NativeSecp256k1Verifier());
            loadMs[i] = (System.nanoTime() - t) / 1e6;
            if (!back.stateRoot().equals(state.stateRoot())) throw new IllegalStateException("the image restored another root");
        }
        Arrays.sort(loadMs);
        byte[] history = Snapshot.writeHistory(state);
        long t = System.nanoTime();
        SequencerState replayed = Snapshot.read(history, genesis, new NativeSecp256k1Verifier());
        double replayMs = (System.nanoTime() - t) / 1e6;
        if (!replayed.stateRoot().equals(state.stateRoot())) throw new IllegalStateException("the replay reached another root");
        int leaves = state.leafCount();
        return new Row(state.seq(), leaves, image.length, writeMs, loadMs[loads / 2], history.length, replayMs);
    }

    /** The time ticks of the quiet node's row. */
    private static final int QUIET_TICKS = 300_000;

    static SequencerState build(Genesis genesis, int orders, int extraTicks) {
        Eip712 domain = genesis.domain();
        SequencerState state = new SequencerState(genesis, new NativeSecp256k1Verifier());
        long client = 1, seq = 0, p = 0;
        long ms = 1_700_000_000_000L;
        var oracle = DevAccounts.oracle();
        state.apply(new Command.L1Op(client, ++seq, new Transition.MarketConfig(p++, 0, 1, 100, 1_000, 100_000, 50_000, 200, 500, oracle.address())), ms);
        List<Address> traders = new ArrayList<>();
        for (int i = 0; i < TRADERS; i++) {
            byte[] a = new byte[20];
            a[0] = 0x11;
            a[19] = (byte) i;
            a[18] = (byte) (i >> 8);
            traders.add(new Address(a));
            state.apply(new Command.L1Op(client, ++seq, new Transition.Deposit(p++, 0, traders.get(i), 1_000_000_000_000L)), ms);
        }
        for (int i = 0; i < orders; i++) {
            long now = ms + i;
            if (i % 1_000 == 0) {
                long ts = now / 1000;
                state.apply(new Command.Oracle(client, ++seq, new Transition.OraclePrice(1, 10_000, 0, ts,
                        oracle.sign(domain.oraclePriceDigest(1, 10_000, 0, ts)))), now);
            }
            if (i % 10 == 0) state.apply(new Command.TimeTick(client, ++seq, now / 1000), now);
            Address t = traders.get(i % TRADERS);
            Side side = (i / TRADERS) % 2 == 0 ? Side.BUY : Side.SELL;
            Order o = new Order(t, 1, side, 10_000, 1_000, 0, TimeInForce.GTC, 0, 0, 1_000_000 + i, 100_000);
            var hash = domain.orderDigest(o);
            byte[] sig = new byte[Signature.LENGTH];
            System.arraycopy(hash.bytes(), 0, sig, 0, 32);
            sig[63] = 1;
            sig[64] = 27;
            state.apply(new Command.Place(client, ++seq, new VerifiedOrder(o, hash, new Signature(sig))), now);
        }
        long t = ms + orders;
        for (int i = 0; i < extraTicks; i++) state.apply(new Command.TimeTick(client, ++seq, t / 1000 + i), t + 1000L * i);
        return state;
    }
}
