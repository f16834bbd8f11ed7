package dev.clearline.testkit.ops;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The PromQL an operator is given in {@code ops/}: the expressions of the alert rules
 * ({@code ops/prometheus/clearline-alerts.yml}) and the queries of the Grafana dashboard
 * ({@code ops/grafana/clearline-venue.json}). The tests that scrape a part (a member, its trader API,
 * its L1 loop, a watcher) check that every metric named here for that part is one it serves, so a
 * renamed metric cannot leave an alert that never fires or a panel that stays empty.
 */
public final class OperatorQueries {
    /** The rules file, from a module's directory (where surefire runs). */
    public static final Path ALERT_RULES = Path.of("..", "ops", "prometheus", "clearline-alerts.yml");
    /** The dashboard, from a module's directory. */
    public static final Path DASHBOARD = Path.of("..", "ops", "grafana", "clearline-venue.json");

    private static final Pattern METRIC = Pattern.compile("\\bclearline_[a-z0-9_]+");
    /** A JSON string member named expr: the dashboard's queries (the file is Grafana's JSON, written one member a line). */
    private static final Pattern QUERY = Pattern.compile("\"expr\":\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");

    private OperatorQueries() {}

    /** The alert rules' expressions, one per rule (each is written on its {@code expr:} line). */
    public static List<String> alertExpressions() {
        List<String> out = new ArrayList<>();
        for (String line : lines(ALERT_RULES)) {
            String s = line.strip();
            if (s.startsWith("expr:")) out.add(s.substring("expr:".length()).strip());
        }
        return out;
    }

    /**
     * The dashboard's queries as Prometheus would run them: JSON escapes undone, and Grafana's variables given a value
     * ({@code $cluster} a venue's name, {@code $__rate_interval} one minute).
     */
    public static List<String> dashboardQueries() {
        List<String> out = new ArrayList<>();
        Matcher m = QUERY.matcher(String.join("\n", lines(DASHBOARD)));
        while (m.find()) {
            String q = m.group(1).replace("\\\"", "\"").replace("\\\\", "\\");
            out.add(q.replace("$__rate_interval", "1m").replace("$cluster", "venue-1"));
        }
        return out;
    }

    /** The metrics the alert rules' expressions and the dashboard's queries name, those {@code which} keeps. */
    public static Set<String> metrics(Predicate<String> which) {
        Set<String> names = new TreeSet<>();
        List<String> all = new ArrayList<>(alertExpressions());
        all.addAll(dashboardQueries());
        for (String q : all) {
            Matcher m = METRIC.matcher(q);
            while (m.find()) if (which.test(m.group())) names.add(m.group());
        }
        return names;
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file.toAbsolutePath().normalize() + " (run from a module's directory)", e);
        }
    }
}
