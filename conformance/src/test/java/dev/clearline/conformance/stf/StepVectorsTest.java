package dev.clearline.conformance.stf;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clearline.conformance.DeployedOnce;
import dev.clearline.tree.Bytes32;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Replays every kept vector of test-vectors/stf-steps/ (minimised divergences found by the
 * differential run, and hand-picked edge cases) through the Java STF and the Solidity step: each
 * must agree ({@link KnownDivergences} is empty).
 */
@ExtendWith(DeployedOnce.class)
class StepVectorsTest {
    private final StepHarness evm;

    StepVectorsTest(StepHarness evm) {
        this.evm = evm;
    }

    static StepCase read(Path file) throws IOException {
        JsonNode n = new ObjectMapper().readTree(file.toFile());
        HexFormat hex = HexFormat.of();
        TreeMap<Bytes32, byte[]> leaves = new TreeMap<>();
        for (JsonNode leaf : n.get("preState")) {
            leaves.put(Bytes32.fromHex(leaf.get("key").asText()), hex.parseHex(leaf.get("value").asText().substring(2)));
        }
        return new StepCase(Long.parseUnsignedLong(n.get("seed").asText()), leaves,
                hex.parseHex(n.get("transition").asText().substring(2)), n.get("batchIndex").asLong());
    }

    @Test
    void everyKeptVectorAgrees() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.exists(DivergenceVectors.DIR) ? Files.list(DivergenceVectors.DIR) : Stream.empty()) {
            files = s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        assertThat(files).as("kept vectors under " + DivergenceVectors.DIR).isNotEmpty();
        Differential d = new Differential(evm::step);
        for (Path f : files) {
            Differential.Comparison c = d.run(read(f));
            assertThat(c.agree()).as(f.getFileName() + ": " + c.describe()).isTrue();
        }
    }
}
