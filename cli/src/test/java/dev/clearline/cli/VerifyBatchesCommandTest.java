package dev.clearline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/** {@code verify-batches} refuses what it cannot use with one clear line, as every command does. */
class VerifyBatchesCommandTest {

    private static CliTest.Run run(String... args) {
        return CliTest.run(stop -> { }, args);
    }

    @Test
    void aRollupThatIsNotAnAddressSaysWhatToGive() {
        CliTest.Run r = run("verify-batches", "--rollup", "nothex");
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(r.err()).contains("--rollup nothex is not an address", "40 hex digits").doesNotContain("Exception");
    }

    @Test
    void anUnreachableNodeIsNamedWithTheWayOut() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // closed again: nothing listens there
        }
        CliTest.Run r = run("verify-batches", "--rpc-url", "http://127.0.0.1:" + port,
                "--rollup", "0x5FbDB2315678afecb367f032d93F642f64180aa3");
        assertThat(r.code()).as(r.err()).isEqualTo(1);
        assertThat(r.err()).contains("cannot read L1", "check --rpc-url").doesNotContain("Exception", "\tat ");
    }

    @Test
    void withoutARollupOrAManifestItSaysToGiveOne() {
        CliTest.Run r = run("verify-batches", "--manifest", "no-such-manifest.json");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("the manifest no-such-manifest.json does not exist").doesNotContain("\tat ");
    }
}
