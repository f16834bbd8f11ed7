package dev.clearline.sequencer.metrics;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The operator's Prometheus files ({@code ops/prometheus}) through Prometheus' own tool: the configuration and the rules
 * load, and every alert fires on the series of the trouble it names, at the time it should, and a healthy venue fires
 * none ({@code clearline-alerts-test.yml}, promtool's unit tests). promtool comes with Debian's {@code prometheus}
 * package, which CI installs; without it the test is skipped with a message. That the rules name metrics the parts
 * serve is checked by the tests that scrape them ({@link AlertRules}).
 */
class AlertRulesTest {
    private static final Path DIR = AlertRules.FILE.getParent();

    @Test
    void promtoolLoadsTheConfigAndTheRulesAndTheirUnitTestsPass() throws Exception {
        Path promtool = promtool();
        Assumptions.assumeTrue(promtool != null, "promtool not found (Debian: apt-get install prometheus); the alert rules' unit tests are skipped");
        assertThat(run(promtool, "check", "config", "prometheus.yml")).contains("SUCCESS: 1 rule files found", "23 rules found");
        String tests = run(promtool, "test", "rules", "clearline-alerts-test.yml");
        assertThat(tests).contains("SUCCESS").doesNotContain("FAILED");
    }

    @Test
    void theReaderFindsEachPartsMetricsInTheExpressions() {
        assertThat(AlertRules.named(name -> true)).as("the rules watch what members and watchers serve")
                .contains("clearline_service_stopped", "clearline_l1_oldest_priority_op_age_seconds", "clearline_api_in_flight", "clearline_watch_fraud_total");
    }

    private static String run(Path promtool, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(promtool.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(DIR.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("promtool %s:%n%s", String.join(" ", args), out).isZero();
        return out;
    }

    private static Path promtool() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path p = Path.of(dir, "promtool");
            if (Files.isExecutable(p)) return p;
        }
        return null;
    }
}
