package dev.clearline.sequencer.bench;

import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.sequencer.DevAccounts;
import dev.clearline.sequencer.Market;
import dev.clearline.sequencer.SequencerMain;
import dev.clearline.sequencer.api.Gateway;
import dev.clearline.sequencer.cluster.NodeConfig;
import dev.clearline.sequencer.cluster.SequencerNode;
import dev.clearline.sequencer.command.Command;
import dev.clearline.testkit.bench.MachineIdle;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code ./clearline bench sequencer reads [seconds] [rounds]}: account reads through the gateway as the trader API sends
 * them, answered by the member in the process without the log ({@code Gateway.readLocally}) against the same reads sent
 * through the log (as every read went before), alternating, one node, {@value #IN_FLIGHT} reads in flight. Reports reads
 * per second, the process's CPU per read and the log bytes each read added, with the machine's idle share; writes
 * bench-results/sequencer-reads.md.
 */
public final class ReadsBench {
    static final int IN_FLIGHT = 64;
    static final int TRADERS = 8;

    private ReadsBench() {}

    record Round(String mode, long reads, double seconds, double cpuSeconds, long logBytes, double idle) {
        double perSecond() {
            return reads / seconds;
        }
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 && !args[0].isBlank() ? Integer.parseInt(args[0].trim()) : 5;
        int rounds = args.length > 1 && !args[1].isBlank() ? Integer.parseInt(args[1].trim()) : 2;
        Path dir = Files.createTempDirectory("reads-bench");
        List<Round> results = new ArrayList<>();
        try (SequencerNode node = SequencerNode.start(NodeConfig.ephemeral(dir, Market.GENESIS), new NativeSecp256k1Verifier());
             Gateway gateway = new Gateway(node.config().aeronDir(), node.clientIngress(), Market.GENESIS.domain(), new NativeSecp256k1Verifier(), 2)) {
            SequencerMain.devSetup(gateway, Market.GENESIS.domain(), TRADERS);
            List<Address> traders = new ArrayList<>();
            for (int i = 0; i < TRADERS; i++) traders.add(DevAccounts.trader(i).address());
            // warm both paths up first: the JIT's work is in neither mode's figures
            for (boolean local : new boolean[]{false, true, false, true}) run(node, gateway, traders, local, 3);
            for (int r = 0; r < rounds; r++) {
                for (boolean local : new boolean[]{false, true}) {
                    Round round = run(node, gateway, traders, local, seconds);
                    results.add(round);
                    System.out.printf(Locale.ROOT, "%s: %,.0f reads/s, %.1f us CPU per read, %.1f log bytes per read, idle %.0f%%%n", round.mode(),
                            round.perSecond(), round.cpuSeconds() * 1e6 / round.reads(), (double) round.logBytes() / round.reads(), round.idle());
                }
            }
        }
        write(results, seconds, rounds);
    }

    static Round run(SequencerNode node, Gateway gateway, List<Address> traders, boolean local, int seconds) throws Exception {
        gateway.readLocally(local ? node::read : null);
        long logBefore = node.status().get(30, TimeUnit.SECONDS).logPosition();
        MachineIdle idle0 = MachineIdle.now();
        CpuUse cpu0 = CpuUse.now();
        long start = System.nanoTime(), end = start + TimeUnit.SECONDS.toNanos(seconds);
        AtomicLong done = new AtomicLong();
        List<CompletableFuture<Void>> lanes = new ArrayList<>();
        for (int lane = 0; lane < IN_FLIGHT; lane++) lanes.add(lane(gateway, traders.get(lane % traders.size()), end, done));
        CompletableFuture.allOf(lanes.toArray(CompletableFuture[]::new)).get(seconds + 60L, TimeUnit.SECONDS);
        double wall = (System.nanoTime() - start) / 1e9;
        double cpu = CpuUse.now().processSecondsSince(cpu0);
        double idle = MachineIdle.now().percentSince(idle0);
        long logBytes = node.status().get(30, TimeUnit.SECONDS).logPosition() - logBefore;
        return new Round(local ? "member's own state" : "through the log", done.get(), wall, cpu, logBytes, idle);
    }

    /** One read after another until {@code end}, each sent when the one before it is answered. */
    static CompletableFuture<Void> lane(Gateway gateway, Address trader, long end, AtomicLong done) {
        if (System.nanoTime() >= end) return CompletableFuture.completedFuture(null);
        return gateway.readReply(Command.QueryKind.ACCOUNT, 0, trader, null, 0).thenCompose(r -> {
            done.incrementAndGet();
            return lane(gateway, trader, end, done);
        });
    }

    static void write(List<Round> results, int seconds, int rounds) throws java.io.IOException {
        StringBuilder md = new StringBuilder("# sequencer: the trader API's reads, from the member's state or through the log\n\n");
        md.append("Machine: ").append(Runtime.getRuntime().availableProcessors()).append(" cores, ").append(System.getProperty("java.vm.name"))
                .append(' ').append(System.getProperty("java.vm.version")).append(", ").append(java.time.Instant.now())
                .append(". Command: `./clearline bench sequencer reads ").append(seconds).append(' ').append(rounds).append("`.\n\n")
                .append("One node (single member, embedded media driver and archive), its gateway in the same JVM; ").append(IN_FLIGHT)
                .append(" account reads (`GET /accounts/{address}`'s query, of ").append(TRADERS)
                .append(" funded traders) kept in flight through `Gateway.readReply`, HTTP left out. \"Through the log\": the query goes"
                        + " into the cluster's log, as every read did before; \"member's own state\": the member answers it between log"
                        + " messages (`LocalReads`). Modes alternate after a warm-up of both; ").append(seconds)
                .append(" s each. CPU is the whole process's (node, gateway, this generator); idle is the machine's.\n\n");
        md.append("| round | mode | reads/s | CPU per read | log bytes per read | machine idle |\n| ---: | --- | ---: | ---: | ---: | ---: |\n");
        for (int i = 0; i < results.size(); i++) {
            Round r = results.get(i);
            md.append(String.format(Locale.ROOT, "| %d | %s | %,.0f | %.1f us | %.1f | %.0f%% |%n", i / 2 + 1, r.mode(), r.perSecond(),
                    r.cpuSeconds() * 1e6 / r.reads(), (double) r.logBytes() / r.reads(), r.idle()));
        }
        double log = 0, own = 0;
        for (Round r : results) {
            if (r.mode().startsWith("through")) log = Math.max(log, r.perSecond());
            else own = Math.max(own, r.perSecond());
        }
        md.append(String.format(Locale.ROOT, "%nBest of each: %,.0f reads/s from the member's state against %,.0f through the log (%.2fx).%n", own, log,
                log == 0 ? 0 : own / log));
        Path out = Path.of("bench-results", "sequencer-reads.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, md.toString());
        System.out.println("wrote " + out);
    }
}
