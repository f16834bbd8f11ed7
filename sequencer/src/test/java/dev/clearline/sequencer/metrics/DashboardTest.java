package dev.clearline.sequencer.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clearline.testkit.ops.OperatorQueries;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The operator's Grafana dashboard ({@code ops/grafana/clearline-venue.json}): every query is PromQL Prometheus
 * takes (promtool checks them as recording rules), the panels fit Grafana's 24-column grid without covering each
 * other, each says what it shows, and each alert a panel names is one of the rules. That the queries name metrics the
 * parts serve is checked by the tests that scrape them ({@link AlertRules#assertFit}).
 */
class DashboardTest {
    private static final Pattern ALERT = Pattern.compile("\\bClearline[A-Z][A-Za-z0-9]+");

    @TempDir
    Path dir;

    private static JsonNode dashboard() throws Exception {
        return new ObjectMapper().readTree(OperatorQueries.DASHBOARD.toFile());
    }

    @Test
    void everyQueryIsPromqlPrometheusTakes() throws Exception {
        List<String> queries = OperatorQueries.dashboardQueries();
        int targets = 0;
        for (JsonNode p : dashboard().path("panels")) targets += p.path("targets").size();
        assertThat(queries).as("one query read per target").hasSize(targets).hasSizeGreaterThan(30);
        Promtool promtool = Promtool.find();
        Assumptions.assumeTrue(promtool != null, "promtool not found (Debian: apt-get install prometheus); the dashboard's queries are not checked");
        StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
        for (int i = 0; i < queries.size(); i++) {
            rules.append("      - record: clearline:dashboard:q").append(i).append('\n')
                    .append("        expr: '").append(queries.get(i).replace("'", "''")).append("'\n");
        }
        Files.writeString(dir.resolve("dashboard-queries.yml"), rules);
        Promtool.Result r = promtool.run(dir, null, "check", "rules", "dashboard-queries.yml");
        assertThat(r.exitCode()).as("promtool check rules on the dashboard's queries:%n%s%n%s", r.output(), rules).isZero();
        assertThat(r.output()).contains("SUCCESS: " + queries.size() + " rules found");
    }

    @Test
    void thePanelsFitTheGridEachSaysWhatItShowsAndNamesOnlyAlertsThatExist() throws Exception {
        JsonNode d = dashboard();
        assertThat(d.path("uid").asText()).isEqualTo("clearline-venue");
        Set<Integer> ids = new HashSet<>();
        List<int[]> cells = new ArrayList<>();
        String rules = Files.readString(OperatorQueries.ALERT_RULES);
        for (JsonNode p : d.path("panels")) {
            String title = p.path("title").asText();
            assertThat(ids.add(p.path("id").asInt())).as("panel id of %s unique", title).isTrue();
            JsonNode g = p.path("gridPos");
            int x = g.path("x").asInt(), y = g.path("y").asInt(), w = g.path("w").asInt(), h = g.path("h").asInt();
            assertThat(w).as("%s's width", title).isPositive();
            assertThat(h).as("%s's height", title).isPositive();
            assertThat(x + w).as("%s within the 24 columns", title).isLessThanOrEqualTo(24);
            for (int[] c : cells) {
                boolean overlap = x < c[0] + c[2] && c[0] < x + w && y < c[1] + c[3] && c[1] < y + h;
                assertThat(overlap).as("%s covers another panel", title).isFalse();
            }
            cells.add(new int[] {x, y, w, h});
            if (p.path("type").asText().equals("row")) continue;
            assertThat(title).as("panel %s has a title", p.path("id")).isNotBlank();
            assertThat(p.path("description").asText()).as("%s says what it shows", title).isNotBlank();
            assertThat(p.path("targets").size()).as("%s queries something", title).isPositive();
            assertThat(p.path("datasource").path("uid").asText()).as("%s reads the chosen Prometheus", title).isEqualTo("${datasource}");
            Matcher m = ALERT.matcher(p.path("description").asText());
            while (m.find()) assertThat(rules).as("%s names alert %s", title, m.group()).contains("alert: " + m.group() + "\n");
        }
        assertThat(d.path("templating").path("list")).extracting(v -> v.path("name").asText()).containsExactly("datasource", "cluster");
    }
}
