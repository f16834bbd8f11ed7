package dev.clearline.sequencer.metrics;

import dev.clearline.testkit.ops.OperatorQueries;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * The alert rules and the dashboard an operator is given ({@code ops/prometheus/clearline-alerts.yml},
 * {@code ops/grafana/clearline-venue.json}, read by {@link OperatorQueries}), for the tests that scrape what they watch:
 * each checks that every metric they name for its part (a member, its trader API, its L1 loop) is one that part
 * declares, so that a renamed metric cannot leave an alert that never fires or a panel that stays empty.
 */
public final class AlertRules {
    /** The rules file, from a module's directory (where surefire runs). */
    public static final Path FILE = OperatorQueries.ALERT_RULES;

    private AlertRules() {}

    /** The metrics the rules' expressions and the dashboard's queries name (not their annotations), those {@code which} keeps. */
    static Set<String> named(Predicate<String> which) {
        return OperatorQueries.metrics(which);
    }

    /**
     * The series names an exposition declares (its {@code # HELP} lines, and a histogram's {@code _bucket}, {@code _sum}
     * and {@code _count}), whether or not a sample of them was counted yet.
     */
    private static Set<String> declared(String exposition) {
        Set<String> names = new TreeSet<>();
        for (String line : exposition.split("\n")) {
            String[] parts = line.split(" ");
            if (line.startsWith("# HELP ")) names.add(parts[2]);
            if (line.startsWith("# TYPE ") && parts[3].equals("histogram")) for (String suffix : new String[] {"_bucket", "_sum", "_count"}) names.add(parts[2] + suffix);
        }
        return names;
    }

    /**
     * What a scraping test checks of the exposition {@code what} serves: it passes promtool's lint where promtool is
     * installed ({@link Promtool#lint}), and it declares every metric the rules name for it ({@code part}).
     */
    public static void assertFit(String what, String exposition, Predicate<String> part) throws java.io.IOException, InterruptedException {
        String lint = Promtool.lint(exposition);
        if (lint != null) org.assertj.core.api.Assertions.assertThat(lint).as("promtool check metrics on %s:%n%s", what, exposition).isEmpty();
        org.assertj.core.api.Assertions.assertThat(declared(exposition)).as("every metric of %s the operator's alert rules and dashboard name", what)
                .containsAll(named(part));
    }

    /** A member's own metrics: neither its trader API's, nor its L1 loop's, nor a watcher's. */
    public static boolean memberOwn(String name) {
        return !name.startsWith("clearline_api_") && !name.startsWith("clearline_l1_") && !name.startsWith("clearline_watch_");
    }
}
