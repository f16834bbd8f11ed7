package dev.clearline.sequencer.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clearline.engine.exchange.CancelRequest;
import dev.clearline.engine.exchange.SignedOrder;
import dev.clearline.sequencer.command.Command;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The trader API on Jetty 12: REST for one-off requests and a WebSocket for trading sessions and
 * streams, both JSON. Every answer to a state-changing request carries the {@code seq} the cluster
 * gave it; it is sent only once the cluster has committed the request.
 *
 * <pre>
 * POST /orders               place          GET /orders/{hash}        one order, its fills and status
 * POST /orders/cancel        cancel         GET /accounts/{address}   balance, positions, open orders, fills
 * POST /orders/amend         amend          GET /markets/{id}/depth   depth snapshot
 * POST /orders/batch-cancel  batch cancel   GET /state                state root, seq, batches, markets
 * POST /orders/cancel-all-after  dead man's switch
 *                                           GET /venue                the API's own rules (order lifetime, mark age, limits)
 * WS   /ws                   {"id":..,"op":"place"|"cancel"|"amend"|"batchCancel"|"cancelAllAfter"|"order"|"account"|"depth"|"state"|"venue"|"subscribe",..}
 * </pre>
 */
public final class TraderApi implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TraderApi.class);
    static final ObjectMapper JSON = new ObjectMapper();

    private final Gateway gateway;
    private final RateLimiter perKey;
    private final RateLimiter perAddress;
    /** Charges a signed request to its signer's allowance once the signature holds ({@link SignerGate}). */
    private final SignerGate keyGate;
    private final OrderLifetime lifetime;
    private final MarkFreshness marks;
    private final Server server;
    private final int maxRequestBytes;
    /** Set when the API begins to stop: new requests are refused while those taken are answered. */
    private volatile boolean stopping;
    /** Requests taken and not answered yet. */
    private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
    /** What this API took and refused ({@link #writeMetrics}). */
    final ApiCounts counts = new ApiCounts(System::nanoTime);
    /**
     * The largest declared body of a refused request that is read and dropped before the answer (see the
     * handler): a few times any body the API takes, so a client's honest mistake gets its answer, while a
     * body declared larger is answered at once and its connection closed.
     */
    private static final long DRAINED_BYTES = 1L << 20;
    /** How many times the request limit a WebSocket message may reach and still be read whole, to be refused cleanly. */
    static final int READ_WHOLE = 4;
    /**
     * The request limit a node and {@code up} serve with: room for the largest request the API takes, a batch cancel of
     * {@code CommandCodec.MAX_BATCH_CANCELS} signed cancels, pretty-printed (about 95 KB; 72 KB compact). It was 64 KiB,
     * which refused the batch of 256 the docs offer with 413 over REST and closed the WebSocket, in the middle of an
     * emergency cancel (TraderApiLimitTest).
     */
    public static final int DEFAULT_MAX_REQUEST_BYTES = 128 * 1024;

    /** The largest request, in bytes (UTF-8), a REST body or a WebSocket message may be. */
    int maxRequestBytes() {
        return maxRequestBytes;
    }

    /** An API without an order-lifetime rule: orders with and without expiry are taken. */
    public TraderApi(Gateway gateway, RateLimiter perKey, RateLimiter perAddress, String host, int port, int maxRequestBytes) throws Exception {
        this(gateway, perKey, perAddress, OrderLifetime.unlimited(), host, port, maxRequestBytes);
    }

    /**
     * @param perKey     the rate each trader key may send signed orders and cancels at, charged once the signature holds
     * @param perAddress the rate each network address may send any request at (reads, writes, WebSocket messages and
     *                   subscriptions): what bounds the node's work for one client, forged or unsigned requests included
     */
    public TraderApi(Gateway gateway, RateLimiter perKey, RateLimiter perAddress, OrderLifetime lifetime, String host, int port,
                     int maxRequestBytes) throws Exception {
        this(gateway, perKey, perAddress, lifetime, MarkFreshness.unlimited(), host, port, maxRequestBytes);
    }

    /**
     * @param marks the rule on how old a market's mark may be for an order that can grow a position ({@link MarkFreshness}); its
     *              owner feeds it the markets' oracle times
     */
    public TraderApi(Gateway gateway, RateLimiter perKey, RateLimiter perAddress, OrderLifetime lifetime, MarkFreshness marks, String host,
                     int port, int maxRequestBytes) throws Exception {
        this.gateway = gateway;
        this.perKey = perKey;
        this.perAddress = perAddress;
        this.keyGate = signer -> {
            long wait = perKey.acquire(signer);
            return wait == 0 ? null : new ApiError(429, "RATE_LIMITED", "more than " + (long) perKey.perSecond()
                    + " requests a second for " + signer + "; slow down and retry in " + wait + " ms (other keys are not affected)", wait);
        };
        this.lifetime = lifetime;
        this.marks = marks;
        this.maxRequestBytes = maxRequestBytes;
        QueuedThreadPool threads = new QueuedThreadPool(64, 4);
        threads.setName("api");
        this.server = new Server(threads);
        ServerConnector connector = new ServerConnector(server);
        connector.setHost(host);
        connector.setPort(port);
        server.addConnector(connector);
        WebSocketUpgradeHandler ws = WebSocketUpgradeHandler.from(server, container -> {
            // A message up to READ_WHOLE times the limit is read to its end and refused by the socket itself
            // (TraderSocket: 1009 with a reason). Refused by Jetty mid-message, the connection closed with the
            // rest of the message unread, so the kernel reset it, and a client could see the reset before the
            // close frame (TraderApiTest once saw an abnormal close instead of 1009 in the full suite).
            container.setMaxTextMessageSize(READ_WHOLE * maxRequestBytes);
            // Jetty's text sink builds a buffer of the input buffer's size for every message (4 KB by default,
            // a tenth of the node's allocation per acknowledgement); an order is about 0.5 KB and a larger
            // message grows it. The network reads use the same size. A/B in sequencer/README.md.
            container.setInputBufferSize(1024);
            container.setIdleTimeout(Duration.ofMinutes(10));
            container.addMapping("/ws", (req, resp, cb) -> new TraderSocket(this));
        });
        ws.setHandler(new Rest());
        server.setHandler(ws);
        server.start();
        log.info("event=api_started url=http://{}:{} ws=ws://{}:{}/ws", host, port(), host, port());
    }

    public int port() {
        return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }

    Gateway gateway() {
        return gateway;
    }

    /**
     * Takes one request from {@code address}'s allowance (a client's IP address: REST and WebSocket
     * requests from it share one), before the request costs the node a signature check or a query.
     */
    void admit(String address) throws ApiError {
        long wait = perAddress.acquire(address);
        if (wait > 0) {
            throw new ApiError(429, "RATE_LIMITED", "more than " + (long) perAddress.perSecond() + " requests a second from " + address
                    + "; slow down and retry in " + wait + " ms (other clients are not affected)", wait);
        }
    }

    /** The operations a halted node refuses: whatever moves money in the rollup's state. Cancels and reads go on. */
    private static final java.util.Set<String> HALTABLE = java.util.Set.of("place", "amend", "withdraw", "allocate", "release");

    /** Why the node takes no more orders, withdrawals or margin moves (by what halted it), or null while it does. */
    private volatile String halted;
    private final java.util.Map<Halt, String> halts = new java.util.EnumMap<>(Halt.class);

    /** What halts a node; each lifts on its own, and the node takes orders again once none holds. */
    public enum Halt {
        /** Its batch poster stopped (a divergence, a batch too long, the role handed away): lifted when a poster starts anew. */
        POSTER,
        /** The rollup takes batches from another key than this node's: lifted when the role comes back. */
        ROLE
    }

    /**
     * From now on refuses new orders, amendments, withdrawals and margin moves, 503 {@code HALTED} with
     * {@code why}: the operator's batches can no longer reach L1 (its poster stopped), so nothing taken
     * now would settle until an operator has acted. Cancels, reads and subscriptions go on.
     */
    public void halt(String why) {
        halt(Halt.POSTER, why);
    }

    /** As {@link #halt(String)}, for {@code cause}; a second halt of the same cause replaces the first's reason. */
    public synchronized void halt(Halt cause, String why) {
        halts.put(cause, why);
        halted = String.join("; and ", halts.values());
    }

    /** Lifts the halt of {@code cause}; the node takes new orders, withdrawals and margin moves again once no other holds. */
    public synchronized void resume(Halt cause) {
        halts.remove(cause);
        halted = halts.isEmpty() ? null : String.join("; and ", halts.values());
    }

    /** Dispatches one request by operation name; the future holds the cluster's reply or fails with an ApiError. */
    CompletableFuture<ObjectNode> dispatch(String op, JsonNode body) {
        return dispatchReply(op, body).thenApply(ReplyBytes::json);
    }

    /** As {@link #dispatch}, with the reply as it came from the cluster (the WebSocket forwards its bytes). */
    CompletableFuture<ReplyBytes> dispatchReply(String op, JsonNode body) {
        if (stopping) {
            return CompletableFuture.failedFuture(new ApiError(503, "SHUTTING_DOWN", "the node is stopping; send it to another member of the"
                    + " cluster, or again once this one is back"));
        }
        inFlight.incrementAndGet();
        counts.request(op);
        long takenAt = counts.now();
        // the answer waits for the counts: a client that reads /metrics after its reply finds its request counted
        return taken(op, body).whenComplete((r, t) -> {
            inFlight.decrementAndGet();
            if (r != null) {
                counts.answered(op, takenAt);
                counts.verdicts(op, r);
            }
        });
    }

    private CompletableFuture<ReplyBytes> taken(String op, JsonNode body) {
        try {
            String why = halted;
            if (why != null && HALTABLE.contains(op)) {
                throw new ApiError(503, "HALTED", "the node takes no new orders, withdrawals or margin moves: " + why
                        + "; cancels and reads still work");
            }
            return switch (op) {
                case "place" -> {
                    var order = lifetimeChecked(RequestJson.order(body.has("order") ? body.get("order") : body, gateway.domain()));
                    var trigger = RequestJson.stop(body);
                    yield trigger == null ? gateway.placeReply(order, keyGate) : gateway.placeStopReply(order, trigger, keyGate);
                }
                case "cancel" -> gateway.cancelReply(RequestJson.cancel(body.has("cancel") ? body.get("cancel") : body), keyGate);
                case "amend" -> gateway.amendReply(RequestJson.cancel(body.get("cancel")),
                        lifetimeChecked(RequestJson.order(body.get("order"), gateway.domain())), keyGate);
                case "batchCancel" -> {
                    JsonNode list = body.get("cancels");
                    if (list == null || !list.isArray() || list.isEmpty() || list.size() > dev.clearline.sequencer.command.CommandCodec.MAX_BATCH_CANCELS) {
                        throw RequestJson.bad("BAD_FIELD", "\"cancels\" must be a list of 1 to "
                                + dev.clearline.sequencer.command.CommandCodec.MAX_BATCH_CANCELS + " signed cancels");
                    }
                    List<CancelRequest> cs = new ArrayList<>();
                    for (JsonNode c : list) cs.add(RequestJson.cancel(c));
                    yield gateway.batchCancelReply(cs, keyGate);
                }
                case "cancelAllAfter" -> gateway.cancelAllAfterReply(RequestJson.cancelAllAfter(body.has("cancelAllAfter") ? body.get("cancelAllAfter") : body), keyGate);
                case "withdraw" -> gateway.requestReply(RequestJson.withdraw(body.has("withdraw") ? body.get("withdraw") : body), keyGate);
                case "allocate" -> gateway.requestReply(RequestJson.margin(body.has("allocate") ? body.get("allocate") : body, true), keyGate);
                case "release" -> gateway.requestReply(RequestJson.margin(body.has("release") ? body.get("release") : body, false), keyGate);
                // reads: answered by this process's member from its own state when it can, without a log entry (Gateway.readReply)
                case "order" -> gateway.readReply(Command.QueryKind.ORDER, 0, null, RequestJson.hash(body, "orderHash"), 0, atLeast(body));
                case "account" -> gateway.readReply(Command.QueryKind.ACCOUNT, 0, RequestJson.address(body, "trader"), null, from(body), atLeast(body));
                case "depth" -> gateway.readReply(Command.QueryKind.DEPTH, body.has("market") ? RequestJson.market(body) : 0, null, null, 0, atLeast(body));
                case "state" -> gateway.readReply(Command.QueryKind.STATE, 0, null, null, 0, atLeast(body));
                case "history" -> gateway.historyReply(from(body));
                case "venue" -> CompletableFuture.completedFuture(venue());
                default -> throw RequestJson.bad("UNKNOWN_OP", "unknown op \"" + op
                        + "\"; use place, cancel, amend, batchCancel, cancelAllAfter, withdraw, allocate, release, order, account, depth, state, venue or subscribe");
            };
        } catch (ApiError e) {
            return CompletableFuture.failedFuture(e);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(RequestJson.bad("BAD_FIELD", e.getMessage()));
        }
    }

    /** {@code s} if the venue's admission rules on orders take it: its lifetime, and its market's mark price's age. */
    private SignedOrder lifetimeChecked(SignedOrder s) throws ApiError {
        lifetime.check(s.order());
        marks.check(s.order());
        return s;
    }

    /**
     * The rules this API applies itself, before anything reaches the cluster: the longest order lifetime
     * ({@link OrderLifetime}), the largest request and the rates a trader key and a client address may send at. A client reads
     * them to sign what the venue takes (the CLI gives an order the longest lifetime when told none). A halted node says why
     * ({@code halted}), so a trader's status shows it before an order is refused.
     */
    private ReplyBytes venue() {
        ObjectNode v = JSON.createObjectNode();
        lifetime.describe(v);
        marks.describe(v);
        v.put("maxRequestBytes", maxRequestBytes);
        v.put("requestsPerSecondPerKey", perKey.perSecond());
        v.put("requestsPerSecondPerAddress", perAddress.perSecond());
        String why = halted;
        if (why != null) v.put("halted", why);
        return new ReplyBytes(v.toString().getBytes(StandardCharsets.UTF_8), null, v);
    }

    /** The error answer for {@code e}, counted ({@link ApiCounts}): every refusal a client gets goes through here. */
    ObjectNode refuse(ApiError e) {
        counts.refused(e.code());
        return error(e);
    }

    /** Adds the API's figures to a member's {@code /metrics}: requests by operation, refusals by code, sockets, halts. */
    public void writeMetrics(dev.clearline.sequencer.metrics.MetricsText m) {
        counts.writeMetrics(m, inFlight.get(), halted != null);
        m.gauge("clearline_api_stale_marks", "markets whose mark price is older than the venue's --max-mark-age: orders that can grow a position"
                + " there are refused (GET /venue lists them)", marks.refusedMarkets());
        // a member behind the others answers its reads through the log: a rising count of those says so
        m.counters("clearline_api_reads_total", "reads (orders, accounts, depth, state) answered from this member's own state (member) or through"
                + " the log (log: a member behind, or none in this process)", "path",
                java.util.Map.of("member", gateway.readsLocal(), "log", gateway.readsThroughLog()));
    }

    static ObjectNode error(ApiError e) {
        ObjectNode n = JSON.createObjectNode();
        n.put("error", e.code());
        n.put("message", e.getMessage());
        // a number a program can sleep on, not only the figure inside the sentence
        if (e.retryAfterMs() > 0) n.put("retryAfterMs", e.retryAfterMs());
        return n;
    }

    static ApiError unwrap(Throwable t) {
        Throwable c = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        if (c instanceof ApiError e) return e;
        log.warn("event=request_failed error=\"{}\"", c.toString());
        return new ApiError(500, "INTERNAL", "the node failed to handle the request (" + c.getClass().getSimpleName()
                + "); it was not applied unless a query of the order shows it");
    }

    static JsonNode parse(String text) throws ApiError {
        try {
            JsonNode n = JSON.readTree(text);
            if (n == null || !n.isObject()) throw RequestJson.bad("MALFORMED_JSON", "send one JSON object");
            return n;
        } catch (JsonProcessingException e) {
            // the parser's own words, without its note on where the object began ("start marker at [Source: REDACTED
            // (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled) ...") and with the place a person can look at
            String why = e.getOriginalMessage();
            int marker = why.indexOf(" (start marker at");
            if (marker >= 0) why = why.substring(0, marker);
            var at = e.getLocation();
            String where = at == null || at.getLineNr() < 0 ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            throw RequestJson.bad("MALFORMED_JSON", "the body is not valid JSON (" + why + where + "); send one JSON object");
        }
    }

    /** A single verdict that refuses the request answers 422 over REST; everything the cluster answered otherwise 200. */
    static int statusOf(ObjectNode reply) {
        JsonNode outcomes = reply.path("outcomes");
        if (outcomes.size() == 1 && !outcomes.get(0).path("accepted").asBoolean(true)) return 422;
        JsonNode q = reply.has("depth") && reply.get("depth").isObject() ? reply.get("depth") : null;
        if (q != null && q.has("error")) return 404;
        if (reply.path("history").has("error")) return 400; // a page outside the history
        return 200;
    }

    /**
     * The oldest state a read may be answered from ({@code "seq"}: a reply's seq the client holds, say an acknowledgement
     * another member's API gave it): 0 when not given; the gateway's own floor applies either way.
     */
    private static long atLeast(JsonNode body) throws ApiError {
        return wholeNumber(body, "seq", SEQ_HINT);
    }

    /** Where a paged read starts ({@code "from"}: a history's byte, an account's first open order): 0 when not given. */
    private static long from(JsonNode body) throws ApiError {
        return wholeNumber(body, "from", FROM_HINT);
    }

    /** {@code body}'s {@code field}, a whole number of 0 or more, 0 when absent; else BAD_FIELD saying what it is ({@code hint}). */
    private static long wholeNumber(JsonNode body, String field, String hint) throws ApiError {
        JsonNode v = body.path(field);
        if (v.isMissingNode()) return 0;
        if (!(v.isIntegralNumber() && v.canConvertToLong() && v.asLong() >= 0)) {
            throw RequestJson.bad("BAD_FIELD", "\"" + field + "\" must be 0 or more (" + hint + "), got " + v);
        }
        return v.asLong();
    }

    private static final String FROM_HINT = "0, then where the last page said the next one starts";
    private static final String SEQ_HINT = "the seq of a reply you hold: the read waits until this node is there";

    /** A GET's {@code ?from=N} and {@code ?seq=N} as the fields the WebSocket ops take, in {@code body}. */
    private static ObjectNode withParams(ObjectNode body, Request request) throws ApiError {
        var params = Request.extractQueryParameters(request);
        for (String[] p : new String[][]{{"from", FROM_HINT}, {"seq", SEQ_HINT}}) {
            String v = params.getValue(p[0]);
            if (v == null) continue;
            try {
                body.put(p[0], Long.parseLong(v));
            } catch (NumberFormatException e) {
                throw RequestJson.bad("BAD_FIELD", p[0] + " must be 0 or more (" + p[1] + "), got \"" + v + "\"");
            }
        }
        return body;
    }

    /** The paths a POST writes to. */
    private static final java.util.Set<String> WRITES = java.util.Set.of("/orders", "/orders/cancel", "/orders/amend", "/orders/batch-cancel",
            "/orders/cancel-all-after", "/withdrawals", "/margin/allocate", "/margin/release");

    private final class Rest extends Handler.Abstract {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            String path = Request.getPathInContext(request);
            String method = request.getMethod();
            try {
                admit(Request.getRemoteAddr(request));
                String[] parts = path.split("/");
                if (method.equals("GET")) {
                    if (path.equals("/admin/history")) reply(dispatch("history", withParams(JSON.createObjectNode(), request)), response, callback);
                    else if (path.equals("/state")) reply(dispatch("state", withParams(JSON.createObjectNode(), request)), response, callback);
                    else if (path.equals("/venue")) reply(dispatch("venue", JSON.createObjectNode()), response, callback);
                    else if (WRITES.contains(path)) {
                        // before /orders/{hash}: /orders/cancel is a write, not an order named "cancel"
                        throw new ApiError(405, "METHOD_NOT_ALLOWED", "GET " + path + ": " + path + " takes a POST with a signed JSON body (docs/api.md)");
                    }
                    else if (parts.length == 3 && parts[1].equals("orders")) {
                        reply(dispatch("order", withParams(JSON.createObjectNode().put("orderHash", parts[2]), request)), response, callback);
                    }
                    else if (parts.length == 3 && parts[1].equals("accounts")) {
                        reply(dispatch("account", withParams(JSON.createObjectNode().put("trader", parts[2]), request)), response, callback);
                    }
                    else if (parts.length == 4 && parts[1].equals("markets") && parts[3].equals("depth")) {
                        long market;
                        try {
                            market = Long.parseLong(parts[2]);
                        } catch (NumberFormatException e) {
                            market = -1;
                        }
                        if (market < 0 || market > 0xffffffffL) {
                            throw RequestJson.bad("BAD_FIELD", "market id must be a whole number from 0 to 4294967295, got \"" + parts[2] + "\"");
                        }
                        reply(dispatch("depth", withParams(JSON.createObjectNode().put("market", market), request)), response, callback);
                    } else throw notFound(path);
                    return true;
                }
                if (!method.equals("POST")) throw new ApiError(405, "METHOD_NOT_ALLOWED", "use GET to read and POST to trade");
                if (!WRITES.contains(path) && isRead(path)) {
                    throw new ApiError(405, "METHOD_NOT_ALLOWED", "POST " + path + ": " + path + " is read with GET");
                }
                String op = switch (path) {
                    case "/orders" -> "place";
                    case "/orders/cancel" -> "cancel";
                    case "/orders/amend" -> "amend";
                    case "/orders/batch-cancel" -> "batchCancel";
                    case "/orders/cancel-all-after" -> "cancelAllAfter";
                    case "/withdrawals" -> "withdraw";
                    case "/margin/allocate" -> "allocate";
                    case "/margin/release" -> "release";
                    default -> throw notFound(path);
                };
                long declared = request.getLength();
                if (declared > maxRequestBytes) throw tooLarge(declared);
                Content.Source.asStringAsync(request, StandardCharsets.UTF_8).whenComplete((text, failure) -> {
                    if (failure != null) {
                        // the client went away mid-request, or sent a broken body: nothing was submitted
                        write(response, callback, 400, refuse(new ApiError(400, "BAD_BODY", "the request body could not be read; send it again")));
                        return;
                    }
                    try {
                        if (text.length() > maxRequestBytes) throw tooLarge(text.length());
                        JsonNode body = parse(text);
                        reply(dispatch(op, body), response, callback);
                    } catch (ApiError e) {
                        write(response, callback, e.status(), refuse(e));
                    }
                });
                return true;
            } catch (ApiError e) {
                // refused before its body was read (unknown path, wrong method, declared too large): the body may still be on
                // its way, so Jetty closes the connection after this answer; say so, or a client that pools connections
                // sends its next request down a socket that is closing and reads nothing back
                if (!method.equals("GET")) response.getHeaders().put(HttpHeader.CONNECTION, "close");
                long declared = request.getLength();
                if (method.equals("GET") || declared <= 0 || declared > DRAINED_BYTES) {
                    write(response, callback, e.status(), refuse(e));
                } else {
                    // A socket closed with bytes of the request still unread is reset, and the reset can reach the client
                    // before it has read the answer: it then reads nothing ("header parser received no bytes", TraderApiTest
                    // in CI). A body of a known, bounded length is read and dropped first, so the close is an orderly one.
                    Content.Source.consumeAll(request, Callback.from(() -> write(response, callback, e.status(), refuse(e)),
                            failure -> write(response, callback, e.status(), refuse(e))));
                }
                return true;
            }
        }

        private ApiError notFound(String path) {
            return new ApiError(404, "NOT_FOUND", "no endpoint " + path
                    + "; POST /orders, /orders/cancel, /orders/amend, /orders/batch-cancel, /orders/cancel-all-after, /withdrawals, /margin/allocate, /margin/release; GET /orders/{hash}, /accounts/{address}, /markets/{id}/depth, /state, /venue, /admin/history, WebSocket /ws");
        }

        /** A path a GET reads (a POST to it is the wrong method, not an unknown path). */
        private static boolean isRead(String path) {
            String[] parts = path.split("/");
            return path.equals("/state") || path.equals("/venue") || path.equals("/admin/history")
                    || parts.length == 3 && (parts[1].equals("orders") || parts[1].equals("accounts"))
                    || parts.length == 4 && parts[1].equals("markets") && parts[3].equals("depth");
        }

        private ApiError tooLarge(long size) {
            return new ApiError(413, "TOO_LARGE", "request of " + size + " bytes; the limit is " + maxRequestBytes);
        }

        private void reply(CompletableFuture<ObjectNode> f, Response response, Callback callback) {
            f.whenComplete((r, t) -> {
                if (t != null) {
                    ApiError e = unwrap(t);
                    write(response, callback, e.status(), refuse(e));
                } else write(response, callback, statusOf(r), r);
            });
        }

        private void write(Response response, Callback callback, int status, ObjectNode body) {
            response.setStatus(status);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
            // HTTP's own form of the wait, in whole seconds rounded up, for clients and proxies that honour it
            long retryMs = body.path("retryAfterMs").asLong(0);
            if (retryMs > 0) response.getHeaders().put(HttpHeader.RETRY_AFTER, Long.toString((retryMs + 999) / 1000));
            Content.Sink.write(response, true, body.toString(), callback);
        }
    }

    /** How long a stopping API waits for the requests it took to be answered before it closes its connections. */
    static final Duration DRAIN = Duration.ofSeconds(5);

    /**
     * Stops: new requests are answered 503 SHUTTING_DOWN, those taken are answered (up to {@link #DRAIN}), and only then
     * are the connections closed. Closed at once, the server cut the requests in flight, whose clients saw a reset instead
     * of an answer (found by a bot written from docs/api.md).
     */
    @Override
    public void close() throws Exception {
        stopTaking();
        long deadline = System.nanoTime() + DRAIN.toNanos(); // a bound on the stop, not a measurement
        while (inFlight.get() > 0 && System.nanoTime() - deadline < 0) Thread.sleep(5);
        Thread.sleep(100); // the last answers complete on the gateway's thread; Jetty writes them on its own
        server.stop();
    }

    /** From now on every request is answered 503 SHUTTING_DOWN (the first step of {@link #close}). */
    void stopTaking() {
        stopping = true;
    }
}
