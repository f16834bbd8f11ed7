package dev.clearline.sequencer.metrics;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

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
        Promtool promtool = Promtool.find();
        Assumptions.assumeTrue(promtool != null, "promtool not found (Debian: apt-get install prometheus); the alert rules' unit tests are skipped");
        Promtool.Result config = promtool.run(DIR, null, "check", "config", "prometheus.yml");
        assertThat(config.exitCode()).as(config.output()).isZero();
        assertThat(config.output()).contains("SUCCESS: 1 rule files found", "29 rules found");
        Promtool.Result tests = promtool.run(DIR, null, "test", "rules", "clearline-alerts-test.yml");
        assertThat(tests.exitCode()).as(tests.output()).isZero();
        assertThat(tests.output()).contains("SUCCESS").doesNotContain("FAILED");
    }

    @Test
    void theReaderFindsEachPartsMetricsInTheExpressions() {
        assertThat(AlertRules.named(name -> true)).as("the rules watch what members and watchers serve")
                .contains("clearline_service_stopped", "clearline_l1_oldest_priority_op_age_seconds", "clearline_api_in_flight", "clearline_watch_fraud_total");
    }
}
