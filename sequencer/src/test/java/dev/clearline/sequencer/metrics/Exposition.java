package dev.clearline.sequencer.metrics;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** Prometheus' text format read as a scraper reads it, for the tests of what our endpoints serve. */
public final class Exposition {
    /** A sample line: a name, optional labels, a value (an integer, or a decimal for a histogram's sum). */
    private static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*\\})? (-?\\d+(?:\\.\\d+)?)");

    private Exposition() {}

    /**
     * The integer samples by series (name with its labels as written): every line checked on the way, each sample after
     * the {@code HELP} and {@code TYPE} of its metric (a histogram's {@code _bucket}, {@code _sum} and {@code _count}
     * under the histogram's), each type one we write, each series given once. A decimal value (a histogram's sum in
     * seconds, an amount of ether) is checked and left out of the map: {@link #values} has it.
     */
    public static Map<String, Long> samples(String text) {
        Map<String, Long> samples = new HashMap<>();
        values(text).forEach((series, value) -> {
            if (!value.contains(".")) samples.put(series, Long.parseLong(value));
        });
        return samples;
    }

    /** Every sample's value as written, by series, read with the checks of {@link #samples}. */
    public static Map<String, String> values(String text) {
        Map<String, String> samples = new HashMap<>();
        Set<String> helped = new HashSet<>(), typed = new HashSet<>(), seen = new HashSet<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty()) continue;
            if (line.startsWith("# HELP ")) {
                helped.add(line.split(" ")[2]);
            } else if (line.startsWith("# TYPE ")) {
                String[] parts = line.split(" ");
                assertThat(parts[3]).as(line).isIn("gauge", "counter", "histogram");
                typed.add(parts[2]);
            } else {
                Matcher m = SAMPLE.matcher(line);
                assertThat(m.matches()).as("a sample line: %s", line).isTrue();
                String metric = m.group(1).replaceFirst("_(bucket|sum|count)$", "");
                if (!typed.contains(metric)) metric = m.group(1);
                assertThat(helped).as("HELP before %s", line).contains(metric);
                assertThat(typed).as("TYPE before %s", line).contains(metric);
                String series = m.group(1) + (m.group(2) == null ? "" : m.group(2));
                assertThat(seen.add(series)).as("%s given once", series).isTrue();
                samples.put(series, m.group(3));
            }
        }
        return samples;
    }
}
