package dev.clearline.devnet.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A node started as its own fresh process, the way a user starts it, timed from the spawn to
 * the first answered {@code eth_blockNumber}: wall time, and the process's CPU time until then
 * (which does not depend on how busy the shared machine is).
 */
final class NodeProcess implements AutoCloseable {
    private static final byte[] BLOCK_NUMBER = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_blockNumber\",\"params\":[]}"
            .getBytes(StandardCharsets.UTF_8);

    final String url;
    final double startupMs;
    final double startupCpuMs;
    private final Process process;

    private NodeProcess(Process process, String url, double startupMs, double startupCpuMs) {
        this.process = process;
        this.url = url;
        this.startupMs = startupMs;
        this.startupCpuMs = startupCpuMs;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Runs {@code command} (with {@code {port}} replaced) in {@code dir} and waits for its first answer. */
    static NodeProcess start(Path dir, List<String> command, Duration timeout) throws Exception {
        int port = freePort();
        List<String> cmd = new ArrayList<>();
        for (String c : command) cmd.add(c.replace("{port}", Integer.toString(port)));
        String url = "http://127.0.0.1:" + port;
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        BlockingRpcClient client = new BlockingRpcClient(url);
        long deadline = t0 + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) throw new IllegalStateException(String.join(" ", cmd) + " exited with " + p.exitValue() + " before answering");
            try {
                byte[] answer = client.post(BLOCK_NUMBER);
                if (new String(answer, StandardCharsets.UTF_8).contains("\"result\"")) {
                    double wall = (System.nanoTime() - t0) / 1e6;
                    double cpu = p.toHandle().info().totalCpuDuration().map(d -> d.toNanos() / 1e6).orElse(Double.NaN);
                    return new NodeProcess(p, url, wall, cpu);
                }
            } catch (IOException notYet) {
                Thread.sleep(10);
            }
        }
        p.destroyForcibly();
        throw new IllegalStateException(String.join(" ", cmd) + " did not answer eth_blockNumber within " + timeout);
    }

    /** The process's CPU time so far, in ms: what the node itself spent, however busy the machine is. */
    double cpuMs() {
        return process.toHandle().info().totalCpuDuration().map(d -> d.toNanos() / 1e6).orElse(Double.NaN);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
    }
}
