package dev.clearline.sequencer.cluster;

import dev.clearline.testkit.bench.MachineIdle;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * {@code ./clearline bench sequencer archive-check [MB]}: what a member's start-up check of its
 * archive costs when the log has grown, the first start (every segment read, as every start did
 * before {@link VerifiedSegments}) against the next ones (only each recording's last segment, the
 * closed ones trusted unchanged). The archive is written by Aeron's archive as a member's is: the
 * real segment length (128 MiB), frames of 1 to 600 bytes (a log's commands are a few hundred),
 * every frame's checksum stored. Writes bench-results/sequencer-archive-check.md with the machine's
 * idle share beside each figure.
 */
public final class ArchiveCheckBench {
    private static final int SEGMENT = 128 * 1024 * 1024;
    private static final int ROUNDS = 3;

    private ArchiveCheckBench() {}

    public static void main(String[] args) throws Exception {
        long mb = args.length > 0 && !args[0].isBlank() ? Long.parseLong(args[0].trim()) : 2_000;
        Path member = Files.createTempDirectory("archive-check-bench");
        try {
            System.out.printf(Locale.ROOT, "recording %,d MB of log into %s%n", mb, member);
            long began = System.nanoTime();
            long end = RecordedStream.record(member, 1, mb << 20, SEGMENT, 600, 11)[0];
            long inLastSegment = end % SEGMENT; // the tool reads the last segment up to where its frames end
            System.out.printf(Locale.ROOT, "recorded in %.1f s%n", (System.nanoTime() - began) / 1e9);
            StringBuilder md = new StringBuilder("# sequencer: the start-up check of a member's archive\n\n");
            md.append("Machine: ").append(Runtime.getRuntime().availableProcessors()).append(" cores, ").append(System.getProperty("java.vm.name"))
                    .append(' ').append(System.getProperty("java.vm.version")).append(", ").append(java.time.Instant.now())
                    .append(". Command: `./clearline bench sequencer archive-check").append(args.length == 0 ? "" : " " + String.join(" ", args).trim())
                    .append("`.\n\n");
            md.append("One recording of ").append(String.format(Locale.ROOT, "%,d", mb)).append(" MB (128 MiB segments, frames of 1-600 bytes, each")
                    .append(" frame's CRC-32C stored), written just before, so read from the page cache. Before: every start had Aeron's archive tool")
                    .append(" read every segment (two reads per frame). Now, the first start (no ledger of verified segments yet): the tool reads the")
                    .append(" last segment, our mapped walk every closed one. Every later start: the last segment only, the closed ones trusted")
                    .append(" unchanged. ").append(ROUNDS).append(" rounds, the three in turn; the machine's idle share beside each.\n\n");
            md.append("| round | before: ms | idle | first start: ms | idle | later starts: ms | MB read | closed MB trusted | idle | before / later |\n");
            md.append("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
            for (int round = 1; round <= ROUNDS; round++) {
                Run before = toolOnEverySegment(member);
                Files.deleteIfExists(member.resolve(VerifiedSegments.FILE_NAME));
                Run first = run(member, inLastSegment);
                Run next = run(member, inLastSegment);
                md.append(String.format(Locale.ROOT, "| %d | %,.0f | %.0f%% | %,.0f | %.0f%% | %,.0f | %,d | %,d | %.0f%% | %.1fx |%n", round, before.ms,
                        before.idle, first.ms, first.idle, next.ms, next.mbRead, next.report.closedBytesTrusted() >> 20, next.idle, before.ms / next.ms));
                System.out.printf(Locale.ROOT, "round %d: before %,.0f ms (idle %.0f%%), first start %,.0f ms (idle %.0f%%), later starts %,.0f ms"
                        + " (%,d MB read, idle %.0f%%)%n", round, before.ms, before.idle, first.ms, first.idle, next.ms, next.mbRead, next.idle);
            }
            Path out = Path.of("bench-results", "sequencer-archive-check.md");
            Files.createDirectories(out.getParent());
            Files.writeString(out, md.toString());
            System.out.println("wrote " + out);
        } finally {
            try (var files = Files.walk(member)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private record Run(double ms, long mbRead, double idle, ArchiveCheck.Report report) {}

    /** What every start did before: Aeron's archive tool over every segment of every recording (reached as ArchiveCheck reaches it). */
    private static Run toolOnEverySegment(Path member) throws Exception {
        java.lang.reflect.Method verify = io.aeron.archive.ArchiveTool.class.getDeclaredMethod("verify", java.io.PrintStream.class, java.io.File.class,
                java.util.Set.class, io.aeron.archive.checksum.Checksum.class, org.agrona.concurrent.EpochClock.class,
                io.aeron.archive.ArchiveTool.ActionConfirmation.class);
        verify.setAccessible(true);
        MachineIdle before = MachineIdle.now();
        long t0 = System.nanoTime();
        boolean ok = (Boolean) verify.invoke(null, new java.io.PrintStream(java.io.OutputStream.nullOutputStream()), member.resolve("archive").toFile(),
                java.util.EnumSet.of(io.aeron.archive.ArchiveTool.VerifyOption.VERIFY_ALL_SEGMENT_FILES, io.aeron.archive.ArchiveTool.VerifyOption.APPLY_CHECKSUM),
                new FrameChecksum(), org.agrona.concurrent.SystemEpochClock.INSTANCE, (io.aeron.archive.ArchiveTool.ActionConfirmation<java.io.File>) f -> false);
        double ms = (System.nanoTime() - t0) / 1e6;
        if (!ok) throw new IllegalStateException("Aeron's tool found the bench's archive damaged");
        return new Run(ms, 0, MachineIdle.now().percentSince(before), null);
    }

    private static Run run(Path member, long inLastSegment) {
        MachineIdle before = MachineIdle.now();
        long t0 = System.nanoTime();
        ArchiveCheck.Report r = ArchiveCheck.verify(member, 0);
        double ms = (System.nanoTime() - t0) / 1e6;
        return new Run(ms, (r.closedBytesRead() + inLastSegment) >> 20, MachineIdle.now().percentSince(before), r);
    }
}
