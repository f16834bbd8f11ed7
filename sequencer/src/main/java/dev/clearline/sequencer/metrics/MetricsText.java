package dev.clearline.sequencer.metrics;

import java.util.Locale;

/**
 * Prometheus' text format (version 0.0.4), written one metric at a time: each sample after its {@code HELP} and
 * {@code TYPE} lines. A sequencer member's {@code GET /metrics} is made of these (its own figures and, on the leader, the
 * L1 side's), and so is a watcher's.
 */
public final class MetricsText {
    private final StringBuilder out = new StringBuilder(2048);

    /** A value that goes up and down. */
    public MetricsText gauge(String name, String help, long value) {
        head(name, "gauge", help);
        out.append(name).append(' ').append(value).append('\n');
        return this;
    }

    /** A count that only grows while the process runs. */
    public MetricsText counter(String name, String help, long value) {
        head(name, "counter", help);
        out.append(name).append(' ').append(value).append('\n');
        return this;
    }

    /**
     * One counter per value of a label ({@code name{label="key"} value}, keys in sorted order); nothing but the {@code HELP}
     * and {@code TYPE} lines while none was counted. Keep the keys a closed set: every key is a series a scraper keeps.
     */
    public MetricsText counters(String name, String help, String label, java.util.Map<String, Long> values) {
        head(name, "counter", help);
        new java.util.TreeMap<>(values).forEach((key, value) -> out.append(name).append('{').append(label).append("=\"").append(escaped(key))
                .append("\"} ").append(value).append('\n'));
        return this;
    }

    /** A gauge of value 1 whose labels carry the facts ({@code name="value"} pairs, in order; values escaped). */
    public MetricsText info(String name, String help, String... labelPairs) {
        head(name, "gauge", help);
        out.append(name).append('{');
        for (int i = 0; i + 1 < labelPairs.length; i += 2) {
            if (i > 0) out.append(',');
            out.append(labelPairs[i]).append("=\"").append(escaped(labelPairs[i + 1])).append('"');
        }
        out.append("} 1\n");
        return this;
    }

    /** A label value as the format writes it: backslash, double quote and line feed escaped. */
    private static String escaped(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    private void head(String name, String type, String help) {
        // the format's escapes in HELP text: a backslash and a line feed
        out.append("# HELP ").append(name).append(' ').append(help.replace("\\", "\\\\").replace("\n", "\\n")).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type.toLowerCase(Locale.ROOT)).append('\n');
    }

    @Override
    public String toString() {
        return out.toString();
    }
}
