package dev.clearline.sequencer.api;

import dev.clearline.sequencer.metrics.MetricsText;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the trader API took and refused, for a member's {@code /metrics}: requests by operation (REST and WebSocket
 * alike), refusals by error code (rate limits, bad input, halts, the cluster not answering), and the WebSockets open.
 * An operation a client names that does not exist counts as {@code other}: labels are a closed set, or a client could
 * make a scraper keep a series per word it sends.
 */
final class ApiCounts {
    private static final Set<String> OPS = Set.of("place", "cancel", "amend", "batchCancel", "withdraw", "allocate", "release", "order",
            "account", "depth", "state", "history", "venue", "subscribe");
    private final ConcurrentHashMap<String, LongAdder> requests = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LongAdder> refusals = new ConcurrentHashMap<>();
    private final AtomicInteger sockets = new AtomicInteger();

    void request(String op) {
        requests.computeIfAbsent(OPS.contains(op) ? op : "other", k -> new LongAdder()).increment();
    }

    /** An error answer of {@code code} (one of ours: {@link ApiError#code}), sent to a client. */
    void refused(String code) {
        refusals.computeIfAbsent(code, k -> new LongAdder()).increment();
    }

    void socketOpened() {
        sockets.incrementAndGet();
    }

    void socketClosed() {
        sockets.decrementAndGet();
    }

    void writeMetrics(MetricsText m, int inFlight, boolean halted) {
        m.counters("clearline_api_requests_total", "requests the trader API took, by operation (REST and WebSocket)", "op", sums(requests));
        m.counters("clearline_api_refusals_total", "error answers the trader API sent, by code (RATE_LIMITED, BAD_FIELD, HALTED, ...)", "code",
                sums(refusals));
        m.gauge("clearline_api_websockets", "WebSocket connections open", sockets.get());
        m.gauge("clearline_api_in_flight", "requests taken and not yet answered", inFlight);
        m.gauge("clearline_api_halted", "1 while the API refuses new orders, withdrawals and margin moves (GET /venue says why)", halted ? 1 : 0);
    }

    private static Map<String, Long> sums(Map<String, LongAdder> adders) {
        Map<String, Long> out = new TreeMap<>();
        adders.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }
}
