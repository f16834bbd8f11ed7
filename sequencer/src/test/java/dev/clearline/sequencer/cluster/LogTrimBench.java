package dev.clearline.sequencer.cluster;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.sequencer.Market;
import dev.clearline.sequencer.command.Command;
import dev.clearline.testkit.bench.MachineIdle;
import io.aeron.cluster.RecordingLog;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * {@code ./clearline bench sequencer log-trim [commands]}: what a member keeps on disk as its log
 * grows, with the log trimmed behind its snapshots ({@link LogTrim}, {@code --keep-log-hours 0})
 * against kept whole ({@code forever}), and with the snapshots' command history cut to a window
 * ({@code --keep-history-hours 0}) or whole, the same commands in the same run. A single member with a
 * snapshot a second and 1 MiB segment files (the real ones are 128 MiB: the same trimming, a
 * smaller unit, so that a short run shows it), fed a market's random order flow in steps. Writes
 * bench-results/sequencer-log-trim.md with the machine's idle share beside each run.
 */
public final class LogTrimBench {
    private static final int STEPS = 6;

    private LogTrimBench() {}

    private record Step(int commands, long logPosition, long logBytes, long archiveBytes) {}

    private record Run(String name, List<Step> steps, double seconds, double idle) {}

    /** What one run keeps: {@code --keep-log-hours} and {@code --keep-history-hours}. */
    private record Keep(String log, String history) {
        String name() {
            return "log " + log + ", history " + history;
        }
    }

