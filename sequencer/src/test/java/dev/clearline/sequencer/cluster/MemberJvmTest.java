package dev.clearline.sequencer.cluster;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MemberJvmTest {
    @Test
    void commentsAndBlankLinesAreLeftOutAndFlagsKeepTheirOrder() {
        assertEquals(List.of("-Xmx1g", "-XX:+UseSerialGC", "-Xss1m", "-XX:TieredStopAtLevel=1"),
                MemberJvm.parse("# why\n\n-Xmx1g   # heap\n  -XX:+UseSerialGC -Xss1m\n#-XX:+Nope\n-XX:TieredStopAtLevel=1\n"));
    }

    @Test
    void theShippedFileHasFlagsAndNoStrayWords() {
        List<String> flags = MemberJvm.flags();
        assertFalse(flags.isEmpty());
        assertTrue(flags.stream().allMatch(f -> f.startsWith("-")), flags::toString);
    }
}
