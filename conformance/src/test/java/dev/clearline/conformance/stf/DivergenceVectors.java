package dev.clearline.conformance.stf;

import dev.clearline.contracts.mutation.MutantArtifacts;
import dev.clearline.tree.Bytes32;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes a diverging case, minimised, as a JSON vector under {@code test-vectors/stf-steps/}: the
 * pre-state leaves, the transition and the batch index. {@link StepVectorsTest} replays every
 * kept vector through both sides.
 */
public final class DivergenceVectors {
    static final Path DIR = findRepoRoot().resolve("test-vectors").resolve("stf-steps");

    private DivergenceVectors() {}

    /** Minimises {@code c}'s pre-state (drops leaves while the divergence stays) and writes it; returns the path. */
    public static String keep(Differential d, Differential.Comparison failing) {
        // a Solidity mutant is meant to diverge: the campaign only needs the failure, and the repository keeps no vector of it
        if (System.getProperty(MutantArtifacts.PROPERTY) != null) return "(not kept: a Solidity mutation run)";
        StepCase c = failing.c();
        TreeMap<Bytes32, byte[]> leaves = new TreeMap<>(c.preState());
        for (Bytes32 k : new ArrayList<>(leaves.keySet())) {
            if (leaves.size() <= 1) break;
            byte[] v = leaves.remove(k);
            if (d.run(c.withPreState(leaves)).agree()) leaves.put(k, v);
        }
        StepCase minimal = c.withPreState(leaves);
        try {
            Files.createDirectories(DIR);
            Path file = DIR.resolve("divergence-" + Long.toUnsignedString(c.seed()) + ".json");
            Differential.Comparison again = d.run(minimal);
            String note = KnownDivergences.explain(again).map(r -> "known divergence: " + r).orElse("diverged");
            Files.writeString(file, toJson(minimal, note + "; " + again.describe()));
            return file.toString();
        } catch (IOException e) {
            return "(not written: " + e.getMessage() + ")";
        }
    }

    static String toJson(StepCase c, String note) {
        HexFormat hex = HexFormat.of();
        StringBuilder b = new StringBuilder("{\n");
        b.append("  \"note\": \"").append(note.replace("\"", "'")).append("\",\n");
        b.append("  \"seed\": \"").append(Long.toUnsignedString(c.seed())).append("\",\n");
        b.append("  \"batchIndex\": ").append(c.batchIndex()).append(",\n");
        b.append("  \"transition\": \"0x").append(hex.formatHex(c.transition())).append("\",\n");
        b.append("  \"preState\": [");
        List<String> rows = new ArrayList<>();
        for (Map.Entry<Bytes32, byte[]> e : c.preState().entrySet()) {
            rows.add("\n    {\"key\": \"" + e.getKey().toHex() + "\", \"value\": \"0x" + hex.formatHex(e.getValue()) + "\"}");
        }
        b.append(String.join(",", rows)).append("\n  ]\n}\n");
        return b.toString();
    }

    private static Path findRepoRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isDirectory(p.resolve("test-vectors"))) p = p.getParent();
        return p == null ? Path.of("").toAbsolutePath() : p;
    }
}
