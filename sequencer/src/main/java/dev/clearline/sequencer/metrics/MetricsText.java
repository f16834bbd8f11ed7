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

    /** A value that goes up and down and is not a whole number (an amount of ether). */
    public MetricsText gauge(String name, String help, double value) {
        head(name, "gauge", help);
        out.append(name).append(' ').append(number(value)).append('\n');
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
        java.util.Map<java.util.List<String>, Long> keyed = new java.util.HashMap<>();
        values.forEach((key, value) -> keyed.put(java.util.List.of(key), value));
        return counters(name, help, java.util.List.of(label), keyed);
    }

    /**
     * One counter per combination of label values ({@code name{a="x",b="y"} value}): each key lists the values of
     * {@code labels} in their order; series sorted by their values, first label first. As with one label, keep every
     * label's values a closed set.
     */
    public MetricsText counters(String name, String help, java.util.List<String> labels, java.util.Map<java.util.List<String>, Long> values) {
        head(name, "counter", help);
        java.util.List<java.util.List<String>> keys = new java.util.ArrayList<>(values.keySet());
        keys.sort(MetricsText::byValues);
        for (java.util.List<String> key : keys) {
            if (key.size() != labels.size()) throw new IllegalArgumentException(name + ": " + key + " does not give one value per label " + labels);
            out.append(name).append('{');
            for (int i = 0; i < labels.size(); i++) {
                if (i > 0) out.append(',');
                out.append(labels.get(i)).append("=\"").append(escaped(key.get(i))).append('"');
            }
            out.append("} ").append(values.get(key)).append('\n');
        }
        return this;
    }

    private static int byValues(java.util.List<String> a, java.util.List<String> b) {
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            int c = a.get(i).compareTo(b.get(i));
            if (c != 0) return c;
        }
        return Integer.compare(a.size(), b.size());
    }

    /**
     * A histogram: for each upper bound in {@code bounds} (ascending) the observations at most that large
     * ({@code cumulative[i]}), then all of them ({@code cumulative[bounds.length]}, the {@code +Inf} bucket and the
     * count), and their {@code sum}.
     */
    public MetricsText histogram(String name, String help, double[] bounds, long[] cumulative, double sum) {
        if (cumulative.length != bounds.length + 1) throw new IllegalArgumentException(name + ": one count per bound and one for +Inf");
        head(name, "histogram", help);
        for (int i = 0; i < bounds.length; i++) {
            out.append(name).append("_bucket{le=\"").append(number(bounds[i])).append("\"} ").append(cumulative[i]).append('\n');
        }
        long count = cumulative[bounds.length];
        out.append(name).append("_bucket{le=\"+Inf\"} ").append(count).append('\n');
        out.append(name).append("_sum ").append(number(sum)).append('\n');
        out.append(name).append("_count ").append(count).append('\n');
        return this;
    }

    /** A float as the format reads it, in plain digits (0.0001, 2.5, 12), not in Java's exponent form. */
    private static String number(double v) {
        if (Double.isNaN(v)) return "NaN";
        if (Double.isInfinite(v)) return v > 0 ? "+Inf" : "-Inf";
        return java.math.BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
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
