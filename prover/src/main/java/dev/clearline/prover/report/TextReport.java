package dev.clearline.prover.report;

import dev.clearline.prover.trace.StepTrace;
import java.util.List;
import java.util.Map;

/** The dispute report as plain text, for a terminal or a ticket. */
public final class TextReport {
    private TextReport() {}

    public static String render(DisputeRecord r) {
        StringBuilder b = new StringBuilder();
        StepTrace t = r.oneStep();
        b.append("Clearline dispute report: batch ").append(r.batchIndex())
                .append(r.source().equals("L1") ? ", game " + r.gameId() + " at " + r.disputeGame().orElse("?") : ", rehearsal (played locally, nothing sent)")
                .append(", chain ").append(r.chainId()).append('\n');
        b.append("Verdict: ").append(r.verdict()).append('\n');
        b.append("Proposer: ").append(r.proposer()).append("   Challenger: ").append(r.challenger()).append('\n');
        b.append("Batch: ").append(r.transitionCount()).append(" transitions, pre-root ").append(r.claimedPreRoot())
                .append(", claimed post-root ").append(r.claimedPostRoot()).append("\n\n");

        b.append("Rounds\n");
        for (DisputeRecord.Round round : r.rounds()) {
            b.append(String.format("  %2d  %-10s %-9s [%d, %d)", round.number(), round.side(), round.move(), round.lo(), round.hi()));
            if (round.segment() >= 0) b.append(" part ").append(round.segment());
            if (!round.roots().isEmpty()) b.append(" roots ").append(String.join(" ", round.roots()));
            round.transaction().ifPresent(tx -> b.append(" tx ").append(tx).append(" gas ").append(round.gasText()));
            b.append('\n');
        }

        b.append("\nDisputed transition: step ").append(r.disputedStep()).append(" of batch ").append(r.batchIndex()).append('\n');
        for (Map.Entry<String, String> f : ReportModel.fields(t.stepCase().transition())) {
            b.append(String.format("  %-24s %s%n", f.getKey(), f.getValue()));
        }
        b.append("  pre-state root           ").append(t.stepCase().preRoot()).append('\n');

        b.append("\nVerdicts\n");
        b.append(String.format("  %-24s %-68s %s%n", "", "Java STF", "Solidity StepVerifier (EVM)"));
        for (ReportModel.VerdictRow row : ReportModel.verdicts(r)) {
            b.append(String.format("  %-24s %-68s %s%s%n", row.what(), row.java(), row.solidity(), row.same() ? "" : "   <- differ"));
        }

        List<LeafView.Decoded> leaves = ReportModel.decodedLeaves(r);
        b.append("\nLeaves (").append(leaves.size()).append(" witnessed; before = pre-state, after = Java STF; * = changed)\n");
        for (LeafView.Decoded l : leaves) {
            b.append("  ").append(l.kind()).append(l.label().isEmpty() ? "" : " " + l.label()).append(l.written() ? "  written" : "  read")
                    .append("  key ").append(l.key()).append('\n');
            if (l.absentBefore() && l.absentAfter()) b.append("    absent\n");
            else if (l.absentBefore()) b.append("    absent before, created\n");
            else if (l.absentAfter()) b.append("    deleted\n");
            for (LeafView.Field f : l.fields()) {
                b.append(String.format("    %s %-20s %s", f.changed() ? "*" : " ", f.name(), f.before() == null ? "-" : f.before()));
                if (f.changed()) b.append("  ->  ").append(f.after() == null ? "-" : f.after());
                b.append('\n');
            }
        }

        b.append("\nGas\n");
        b.append("  one-step call (StepVerifier.step): ").append(t.run().gasUsed()).append('\n');
        if (r.source().equals("L1")) {
            b.append("  L1 transactions: proposer ").append(r.gasOf("proposer")).append(", challenger ").append(r.gasOf("challenger")).append('\n');
        }

        b.append("\nCall frames (").append(t.run().steps().structLogs().size()).append(" opcode steps in all)\n");
        var json = t.toNode();
        for (var f : json.path("frames")) {
            b.append("  ").append("  ".repeat(f.path("depth").asInt() - 1)).append('#').append(f.path("id").asInt()).append(' ')
                    .append(f.path("type").asText()).append(' ').append(f.path("contract").asText(f.path("to").asText()))
                    .append(" gasUsed ").append(f.path("gasUsed").asLong()).append(", ").append(f.path("stepCount").asInt()).append(" steps")
                    .append(f.has("error") ? " error: " + f.path("error").asText() : "").append('\n');
        }
        return b.toString();
    }
}
