package dev.clearline.sequencer.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.clearline.sequencer.metrics.LatencyHistogram;
import dev.clearline.sequencer.metrics.MetricsText;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * What the trader API took and refused, for a member's {@code /metrics}: requests by operation (REST and WebSocket
 * alike), refusals by error code (rate limits, bad input, halts, the cluster not answering), the venue's verdicts on
 * what reached it (accepted, or refused and why), how long acknowledgements took, and the WebSockets open.
 * An operation a client names that does not exist counts as {@code other}: labels are a closed set, or a client could
 * make a scraper keep a series per word it sends.
 */
final class ApiCounts {
    private static final Set<String> OPS = Set.of("place", "cancel", "amend", "batchCancel", "cancelAllAfter", "withdraw", "allocate", "release", "order",
            "account", "depth", "state", "history", "venue", "subscribe");
    private final ConcurrentHashMap<String, LongAdder> requests = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LongAdder> refusals = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<List<String>, LongAdder> verdicts = new ConcurrentHashMap<>();
    private final AtomicInteger sockets = new AtomicInteger();
    private final LatencyHistogram acks = new LatencyHistogram();
    private final LongSupplier nanoClock;
    /** The operations whose replies carry the venue's verdicts ({@code outcomes}). */
    private static final Set<String> VERDICT_OPS = Set.of("place", "cancel", "amend", "batchCancel", "cancelAllAfter", "withdraw", "allocate", "release");
    private static final byte[] ACCEPTED = "\"accepted\":true".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] REFUSED = "\"accepted\":false".getBytes(StandardCharsets.US_ASCII);

    /** @param nanoClock a monotonic clock in nanoseconds ({@code System::nanoTime}): how long the cluster took to answer */
    ApiCounts(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    /** The clock's reading when a request is taken, for {@link #answered}. */
    long now() {
        return nanoClock.getAsLong();
    }

    /**
     * The cluster answered {@code op}, taken at {@code takenAt} ({@link #now}): an order, cancel or request through the log is
     * timed from the API taking it to its acknowledgement (signature check, the log's commit, the service's verdict and the
     * reply's way back), what a trader waits for. Queries and the API's own refusals are not: they would hide the figure.
     */
    void answered(String op, long takenAt) {
        if (VERDICT_OPS.contains(op)) acks.record(nanoClock.getAsLong() - takenAt);
    }

    void request(String op) {
        requests.computeIfAbsent(OPS.contains(op) ? op : "other", k -> new LongAdder()).increment();
    }

    /** An error answer of {@code code} (one of ours: {@link ApiError#code}), sent to a client. */
    void refused(String code) {
        refusals.computeIfAbsent(code, k -> new LongAdder()).increment();
    }

    /**
     * The venue's verdicts in the reply to {@code op}, one per order, cancel or request it judged: {@code accepted}, or the
     * reason it refused it (the STF's, and for its catch-all BOOK_REJECTED the book's own: FILL_OR_KILL_NOT_FILLABLE, ...). A resend's
     * reply repeats verdicts already counted and is skipped. Nearly every reply accepts all it judged: those are counted
     * off their bytes; only a reply with a refusal in it is decoded (once: whoever reads it next shares the result).
     */
    void verdicts(String op, ReplyBytes reply) {
        if (!VERDICT_OPS.contains(op)) return;
        if (reply.header() != null ? reply.header().duplicate() : reply.json().path("duplicate").asBoolean(false)) return;
        if (reply.contains(REFUSED)) {
            for (JsonNode o : reply.json().path("outcomes")) {
                verdicts.computeIfAbsent(List.of(op, verdict(o)), k -> new LongAdder()).increment();
            }
        } else {
            int accepted = reply.occurrences(ACCEPTED);
            if (accepted > 0) verdicts.computeIfAbsent(List.of(op, "accepted"), k -> new LongAdder()).add(accepted);
        }
    }

    /** One outcome's verdict: accepted, the reason the trader reads ({@code reject}), and the book's own behind BOOK_REJECTED. */
    static String verdict(JsonNode outcome) {
        if (outcome.path("accepted").asBoolean(false)) return "accepted";
        String reject = outcome.path("reject").asText("UNKNOWN");
        return reject.equals("BOOK_REJECTED") ? outcome.path("bookReason").asText(reject) : reject;
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
        Map<List<String>, Long> judged = new HashMap<>();
        verdicts.forEach((k, v) -> judged.put(k, v.sum()));
        m.counters("clearline_api_verdicts_total", "the venue's verdicts on the orders, cancels and requests this API sent (resends not counted again):"
                + " accepted, or the reason it refused one (the book's own for BOOK_REJECTED)", List.of("op", "verdict"), judged);
        acks.write(m, "clearline_api_ack_seconds", "from the API taking an order, cancel, amend, batch cancel, withdrawal or margin move to the"
                + " cluster's acknowledgement (committed to the log and judged), in seconds");
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
