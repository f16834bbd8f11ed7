package dev.clearline.prover.dispute;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Hardhat's node as a child process on a free 127.0.0.1 port, from devnet's Hardhat project
 * (devnet/src/test/hardhat: pinned package-lock.json, Shanghai rules, chain id 31337, the devnet's
 * mnemonic), installed with {@code npm ci} when node_modules is missing. A small copy of devnet's
 * test starter: devnet's test classes are not a dependency of this module.
 */
final class HardhatL1 implements AutoCloseable {
    private final Process process;
    private final int port;

    private HardhatL1(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    static Path projectDir() {
        Path here = Path.of("").toAbsolutePath();
        for (Path p = here; p != null; p = p.getParent()) {
            Path dir = p.resolve("devnet/src/test/hardhat");
            if (Files.isDirectory(dir)) return dir;
        }
        throw new IllegalStateException("devnet/src/test/hardhat not found above " + here + "; run from the repository");
    }

    static HardhatL1 start() {
        Path dir = projectDir();
        try {
            if (!Files.isDirectory(dir.resolve("node_modules/hardhat"))) {
                Path log = Files.createTempFile("clearline-npm-ci", ".log");
                Process npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund").directory(dir.toFile())
                        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
                if (npm.waitFor() != 0) {
                    throw new IllegalStateException("npm ci failed in " + dir + " (is the npm registry reachable?); see " + log);
                }
            }
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            Process p = new ProcessBuilder(dir.resolve("node_modules/.bin/hardhat").toString(), "node", "--hostname", "127.0.0.1",
                    "--port", Integer.toString(port)).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            HardhatL1 node = new HardhatL1(p, port);
            node.awaitReady(Duration.ofSeconds(120));
            return node;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start Hardhat's node (is Node.js 20+ on the PATH?)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void awaitReady(Duration limit) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest probe = HttpRequest.newBuilder(URI.create(url())).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_chainId\",\"params\":[]}")).build();
        for (long i = 0; i < limit.toMillis() / 100; i++) {
            if (!process.isAlive()) throw new IllegalStateException("Hardhat's node exited with " + process.exitValue());
            try {
                if (http.send(probe, HttpResponse.BodyHandlers.ofString()).body().contains("0x7a69")) return;
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        close();
        throw new IllegalStateException("Hardhat's node did not answer on " + url() + " within " + limit.toSeconds() + "s");
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) process.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
