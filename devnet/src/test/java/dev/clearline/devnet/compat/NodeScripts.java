package dev.clearline.devnet.compat;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a Node.js program of the Hardhat project (src/test/hardhat) as a client of a node, the way its users run theirs. */
final class NodeScripts {
    private NodeScripts() {}

    /** Runs {@code command} in the project with {@code env} added; its output, or a test failure carrying it. */
    static String run(List<String> command, Map<String, String> env) throws IOException, InterruptedException {
        Path dir = HardhatNode.installedProject();
        Path log = Files.createTempFile("clearline-node-script", ".log");
        ProcessBuilder b = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        b.environment().putAll(env);
        b.environment().put("HARDHAT_DISABLE_TELEMETRY_PROMPT", "true");
        Process p = b.start();
        boolean done = p.waitFor(180, TimeUnit.SECONDS);
        if (!done) p.destroyForcibly();
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(done && p.exitValue() == 0).as("%s exited %s:%n%s", command, done ? p.exitValue() : "(timed out)", output).isTrue();
        return output;
    }
}
