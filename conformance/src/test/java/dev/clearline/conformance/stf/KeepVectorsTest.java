package dev.clearline.conformance.stf;

import dev.clearline.testkit.property.Property;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Regenerates the kept known-divergence vectors: scans seeds and keeps, minimised, the first case
 * of each reason {@link KnownDivergences} names. Runs only on request:
 * {@code ./mvnw -B -q -pl conformance verify -Dtest=KeepVectorsTest -Dclearline.keepVectors=true}.
 */
class KeepVectorsTest {
    @Test
    @EnabledIfSystemProperty(named = "clearline.keepVectors", matches = "true")
    void keepOneVectorPerKnownDivergence() {
        try (StepHarness evm = new StepHarness()) {
            Differential d = new Differential(evm::step);
            CaseGenerator g = new CaseGenerator(Differential.DOMAIN);
            Set<String> kept = new HashSet<>();
            for (long seed = 1; seed < 20_000 && kept.size() < 2; seed++) {
                Differential.Comparison c = d.run(g.generate(seed));
                if (c.agree()) continue;
                String reason = KnownDivergences.explain(c).orElse("unexplained " + c.describe());
                if (kept.add(reason.substring(0, 30))) {
                    System.out.println("kept " + DivergenceVectors.keep(d, c) + " : " + reason);
                }
            }
        }
    }
}
