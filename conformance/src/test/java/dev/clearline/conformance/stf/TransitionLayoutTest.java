package dev.clearline.conformance.stf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.engine.transition.TransitionCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The rollup sizes its scan of a batch by the shortest transition encoding (TransitionLayout.MIN_LENGTH):
 * a constant larger than the table's minimum refuses valid batches of short transitions as
 * TooManyTransitions, as the 25 it once assumed did after the 21-byte Trade and the 7-byte PruneOrder
 * came in. The constant must follow the table when a shorter type is added.
 */
class TransitionLayoutTest {
    @Test
    void theRollupsShortestLength_isTheCodecsShortest() throws Exception {
        String source = Files.readString(Path.of("../contracts/src/main/solidity/l1/TransitionLayout.sol"));
        Matcher m = Pattern.compile("uint256 internal constant MIN_LENGTH = (\\d+);").matcher(source);
        assertThat(m.find()).as("MIN_LENGTH in TransitionLayout.sol").isTrue();
        int shortest = IntStream.range(1, 256).map(TransitionCodec::lengthOf).filter(n -> n > 0).min().orElseThrow();
        assertThat(Integer.parseInt(m.group(1))).isEqualTo(shortest);
    }
}