    public static void main(String[] args) throws Exception {
        int total = args.length > 0 && !args[0].isBlank() ? Integer.parseInt(args[0].trim()) : 30_000;
        Market market = new Market(2);
        long client = 51;
        List<Command> commands = new ArrayList<>(market.opening(client));
        commands.addAll(market.flow(client, commands.size() + 1, total, new Random(51)));
        List<Run> runs = new ArrayList<>();
        List<Keep> arms = List.of(new Keep("forever", "forever"), new Keep("0", "forever"), new Keep("0", "0"));
        for (int i = 0; i < 2 * arms.size(); i++) { // each arm twice, in turn
            Keep keep = arms.get(i % arms.size());
            runs.add(run(keep, commands));
            Run r = runs.getLast();
            System.out.printf(Locale.ROOT, "keep %s: log on disk %.1f MB of %.1f MB written, archive %.1f MB, %.1f s, idle %.0f%%%n", keep.name(),
                    r.steps.getLast().logBytes / 1e6, r.steps.getLast().logPosition / 1e6, r.steps.getLast().archiveBytes / 1e6, r.seconds, r.idle);
        }
        StringBuilder md = new StringBuilder("# sequencer: the recorded log on disk, trimmed behind the snapshots or kept whole\n\n");
        md.append("Machine: ").append(Runtime.getRuntime().availableProcessors()).append(" cores, ").append(System.getProperty("java.vm.name"))
                .append(' ').append(System.getProperty("java.vm.version")).append(", ").append(java.time.Instant.now())
                .append(". Command: `./clearline bench sequencer log-trim").append(args.length == 0 ? "" : " " + String.join(" ", args).trim())
                .append("`.\n\n");
        md.append("A single member, a snapshot a second, 1 MiB segment files (a member's are 128 MiB: the same trimming in a smaller unit),")
                .append(" 256 KiB log terms; ").append(String.format(Locale.ROOT, "%,d", commands.size())).append(" commands of a random order flow")
                .append(" sent in ").append(STEPS).append(" steps, each waited on and followed by two snapshots. `--keep-log-hours forever` keeps")
                .append(" the whole log; `0` deletes whole segment files before the older of the two snapshots kept. `--keep-history-hours")
                .append(" forever`: each snapshot carries the whole command history (the HISTORY audit query's); `0`: only the commands of")
                .append(" its own log millisecond. Runs in turn, the")
                .append(" machine's idle share beside each. After each step: the log written (its position), the log's files on disk, and the")
                .append(" whole archive (log and the two snapshots kept), as file lengths (a segment file has its full length from the start).\n\n");
        md.append("| keep | after step | commands | log written | log on disk | archive on disk |\n| --- | ---: | ---: | ---: | ---: | ---: |\n");
        for (Run r : runs) {
            for (int i = 0; i < r.steps.size(); i++) {
                Step s = r.steps.get(i);
                md.append(String.format(Locale.ROOT, "| %s | %d | %,d | %.1f MB | %.1f MB | %.1f MB |%n", r.name, i + 1, s.commands, s.logPosition / 1e6,
                        s.logBytes / 1e6, s.archiveBytes / 1e6));
            }
        }
        md.append("\n| keep | wall time | machine idle |\n| --- | ---: | ---: |\n");
        for (Run r : runs) md.append(String.format(Locale.ROOT, "| %s | %.1f s | %.0f%% |%n", r.name, r.seconds, r.idle));
        Path out = Path.of("bench-results", "sequencer-log-trim.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, md.toString());
        System.out.println("wrote " + out);
    }

    private static Run run(Keep keep, List<Command> commands) throws Exception {
        Path dir = Files.createTempDirectory("log-trim-bench");
        LogStorage storage = new LogStorage(256 << 10, 1 << 20, LogStorage.parseHours(keep.log()), LogStorage.parseHistoryHours(keep.history()));
        NodeConfig config = NodeConfig.ephemeral(dir, Market.GENESIS).withSnapshotInterval(Duration.ofSeconds(1)).withLogStorage(storage);
        List<Step> steps = new ArrayList<>();
        MachineIdle idle = MachineIdle.now();
        long began = System.nanoTime();
        try (SequencerNode node = SequencerNode.start(config, new NativeSecp256k1Verifier())) {
            config = node.config();
            ConcurrentLinkedQueue<ObjectNode> in = new ConcurrentLinkedQueue<>();
            try (ClusterClient client = ClusterClient.connect(config.aeronDir(), config.ingress(), in::add, 20_000)) {
                int sent = 0;
                for (int step = 1; step <= STEPS; step++) {
                    int to = commands.size() * step / STEPS;
                    for (; sent < to; sent++) {
                        client.send(commands.get(sent));
                        if (sent % 500 == 499) {
                            int upTo = sent + 1;
                            SequencerClusterTest.awaitPolling(client, () -> in.size() >= upTo - 1_000);
                        }
                    }
                    int all = sent;
                    SequencerClusterTest.awaitPolling(client, () -> in.size() >= all);
                    long taken = node.snapshotCount();
                    SequencerClusterTest.awaitPolling(client, () -> node.snapshotCount() >= taken + 2);
                    Thread.sleep(300); // the retention and the trim follow the snapshot on the timer's thread
                    steps.add(new Step(all, logPosition(dir), logBytes(dir), bytes(dir.resolve("archive"))));
                }
            }
        } finally {
            double seconds = (System.nanoTime() - began) / 1e9;
            double idleShare = 100 * idle.share();
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
            if (steps.size() == STEPS) return new Run(keep.name(), steps, seconds, idleShare);
        }
        throw new IllegalStateException("the run stopped early");
    }

    /** The log's position: the newest snapshot's, a little behind its end. */
    private static long logPosition(Path dir) {
        try (RecordingLog rl = new RecordingLog(dir.resolve("cluster").toFile(), false)) {
            long p = 0;
            for (RecordingLog.Entry e : rl.entries()) if (e.type == RecordingLog.ENTRY_TYPE_SNAPSHOT) p = Math.max(p, e.logPosition);
            return p;
        }
    }

    /** Bytes of the log's segment files on disk. */
    private static long logBytes(Path dir) throws Exception {
        long recording;
        try (RecordingLog rl = new RecordingLog(dir.resolve("cluster").toFile(), false)) {
            recording = LogTrim.logRecording(rl.entries());
        }
        File[] files = dir.resolve("archive").toFile().listFiles((d, n) -> n.startsWith(recording + "-") && n.endsWith(".rec"));
        long sum = 0;
        if (files != null) for (File f : files) sum += onDisk(f.toPath());
        return sum;
    }

    private static long bytes(Path dir) throws Exception {
        try (var files = Files.walk(dir)) {
            long sum = 0;
            for (Path p : files.filter(Files::isRegularFile).toList()) sum += onDisk(p);
            return sum;
        }
    }

    /** A file's length (a segment file is as long as a segment from its creation: what the disk may have to hold). */
    private static long onDisk(Path p) throws Exception {
        return Files.size(p);
    }
}
