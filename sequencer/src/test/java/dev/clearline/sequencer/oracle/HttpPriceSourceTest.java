package dev.clearline.sequencer.oracle;

import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.sequencer.Market;
import dev.clearline.sequencer.command.Command;
import dev.clearline.sequencer.l1.GatewayLink;
import dev.clearline.sequencer.l1.SequencerLink;
import dev.clearline.sequencer.state.SequencerState;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The real price source against a real HTTP server (Jetty, on 127.0.0.1 and an ephemeral port):
 * good, stale, malformed, failing and unreachable endpoints, outliers, polling, the median, the
 * config file's refusals, and a price that goes through the feed, signed, into the state.
 */
class HttpPriceSourceTest {
    /** Path to (status, body) the server answers now; tests change it between rounds. */
    final Map<String, String[]> answers = new ConcurrentHashMap<>();
    final AtomicInteger hits = new AtomicInteger();
    /** Requests a redirect brought to /landing with the key header on. */
    final AtomicInteger keysLanded = new AtomicInteger();
    Server server;
    int port;
    final HttpGet http = HttpGet.jdk();

    @BeforeEach
    void start() throws Exception {
        QueuedThreadPool threads = new QueuedThreadPool(4, 1);
        threads.setName("price-endpoint");
        server = new Server(threads);
        ServerConnector connector = new ServerConnector(server, 1, 1);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                hits.incrementAndGet();
                String path = Request.getPathInContext(request);
                String query = request.getHttpURI().getQuery();
                // /keyed answers only with the key, in a header or in the query, as exchanges' APIs do
                boolean keyed = path.equals("/keyed") && !("s3cret".equals(request.getHeaders().get("X-API-KEY"))
                        || query != null && query.contains("apikey=s3cret"));
                if (path.equals("/moved")) {
                    response.setStatus(302);
                    response.getHeaders().put(HttpHeader.LOCATION, "/landing");
                    Content.Sink.write(response, true, "", callback);
                    return true;
                }
                if (path.equals("/landing") && request.getHeaders().get("X-API-KEY") != null) keysLanded.incrementAndGet();
                String[] a = keyed ? new String[] {"401", "{\"error\":\"key required\"}"}
                        : answers.getOrDefault(path, new String[] {"404", "{\"error\":\"no such ticker\"}"});
                response.setStatus(Integer.parseInt(a[0]));
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
                Content.Sink.write(response, true, a[1], callback);
                return true;
            }
        });
        server.start();
        port = connector.getLocalPort();
    }

    @AfterEach
    void stop() throws Exception {
        server.stop();
    }

    String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    void answer(String path, String body) {
        answers.put(path, new String[] {"200", body});
    }

    static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Per-request timeout of sources that must answer: the local server is quick, a loaded 2-core machine may not be. */
    static final Duration ANSWER = Duration.ofSeconds(20);

    MedianPriceSource three(String extra) {
        return PriceSourceConfig.parse("""
                {"pollSeconds": 1, "maxAgeSeconds": 30, "maxDeviationPpm": 20000, "timeoutMillis": 20000, %s
                 "markets": {"1": {"fundingRatePpmPerHour": 50, "sources": [
                   {"url": "%s", "price": "/data/price", "time": "/data/ts", "timeUnit": "ms", "scale": "1000"},
                   {"url": "%s", "price": "/last", "scale": 1000},
                   {"url": "%s", "price": "/0/p", "time": "/0/t", "scale": "1000"}]}}}
                """.formatted(extra, url("/a"), url("/b"), url("/c")), http);
    }

    @Test
    void theMedianOfThreeGoodEndpointsScaledToUnitsPerLot() throws Exception {
        long now = 1_700_000_000L;
        answer("/a", "{\"data\": {\"price\": \"10.0015\", \"ts\": " + now * 1000 + "}}");
        answer("/b", "{\"last\": 10.02}");
        answer("/c", "[{\"p\": 9.99, \"t\": " + (now - 5) + "}]");
        PriceSource.Quote q = three("").quote(1, now);
        assertThat(q.price()).as("median of 10,002 (10.0015 x 1000 rounded half-even), 10,020 and 9,990").isEqualTo(10_002);
        assertThat(q.fundingRatePpmPerHour()).isEqualTo(50);
    }

    @Test
    void staleMalformedFailingAndUnreachableEndpointsAreLeftOutAndTooFewMeansNoPrice() throws Exception {
        long now = 1_700_000_000L;
        answer("/a", "{\"data\": {\"price\": 10.0, \"ts\": " + (now - 120) * 1000 + "}}"); // two minutes old
        answer("/b", "{\"last\": 10.1}");
        answer("/c", "[{\"p\": 10.2, \"t\": " + now + "}]");
        MedianPriceSource s = three("");
        assertThat(s.quote(1, now).price()).as("the stale one is left out: median of 10,100 and 10,200").isEqualTo(10_150);

        answer("/b", "<html>busy</html>");
        assertThat(s.quote(1, now + 1).price()).as("a bad answer leaves the last good value in use while it is fresh").isEqualTo(10_150);
        answer("/c", "[{\"p\": 10.2, \"t\": " + (now + 31) + "}]");
        assertThatThrownBy(() -> s.quote(1, now + 31)).as("/b's last good value is now 31 s old")
                .hasMessageContaining("only 1 of 3 price sources usable, 2 needed");

        answer("/a", "{\"data\": {\"price\": \"ten\", \"ts\": " + now * 1000 + "}}");
        var a = source(url("/a"), "/data/price", null);
        assertThatThrownBy(() -> a.read(now)).hasMessageContaining("malformed").hasMessageContaining("/data/price is not a number");
        answer("/a", "{\"data\": {}}");
        assertThatThrownBy(() -> source(url("/a"), "/data/price", null).read(now)).hasMessageContaining("no price at /data/price");
        answer("/a", "{\"data\": {\"price\": -3}}");
        assertThatThrownBy(() -> source(url("/a"), "/data/price", null).read(now)).hasMessageContaining("not positive");
        answers.put("/a", new String[] {"503", "{}"});
        assertThatThrownBy(() -> source(url("/a"), "/data/price", null).read(now)).hasMessageContaining("HTTP 503");
        var gone = new HttpJsonPriceSource(new HttpJsonPriceSource.Spec(java.net.URI.create("http://127.0.0.1:" + closedPort() + "/x"),
                com.fasterxml.jackson.core.JsonPointer.compile("/p"), java.math.BigDecimal.ONE, null, HttpJsonPriceSource.TimeUnit.SECONDS),
                http, 1, 30, Duration.ofSeconds(2));
        assertThatThrownBy(() -> gone.read(now)).hasMessageContaining("unreachable");
    }

    @Test
    void anOutlierIsLeftOutAndTheRestDecide() throws Exception {
        long now = 1_700_000_000L;
        answer("/a", "{\"data\": {\"price\": 10.0, \"ts\": " + now * 1000 + "}}");
        answer("/b", "{\"last\": 11.5}"); // 15 % off
        answer("/c", "[{\"p\": 10.01, \"t\": " + now + "}]");
        assertThat(three("").quote(1, now).price()).as("11,500 is 2 %% further than allowed from the median 10,010").isEqualTo(10_005);
    }

    /**
     * A market's own {@code maxDeviationPpm} rules over the top-level one, and a value exactly at the limit is kept: the
     * prices are powers of two so that the deviation is exact in binary (16,384 from a median of 2^20 is 15,625 ppm).
     */
    @Test
    void aMarketsOwnDeviationLimitRulesAndAValueExactlyAtItIsKept() throws Exception {
        long now = 1_700_000_000L;
        answer("/a", "{\"p\": 1048576}");
        answer("/b", "{\"p\": 1048576}");
        answer("/c", "{\"p\": 1064960}");
        java.util.function.LongFunction<MedianPriceSource> limit = ppm -> PriceSourceConfig.parse("""
                {"maxDeviationPpm": 1000, "timeoutMillis": 20000,
                 "markets": {"1": {"maxDeviationPpm": %d, "minSources": 3, "sources": [
                   {"url": "%s", "price": "/p"}, {"url": "%s", "price": "/p"}, {"url": "%s", "price": "/p"}]}}}
                """.formatted(ppm, url("/a"), url("/b"), url("/c")), http);
        assertThat(limit.apply(15_625).quote(1, now).price()).as("1,064,960 is exactly 15,625 ppm from the median: kept, all three count")
                .isEqualTo(1_048_576);
        assertThat(limit.apply(100_000).quote(1, now).price()).as("the market's limit, not the top level's 1,000 ppm").isEqualTo(1_048_576);
        assertThatThrownBy(() -> limit.apply(15_624).quote(1, now)).as("one ppm under it: left out, two of three are too few")
                .hasMessageContaining("only 2 of 3 price sources usable, 3 needed");
    }

    @Test
    void anEndpointIsPolledAtItsIntervalAndALastGoodValueServesUntilItIsTooOld() throws Exception {
        long now = 1_700_000_000L;
        answer("/b", "{\"last\": 10}");
        HttpJsonPriceSource b = new HttpJsonPriceSource(new HttpJsonPriceSource.Spec(java.net.URI.create(url("/b")),
                com.fasterxml.jackson.core.JsonPointer.compile("/last"), java.math.BigDecimal.valueOf(1000), null, HttpJsonPriceSource.TimeUnit.SECONDS),
                http, 5, 12, ANSWER);
        assertThat(b.read(now).price()).isEqualTo(10_000);
        int before = hits.get();
        for (int i = 1; i < 5; i++) assertThat(b.read(now + i).price()).isEqualTo(10_000);
        assertThat(hits.get()).as("no fetch within the poll interval").isEqualTo(before);
        answers.remove("/b"); // the endpoint starts failing (404)
        assertThat(b.read(now + 5).price()).as("the last good value is 5 s old: still usable").isEqualTo(10_000);
        assertThat(hits.get()).isEqualTo(before + 1);
        assertThatThrownBy(() -> b.read(now + 13)).hasMessageContaining("stale").hasMessageContaining("HTTP 404");
    }

    @Test
    void theEdgesOfWhatIsAcceptedAreAccepted() throws Exception {
        long now = 1_700_000_000L;
        // a value exactly maxAgeSeconds old is still fresh; one second more is stale
        answer("/b", "{\"last\": 10, \"t\": " + (now - 12) + "}");
        HttpJsonPriceSource b = new HttpJsonPriceSource(new HttpJsonPriceSource.Spec(java.net.URI.create(url("/b")),
                com.fasterxml.jackson.core.JsonPointer.compile("/last"), java.math.BigDecimal.ONE, com.fasterxml.jackson.core.JsonPointer.compile("/t"),
                HttpJsonPriceSource.TimeUnit.SECONDS), http, 1, 12, ANSWER);
        assertThat(b.read(now).price()).isEqualTo(10);
        answer("/b", "{\"last\": 10, \"t\": " + (now - 13) + "}");
        assertThatThrownBy(() -> b.read(now + 1)).hasMessageContaining("stale");
        // a time exactly maxAgeSeconds ahead is taken (clocks differ); further ahead is refused
        answer("/b", "{\"last\": 11, \"t\": " + (now + 2 + 12) + "}");
        assertThat(b.read(now + 2).price()).isEqualTo(11);
        answer("/b", "{\"last\": 12, \"t\": " + (now + 3 + 13) + "}");
        HttpJsonPriceSource fresh = new HttpJsonPriceSource(b.spec(), http, 1, 12, ANSWER); // no last good value to fall back on
        assertThatThrownBy(() -> fresh.read(now + 3)).hasMessageContaining("in the future");
        // the largest price that fits 63 bits is taken, one more is refused; one that rounds to 0 units is not positive
        var big = source(url("/a"), "/p", null);
        answer("/a", "{\"p\": " + Long.MAX_VALUE + "}");
        assertThat(big.read(now).price()).isEqualTo(Long.MAX_VALUE);
        answer("/a", "{\"p\": 9223372036854775808}");
        assertThatThrownBy(() -> source(url("/a"), "/p", null).read(now)).hasMessageContaining("does not fit 64 bits");
        answer("/a", "{\"p\": 0.4}");
        assertThatThrownBy(() -> source(url("/a"), "/p", null).read(now)).hasMessageContaining("not positive");
        answer("/a", "{\"p\": 0.6}");
        assertThat(source(url("/a"), "/p", null).read(now).price()).isEqualTo(1);
        assertThatThrownBy(() -> new PriceSource.Quote(0, 0)).hasMessageContaining("must be positive");
        assertThat(new PriceSource.Quote(1, 0).price()).isEqualTo(1);

        // the file: maxAgeSeconds equal to pollSeconds, market 0 and a tiny positive scale are all fine
        String src = "{\"url\": \"http://127.0.0.1:1/x\", \"price\": \"/p\", \"scale\": \"0.000001\"}";
        assertThat(PriceSourceConfig.parse("{\"pollSeconds\": 30, \"maxAgeSeconds\": 30, \"markets\": {\"0\": {\"sources\": [" + src + "]}}}", http)
                .markets()).containsExactly(0);
        assertThatThrownBy(() -> PriceSourceConfig.parse("{\"markets\": {\"1\": {\"sources\": [" + src + "], \"fundingRate\": 5}}}", http))
                .hasMessageContaining("market 1: unknown field \"fundingRate\"");
        assertThatThrownBy(() -> PriceSourceConfig.parse("{\"markets\": {\"1\": {\"sources\": [{\"url\": \"http://x/y\", \"price\": \"/p\", \"unit\": \"s\"}]}}}",
                http)).hasMessageContaining("market 1 source 1: unknown field \"unit\"");
        assertThatThrownBy(() -> PriceSourceConfig.parse("{\"markets\": {\"1\": {\"sources\": [{\"url\": \"http://x/y\", \"price\": \"/p\", \"scale\": 0}]}}}",
                http)).hasMessageContaining("scale must be positive");
        assertThatThrownBy(() -> PriceSourceConfig.parse("{\"markets\": {\"-1\": {\"sources\": [" + src + "]}}}", http))
                .hasMessageContaining("market id \"-1\"");
        // market ids are L1's uint32: the largest is taken (as the int with the same bits), one more is not
        assertThat(PriceSourceConfig.parse("{\"markets\": {\"4294967295\": {\"sources\": [" + src + "]}}}", http).markets())
                .containsExactly((int) 0xffffffffL);
        assertThatThrownBy(() -> PriceSourceConfig.parse("{\"markets\": {\"4294967296\": {\"sources\": [" + src + "]}}}", http))
                .hasMessageContaining("market id \"4294967296\" is not a whole number from 0 to 4294967295");
    }

    @Test
    void theFeedSignsTheMedianWithTheOracleKeyAndTheStateTakesIt() throws Exception {
        Market m = new Market(1);
        SequencerState state = new SequencerState(Market.GENESIS, new NativeSecp256k1Verifier());
        for (Command c : m.opening(7)) state.apply(c, Market.START * 1000);
        SequencerLink link = GatewayLink.direct(state, () -> Market.START * 1000);
        long now = Market.START + 60;
        answer("/a", "{\"data\": {\"price\": 10.5, \"ts\": " + now * 1000 + "}}");
        answer("/b", "{\"last\": 10.6}");
        answer("/c", "[{\"p\": 10.4, \"t\": " + now + "}]");
        OracleFeed feed = new OracleFeed(m.domain, m.oracle, three(""), link);
        assertThat(feed.publish(now)).isEqualTo(1);
        assertThat(link.markets().getFirst().markPrice()).isEqualTo(10_500);
        assertThat(link.markets().getFirst().lastOracleTs()).isEqualTo(now);
    }

    private HttpJsonPriceSource source(String url, String pointer, String time) {
        return new HttpJsonPriceSource(new HttpJsonPriceSource.Spec(java.net.URI.create(url), com.fasterxml.jackson.core.JsonPointer.compile(pointer),
                java.math.BigDecimal.ONE, time == null ? null : com.fasterxml.jackson.core.JsonPointer.compile(time), HttpJsonPriceSource.TimeUnit.SECONDS),
                http, 1, 30, ANSWER);
    }

    @Test
    void aBadPriceSourceFileStopsTheNodeBeforeItStartsWithOneLineSayingWhatToFix(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path file = dir.resolve("prices.json");
        java.nio.file.Files.writeString(file, "{\"markets\": {\"1\": {\"sources\": [{\"url\": \"http://127.0.0.1:1/t\", \"price\": \"data.price\"}]}}}");
        String key = "11".repeat(32);
        assertThat(runNode(dir, "--price-source", file.toString(), "--oracle-key", key))
                .isEqualTo("2 sequencer: --price-source " + file + ": market 1 source 1: \"price\" is \"data.price\", not a JSON pointer;"
                        + " write it like \"/data/price\" or \"/0/price\"");
        assertThat(runNode(dir, "--price-source", file.toString())).startsWith("2 sequencer: --price-source needs the oracle key");
        assertThat(runNode(dir, "--price-source", dir.resolve("none.json").toString(), "--oracle-key", key)).contains("there is no file");
        assertThat(dir.resolve("node")).as("nothing started").doesNotExist();
    }

    /** Runs the node's main in a child JVM; its exit code and what it printed. */
    private static String runNode(java.nio.file.Path dir, String... args) throws Exception {
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of(
                java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                "dev.clearline.sequencer.SequencerMain", "--dir", dir.resolve("node").toString(), "--port", "0"));
        cmd.addAll(java.util.List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the node did not stop: " + out);
        }
        return p.exitValue() + " " + out;
    }

    @Test
    void aKeyComesFromTheEnvironmentInAHeaderOrTheQueryAndNoLogLineShowsIt() throws Exception {
        long now = 1_700_000_000L;
        answer("/keyed", "{\"p\": 12.6}");
        Map<String, String> env = Map.of("PRICE_KEY", "s3cret");
        String header = "{\"url\": \"" + url("/keyed") + "\", \"price\": \"/p\", \"headers\": {\"X-API-KEY\": \"${PRICE_KEY}\"}}";
        String query = "{\"url\": \"" + url("/keyed") + "?apikey=${PRICE_KEY}&symbol=ETH\", \"price\": \"/p\"}";
        String written = "{\"url\": \"" + url("/keyed") + "?api_key=s3cret&symbol=ETH\", \"price\": \"/p\"}";
        for (String src : new String[] {header, query}) {
            MedianPriceSource s = oneSource(src, env);
            assertThat(s.quote(1, now).price()).as(src).isEqualTo(13);
        }
        // without the key the endpoint refuses, and the refusal names the source as the file wrote it
        HttpJsonPriceSource bare = source(url("/keyed"), "/p", null);
        assertThatThrownBy(() -> bare.read(now)).hasMessageContaining("HTTP 401");
        java.util.List<String> shown = new java.util.ArrayList<>();
        for (String src : new String[] {header, query, written}) {
            MedianPriceSource s = oneSource(src, env);
            shown.add(s.sources(1).get(0).spec().toString());
        }
        assertThat(shown).containsExactly(url("/keyed"), url("/keyed") + "?apikey=${PRICE_KEY}&symbol=ETH", url("/keyed") + "?api_key=***&symbol=ETH");
        assertThat(String.join(" ", shown)).doesNotContain("s3cret");

        // a redirect: followed without headers; with them not (the client would carry the key to wherever it points)
        answer("/landing", "{\"p\": 7}");
        String movedPlain = "{\"url\": \"" + url("/moved") + "\", \"price\": \"/p\"}";
        String movedKeyed = "{\"url\": \"" + url("/moved") + "\", \"price\": \"/p\", \"headers\": {\"X-API-KEY\": \"${PRICE_KEY}\"}}";
        assertThat(oneSource(movedPlain, env)
                .quote(1, now).price()).isEqualTo(7);
        MedianPriceSource keyedMoved = oneSource(movedKeyed, env);
        assertThatThrownBy(() -> keyedMoved.sources(1).get(0).read(now)).hasMessageContaining("answered HTTP 302");
        assertThat(keysLanded.get()).isZero();

        // an unset variable, a header that is not a string or cannot be sent: refused with what to do, the value never echoed
        Map<String, String> bad = new java.util.LinkedHashMap<>();
        bad.put("{\"url\": \"http://x/y?key=${NOT_SET}\", \"price\": \"/p\"}", "market 1 source 1: url refers to ${NOT_SET}, which is not set");
        bad.put("{\"url\": \"http://x/y\", \"price\": \"/p\", \"headers\": {\"X-Key\": \"${NOT_SET}\"}}", "header \"X-Key\" refers to ${NOT_SET}");
        bad.put("{\"url\": \"http://x/y\", \"price\": \"/p\", \"headers\": {\"X-Key\": 5}}", "header \"X-Key\" must be a string");
        bad.put("{\"url\": \"http://x/y\", \"price\": \"/p\", \"headers\": [\"X-Key\"]}", "\"headers\" must be an object");
        bad.put("{\"url\": \"http://x/y\", \"price\": \"/p\", \"headers\": {\"Host\": \"a\"}}", "header \"Host\" cannot be sent");
        bad.put("{\"url\": \"http://x/y\", \"price\": \"/p\", \"headers\": {\"Bad Name\": \"a\"}}", "header \"Bad Name\" cannot be sent");
        bad.put("{\"url\": \"http://x/y\", \"price\": \"/p\", \"headers\": {\"X-Key\": \"${LINE}\"}}", "header \"X-Key\" cannot be sent");
        bad.put("{\"url\": \"http://x/y\", \"price\": \"/p\", \"headers\": {\"x-key\": \"a\", \"X-KEY\": \"b\"}}", "given twice");
        bad.put("{\"url\": \"ftp://u:s3cret@x/y\", \"price\": \"/p\"}", "url \"ftp://***@x/y\" must be an http:// or https:// URL");
        Map<String, String> lineEnv = Map.of("LINE", "s3cret\r\nX-Other: 1");
        bad.forEach((src, says) -> assertThatThrownBy(() -> PriceSourceConfig.parse("{\"markets\": {\"1\": {\"sources\": [" + src + "]}}}", http, lineEnv))
                .as(src).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(says).message().doesNotContain("s3cret"));
    }

    /** Market 1 priced by the one source {@code src} (a JSON object), its variables from {@code env}. */
    MedianPriceSource oneSource(String src, Map<String, String> env) {
        return PriceSourceConfig.parse("{\"timeoutMillis\": 20000, \"markets\": {\"1\": {\"sources\": [" + src + "]}}}", http, env);
    }

    @Test
    void aBadConfigIsRefusedWithTheFieldAtFaultAndWhatToWrite() {
        String src = "{\"url\": \"http://127.0.0.1:1/x\", \"price\": \"/p\"}";
        Map<String, String> bad = new java.util.LinkedHashMap<>();
        bad.put("{", "not JSON");
        bad.put("[]", "expected a JSON object");
        bad.put("{\"markets\": {}}", "\"markets\" must be an object");
        bad.put("{\"market\": {}}", "unknown field \"market\"");
        bad.put("{\"markets\": {\"eth\": {\"sources\": [" + src + "]}}}", "market id \"eth\"");
        bad.put("{\"markets\": {\"1\": {\"sources\": []}}}", "market 1: \"sources\" must be a non-empty array");
        bad.put("{\"markets\": {\"1\": {\"sources\": [{\"url\": \"ftp://x/y\", \"price\": \"/p\"}]}}}", "must be an http:// or https:// URL");
        bad.put("{\"markets\": {\"1\": {\"sources\": [{\"url\": \"http://x/y\"}]}}}", "market 1 source 1: \"price\" is missing");
        bad.put("{\"markets\": {\"1\": {\"sources\": [{\"url\": \"http://x/y\", \"price\": \"data.price\"}]}}}", "not a JSON pointer");
        bad.put("{\"markets\": {\"1\": {\"sources\": [{\"url\": \"http://x/y\", \"price\": \"/p\", \"scale\": \"-1\"}]}}}", "scale must be positive");
        bad.put("{\"markets\": {\"1\": {\"sources\": [{\"url\": \"http://x/y\", \"price\": \"/p\", \"time\": \"/t\", \"timeUnit\": \"h\"}]}}}", "timeUnit must be \"s\" or \"ms\"");
        bad.put("{\"markets\": {\"1\": {\"minSources\": 2, \"sources\": [" + src + "]}}}", "minSources 2 is more than its 1 source(s)");
        bad.put("{\"pollSeconds\": 0, \"markets\": {\"1\": {\"sources\": [" + src + "]}}}", "\"pollSeconds\" must be a positive whole number");
        bad.put("{\"pollSeconds\": 60, \"markets\": {\"1\": {\"sources\": [" + src + "]}}}", "maxAgeSeconds 30 is below pollSeconds 60");
        bad.put("{\"markets\": {\"1\": {\"funding\": \"book\", \"sources\": [" + src + "]}}}", "\"funding\" must be \"fixed\"");
        bad.put("{\"markets\": {\"1\": {\"funding\": 5, \"sources\": [" + src + "]}}}", "\"funding\" must be \"fixed\"");
        bad.put("{\"markets\": {\"1\": {\"funding\": \"fixed\", \"fundingCapPpmPerHour\": 9, \"sources\": [" + src + "]}}}", "applies to \"funding\": \"premium\" only");
        bad.put("{\"markets\": {\"1\": {\"premiumWindowMinutes\": 30, \"sources\": [" + src + "]}}}", "applies to \"funding\": \"premium\" only");
        bad.put("{\"markets\": {\"1\": {\"impactNotional\": 5, \"sources\": [" + src + "]}}}", "applies to \"funding\": \"premium\" only");
        bad.put("{\"markets\": {\"1\": {\"funding\": \"premium\", \"impactNotional\": -5, \"sources\": [" + src + "]}}}",
                "impactNotional must be a whole number of collateral units, 0 or more");
        bad.put("{\"markets\": {\"1\": {\"funding\": \"premium\", \"impactNotional\": \"lots\", \"sources\": [" + src + "]}}}",
                "impactNotional must be a whole number");
        bad.put("{\"markets\": {\"1\": {\"funding\": \"premium\", \"impactNotional\": 2.5, \"sources\": [" + src + "]}}}",
                "impactNotional must be a whole number");
        bad.put("{\"markets\": {\"1\": {\"funding\": \"premium\", \"impactNotional\": 1e30, \"sources\": [" + src + "]}}}",
                "impactNotional must be a whole number");
        bad.put("{\"markets\": {\"1\": {\"funding\": \"premium\", \"fundingRatePpmPerHour\": 5, \"sources\": [" + src + "]}}}",
                "give interestPpmPerHour instead");
        bad.put("{\"markets\": {\"1\": {\"funding\": \"premium\", \"fundingCapPpmPerHour\": 10, \"interestPpmPerHour\": 20, \"sources\": ["
                + src + "]}}}", "beyond the cap");
        bad.forEach((json, says) -> assertThatThrownBy(() -> PriceSourceConfig.parse(json, http)).as(json)
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(says));
        assertThat(PriceSourceConfig.parse("{\"markets\": {\"1\": {\"sources\": [" + src + "," + src + "," + src + "]}}}", http).markets()).containsExactly(1);
        assertThat(PriceSourceConfig.parse("{\"markets\": {\"1\": {\"sources\": [" + src + "]}}}", http).fundingRate()).isSameAs(FundingRate.QUOTED);
        assertThat(PriceSourceConfig.parse("{\"markets\": {\"1\": {\"funding\": \"fixed\", \"fundingRatePpmPerHour\": 3, \"sources\": [" + src + "]}}}", http)
                .fundingRate()).isSameAs(FundingRate.QUOTED);
        assertThat(PriceSourceConfig.parse("{\"markets\": {\"1\": {\"funding\": \"premium\", \"sources\": [" + src + "]}}}", http).fundingRate())
                .isInstanceOf(PremiumFunding.class);
        for (long notional : new long[] {0, 10_000_000_000L}) {
            PremiumFunding f = (PremiumFunding) PriceSourceConfig.parse("{\"markets\": {\"1\": {\"funding\": \"premium\", \"impactNotional\": "
                    + notional + ", \"sources\": [" + src + "]}}}", http).fundingRate();
            assertThat(f.settings(1).impactNotional()).isEqualTo(notional);
        }
        assertThat(((PremiumFunding) PriceSourceConfig.parse("{\"markets\": {\"1\": {\"funding\": \"premium\", \"sources\": [" + src + "]}}}", http)
                .fundingRate()).settings(1).impactNotional()).as("default: the mid").isZero();
    }
}
