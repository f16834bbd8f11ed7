package dev.clearline.prover.dispute;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The defender's cut points are the contract's ({@code lo + len * j / parts}, docs/protocol.md 7.4),
 * and a challenger that names the first part whose end root differs from its own narrows any lie
 * down to the first wrong step in ceil(log_k n) rounds.
 */
class BisectionPropertiesTest {
    @Test
    void cutsSplitTheSegmentIntoStrictlyIncreasingNonEmptyParts() {
        Property.forAll(Gens.ints(0, 1 << 20), Gens.ints(2, 1 << 20)).tries(2_000).check((lo, len) -> {
            for (int arity : new int[] {2, 3, 16, 256}) {
                int parts = Math.min(arity, len);
                assertThat(Defender.cut(lo, len, parts, 0)).isEqualTo(lo);
                assertThat(Defender.cut(lo, len, parts, parts)).isEqualTo(lo + len);
                for (int j = 1; j <= parts; j++) assertThat(Defender.cut(lo, len, parts, j)).isGreaterThan(Defender.cut(lo, len, parts, j - 1));
                assertThat(Defender.cutRoots(lo, lo + len, arity, BisectionPropertiesTest::root)).hasSize(parts - 1);
            }
        });
    }

    @Test
    void choosingTheFirstDisputedPartEndsAtTheFirstWrongStep() {
        Property.forAll(Gens.ints(1, 5_000), Gens.ints(0, 1_000_000)).tries(500).check((n, seed) -> {
            int firstWrong = seed % n; // the liar's roots are true up to firstWrong, false after it
            Claims lies = prefix -> prefix <= firstWrong ? root(prefix) : ByteBuffer.allocate(32).putInt(0, -1).putInt(4, prefix).array();
            for (int arity : new int[] {2, 16}) {
                int lo = 0, hi = n, rounds = 0;
                while (hi - lo > 1) {
                    List<byte[]> roots = Defender.cutRoots(lo, hi, arity, lies);
                    int parts = roots.size() + 1, len = hi - lo, s = 0;
                    while (s < parts - 1 && Arrays.equals(roots.get(s), root(Defender.cut(lo, len, parts, s + 1)))) s++;
                    int newLo = Defender.cut(lo, len, parts, s);
                    hi = Defender.cut(lo, len, parts, s + 1);
                    lo = newLo;
                    rounds++;
                }
                assertThat(lo).isEqualTo(firstWrong);
                assertThat(rounds).isLessThanOrEqualTo((int) Math.ceil(Math.log(n) / Math.log(arity)) + 1);
            }
        });
    }

    /** The honest root after {@code prefix} transitions (any injective stand-in). */
    static byte[] root(int prefix) {
        return ByteBuffer.allocate(32).putInt(28, prefix).array();
    }
}
