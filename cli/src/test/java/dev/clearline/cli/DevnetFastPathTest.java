package dev.clearline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** {@code clearline devnet ...} is parsed by a root command holding only {@code devnet}: users see no difference. */
class DevnetFastPathTest {
    private record Ran(int code, String out, String err) {}

    private static Ran run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true), stop -> stop.run());
        return new Ran(code, out.toString(), err.toString());
    }

    @Test
    void devnetHelpReadsAsFromTheFullCommandLine() {
        Ran fast = run("devnet", "--help");
        Ran full = run("help", "devnet");
        assertThat(fast.code()).isZero();
        assertThat(fast.out()).contains("Usage: clearline devnet").contains("--port").contains("--accounts").contains("--verbose");
        assertThat(fast.out()).isEqualTo(full.out());
    }

    @Test
    void aBadDevnetOptionIsRefusedAsBefore() {
        Ran fast = run("devnet", "--port", "not-a-port");
        Ran full = run("-v", "devnet", "--port", "not-a-port"); // not the fast path: the root option comes first
        assertThat(fast.code()).isEqualTo(2);
        assertThat(fast.err()).contains("--port");
        assertThat(full.code()).isEqualTo(2);
        assertThat(full.err()).contains("--port");
    }
}
