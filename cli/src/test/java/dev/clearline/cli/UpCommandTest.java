package dev.clearline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.contracts.generated.Rollup;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.http.HttpService;
import org.web3j.tx.ReadonlyTransactionManager;
import org.web3j.tx.gas.DefaultGasProvider;

/**
 * `up` in-process, as a person runs it: the devnet, the contracts, the sequencer, the poster, the
 * oracle, the demo traders and the watcher. Seen from outside (the printed RPC URL and API), the
 * demo's trades reach L1 as batches, the watcher judges them honest, and one finalizes.
 */
class UpCommandTest {
    @TempDir
    Path tmp;

    @Test
    void theWholeStackTradesPostsAndFinalizesABatchThatTheWatcherFindsHonest() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch stop = new CountDownLatch(1);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Lifecycle lifecycle = onStop -> {
            started.countDown();
            stop.await();
            onStop.run();
        };
        String[] args = {"up", "--port", "0", "--api-port", "0", "--dir", tmp.resolve("stack").toString(), "--manifest",
                tmp.resolve("deployment.json").toString(), "--time-speed", "60", "--status-every", "1"};
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() ->
                Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true), lifecycle));
        try {
            assertThat(started.await(180, TimeUnit.SECONDS)).as("up started; out: %s err: %s", out, err).isTrue();
            String text = out.toString();
            assertThat(text).contains("Clearline local stack is up", "Trader API:", "Your key:", "./clearline deposit");
            String rpc = find(text, "L1 RPC:\\s+(\\S+)");
            String rollupAddress = find(text, "Rollup:\\s+(0x[0-9a-fA-F]{40})");
            String api = find(text, "Trader API:\\s+(\\S+)");

            HttpResponse<String> state = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(api + "/state")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(state.statusCode()).isEqualTo(200);
            assertThat(state.body()).contains("\"markets\":[1,2]");

            Web3j web3j = Web3j.build(new HttpService(rpc));
            Rollup rollup = Rollup.load(rollupAddress, web3j, new ReadonlyTransactionManager(web3j, rollupAddress), new DefaultGasProvider());
            await(() -> call(() -> rollup.finalizedCount().send().longValueExact() >= 1), 150, () -> "no batch finalized; out: " + out + " err: " + err);
            assertThat(rollup.tip().send().component2().longValueExact()).as("the queue (2 markets, 4 deposits) consumed").isEqualTo(6);
            await(() -> out.toString().matches("(?s).*verified honest [1-9].*"), 30, () -> "watcher verdicts; out: " + out);
            assertThat(out.toString()).doesNotContain("FRAUD");
            assertThat(out.toString()).matches("(?s).*demo orders [1-9].*");
        } finally {
            stop.countDown();
            if (started.getCount() == 0) assertThat(exit.get(60, TimeUnit.SECONDS)).isZero();
        }
    }

    private static String find(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertThat(m.find()).as("%s in %s", regex, text).isTrue();
        return m.group(1);
    }

    interface Check {
        boolean get() throws Exception;
    }

    private static boolean call(Check c) {
        try {
            return c.get();
        } catch (Exception e) {
            return false;
        }
    }

    private static void await(BooleanSupplier done, int seconds, java.util.function.Supplier<String> why) throws InterruptedException {
        long deadline = System.currentTimeMillis() + seconds * 1_000L;
        while (!done.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) throw new AssertionError(why.get());
            Thread.sleep(250);
        }
    }
}
