package dev.clearline.devnet.compat;

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
 * Hardhat's node (EDR inside) as a child process on a free 127.0.0.1 port, installed from the
 * committed package-lock.json with {@code npm ci} when node_modules is missing.
 */
public final class HardhatNode implements AutoCloseable {
    private final Process process;
    private final int port;

    private HardhatNode(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /**
     * The directory with package.json, package-lock.json and hardhat.config.js: devnet's
     * src/test/hardhat, found from devnet, the repository root or any other module (conformance).
     */
    public static Path projectDir() {
        Path dir = Path.of("src/test/hardhat").toAbsolutePath();
        if (Files.isDirectory(dir)) return dir;
        Path here = Path.of("").toAbsolutePath();
        for (Path p = here; p != null; p = p.getParent()) {
            Path candidate = p.resolve("devnet/src/test/hardhat");
            if (Files.isDirectory(candidate)) return candidate;
        }
        throw new IllegalStateException("devnet/src/test/hardhat not found above " + here + "; run from the repository");
    }

    /** {@link #projectDir()} with its packages installed ({@code npm ci} from the lock file when one is missing). */
    public static Path installedProject() {
        Path dir = projectDir();
        if (Files.isDirectory(dir.resolve("node_modules/hardhat"))
                && Files.isDirectory(dir.resolve("node_modules/@nomicfoundation/hardhat-network-helpers"))
                && Files.isDirectory(dir.resolve("node_modules/ethers"))) {
            return dir;
        }
        try {
            Path log = Files.createTempFile("clearline-npm-ci", ".log");
            Process npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund").directory(dir.toFile())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (npm.waitFor() != 0) {
                throw new IllegalStateException("npm ci failed in " + dir + " (is the npm registry reachable?); see " + log);
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run npm ci in " + dir + " (is Node.js 20+ with npm on the PATH?)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static HardhatNode start() {
        Path dir = installedProject();
        try {
            // the port is free when picked but another test (other worktrees run the same suites) may take it before
            // Hardhat binds it; Hardhat then exits at once, and a second pick almost surely differs
            for (int attempt = 1; ; attempt++) {
                int port;
                try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                    port = s.getLocalPort();
                }
                Process p = new ProcessBuilder(dir.resolve("node_modules/.bin/hardhat").toString(), "node", "--hostname", "127.0.0.1",
                        "--port", Integer.toString(port)).directory(dir.toFile()).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                HardhatNode node = new HardhatNode(p, port);
                try {
                    node.awaitReady(Duration.ofSeconds(90));
                    return node;
                } catch (IllegalStateException exited) {
                    boolean exitedAtStart = String.valueOf(exited.getMessage()).startsWith("Hardhat's node exited");
                    if (!exitedAtStart || attempt == 3) throw exited;
                }
            }
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
        long attempts = limit.toMillis() / 100;
        for (long i = 0; i < attempts; i++) {
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

    public String url() {
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
