package dev.clearline.sequencer;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code ./clearline sequencer --help} explains every option the node takes, and the README names no other. */
class SequencerOptionsTest {
    @Test
    void helpExplainsEveryOptionOnceAndFlagsAreApartFromOptionsWithValues() {
        String help = SequencerOptions.help();
        List<String> names = SequencerOptions.ALL.stream().map(SequencerOptions.Option::name).toList();
        assertThat(names).doesNotHaveDuplicates();
        for (SequencerOptions.Option o : SequencerOptions.ALL) {
            assertThat(help).contains("--" + o.name() + (o.value().isEmpty() ? "" : " " + o.value()), o.meaning());
            assertThat(o.meaning()).as(o.name()).isNotBlank();
        }
        assertThat(SequencerOptions.flags()).containsExactlyInAnyOrder("drop-latest-snapshot", "stop");
        assertThat(SequencerOptions.withValue()).hasSize(names.size() - 2).doesNotContain("drop-latest-snapshot", "stop");
    }

    @Test
    void theReadmesSynopsisNamesOnlyOptionsTheNodeTakes() throws Exception {
        Path readme = Path.of("..", "README.md");
        String text = Files.readString(readme);
        int start = text.indexOf("./clearline sequencer [");
        assertThat(start).as("the README's sequencer synopsis").isPositive();
        String synopsis = text.substring(start, text.indexOf("\n./clearline ", start + 1));
        List<String> named = new ArrayList<>();
        Matcher m = Pattern.compile("--([a-z][a-z0-9-]*)").matcher(synopsis);
        while (m.find()) named.add(m.group(1));
        List<String> known = new ArrayList<>(SequencerOptions.ALL.stream().map(SequencerOptions.Option::name).toList());
        known.add("help");
        assertThat(named).isNotEmpty().allSatisfy(n -> assertThat(known).as("--%s in the README's synopsis", n).contains(n));
    }
}
