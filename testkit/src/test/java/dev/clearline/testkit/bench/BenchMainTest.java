package dev.clearline.testkit.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class BenchMainTest {
    /** Stands for a benchmark: refuses "bad", fails on "boom", takes a number with "--n". */
    public static final class Toy {
        static String[] seen;

        public static void main(String[] args) {
            seen = args;
            if (args.length > 0 && args[0].equals("bad")) throw new IllegalArgumentException("unknown benchmark 'bad'; use a or b");
            if (args.length > 0 && args[0].equals("boom")) throw new IllegalStateException("the benchmark itself broke");
            if (args.length > 0 && args[0].equals("--n")) Integer.parseInt(args[1]);
            if (args.length > 0 && args[0].equals("deep")) measure(new int[0]);
        }

        /** A bug in what the benchmark measures, not in reading its arguments. */
        private static void measure(int[] counts) {
            counts[0]++;
        }
    }

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    private String said() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aBenchmarkThatEnds_exits0_withItsArgumentsHandedOn() throws Throwable {
        assertEquals(0, BenchMain.run(new String[] {Toy.class.getName(), "a", "--n", "3"}, err));
        assertEquals(3, Toy.seen.length);
        assertEquals("", said());
    }

    @Test
    void refusedArguments_readAsASentence_andExit2() throws Throwable {
        assertEquals(2, BenchMain.run(new String[] {Toy.class.getName(), "bad"}, err));
        assertEquals("clearline bench: unknown benchmark 'bad'; use a or b; nothing was measured", said().strip());
    }

    @Test
    void aNumberThatIsNotOne_isNamed() throws Throwable {
        assertEquals(2, BenchMain.run(new String[] {Toy.class.getName(), "--n", "ten"}, err));
        assertTrue(said().contains("expected a number, got \"ten\""), said());
        assertTrue(!said().contains("For input string"), said());
    }

    @Test
    void anOptionWithNoValue_isNamed() throws Throwable {
        assertEquals(2, BenchMain.run(new String[] {Toy.class.getName(), "--n"}, err));
        assertEquals("clearline bench: the last option (--n) needs a value; nothing was measured", said().strip());
    }

    @Test
    void anIndexErrorOutsideTheArgumentLoop_isAFailure() {
        assertThrows(ArrayIndexOutOfBoundsException.class, () -> BenchMain.run(new String[] {Toy.class.getName(), "deep"}, err));
    }

    @Test
    void aFailureOfTheBenchmark_keepsItsException() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> BenchMain.run(new String[] {Toy.class.getName(), "boom"}, err));
        assertEquals("the benchmark itself broke", e.getMessage());
        assertEquals("", said());
    }
}
