package dev.clearline.sequencer.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clearline.engine.order.Address;
import dev.clearline.sequencer.command.Command;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.StatusCode;
import org.eclipse.jetty.websocket.common.WebSocketSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.OpCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * One trader's WebSocket. Each text frame is one request {@code {"id":..,"op":..,..}}; the answer
 * carries the same id. {@code {"op":"subscribe","channels":["market","account:0x.."]}} starts the
 * streams, each with a snapshot at a seq first: "market" every market's book, then every later
 * committed reply's depth deltas, trades and mark prices; an account channel the account as
 * {@code GET /accounts/{address}} reads it, then the events that involve that trader's orders, and
 * its balance and positions again after every command that changed them (the reply's
 * {@code accounts}; one read in flight per channel, so a busy account is pushed as often as the
 * cluster answers, each push the state at its seq, never a stale one after a newer). A
 * snapshot is a query the cluster answers in the log's order, and its reply and the streamed
 * replies arrive on one gateway thread in that order; a channel's messages that come while its
 * snapshot is on its way are held, and those it already holds (a seq at or below its own) are
 * dropped, so a client that applies the deltas to the snapshot has the book (or the account). A message over the size limit
 * closes the socket with 1009 and a reason: this class refuses it once read whole, Jetty one over
 * {@link TraderApi#READ_WHOLE} times the limit, as it arrives; a client that leaves before its answer
 * simply gets none, and its request still stands as the cluster decided.
 */
public final class TraderSocket implements Session.Listener.AutoDemanding {
    private static final Logger log = LoggerFactory.getLogger(TraderSocket.class);
    private static final String ACCOUNT = "account:";

    private final TraderApi api;
    private final Set<String> channels = ConcurrentHashMap.newKeySet();
    private final Consumer<ObjectNode> stream = this::onCommitted;
    private volatile Session session;
    /** Per channel whose snapshot is on its way, the messages that came for it meanwhile, in order (guarded by this). */
    private final Map<String, List<ObjectNode>> held = new HashMap<>();
    /** Per channel, the seq of its last snapshot: its messages at or below it are in it (guarded by this). */
    private final Map<String, Long> snapshotSeq = new HashMap<>();
    /** Account channels whose balance and positions are being read for a push (guarded by this). */
    private final Set<String> reading = new HashSet<>();
    /** Per account channel, the seq of the last command that changed its balance or positions (guarded by this). */
    private final Map<String, Long> changedAt = new HashMap<>();
    /** Per account channel, the seq of its last push: a read that finds the same state is not pushed again (guarded by this). */
    private final Map<String, Long> pushedAt = new HashMap<>();

    /** The client's IP address: its requests share one allowance with its other sockets and its REST calls. */
    private volatile String address;

    TraderSocket(TraderApi api) {
        this.api = api;
    }

    @Override
    public void onWebSocketOpen(Session session) {
        this.session = session;
        api.counts.socketOpened();
        this.address = session.getRemoteSocketAddress() instanceof InetSocketAddress a && a.getAddress() != null
                ? a.getAddress().getHostAddress() : String.valueOf(session.getRemoteSocketAddress());
    }

    @Override
    public void onWebSocketText(String text) {
        int limit = api.maxRequestBytes();
        if (text.length() > limit / 3) {
            int bytes = text.getBytes(StandardCharsets.UTF_8).length; // the limit is in bytes, as Jetty and REST count it
            if (bytes > limit) {
                Session s = session;
                if (s != null) s.close(StatusCode.MESSAGE_TOO_LARGE, "message of " + bytes + " bytes; the limit is " + limit, Callback.NOOP);
                return;
            }
        }
        JsonNode id = null;
        try {
            JsonNode body = TraderApi.parse(text);
            id = body.get("id");
            String op = body.path("op").asText("");
            api.admit(address); // a subscription costs the cluster a snapshot: counted like any other request from this client
            if (op.equals("subscribe")) {
                api.counts.request(op);
                subscribe(id, body.get("channels"));
                return;
            }
            JsonNode requestId = id;
            api.dispatchReply(op, body).whenComplete((r, t) -> {
                if (t != null) send(requestId, api.refuse(TraderApi.unwrap(t)));
                else sendFrame(r.frame(requestId)); // the reply's own bytes behind the id, not decoded and printed again
            });
        } catch (ApiError e) {
            send(id, api.refuse(e));
        }
    }

    private void subscribe(JsonNode id, JsonNode list) throws ApiError {
        if (list == null || !list.isArray() || list.isEmpty()) {
            throw RequestJson.bad("BAD_FIELD", "\"channels\" must list \"market\" and/or \"account:0x<address>\"");
        }
        List<String> names = new ArrayList<>();
        for (JsonNode c : list) {
            String name = c.asText("").toLowerCase(Locale.ROOT);
            if (!name.equals("market") && !name.matches("account:0x[0-9a-f]{40}")) {
                throw RequestJson.bad("BAD_FIELD", "unknown channel \"" + c.asText() + "\"; use \"market\" or \"account:0x<40 hex digits>\"");
            }
            if (!names.contains(name)) names.add(name);
        }
        // every channel named gets a snapshot, again when subscribed already: a fresh one, after a truncated reply
        synchronized (this) {
            for (String name : names) held.putIfAbsent(name, new ArrayList<>());
        }
        channels.addAll(names);
        api.gateway().listen(stream);
        ObjectNode ok = TraderApi.JSON.createObjectNode();
        ok.set("subscribed", TraderApi.JSON.valueToTree(channels));
        send(id, ok);
        for (String name : names) {
            var query = name.equals("market") ? api.gateway().queryReply(Command.QueryKind.DEPTH, 0, null, null)
                    : api.gateway().queryReply(Command.QueryKind.ACCOUNT, 0, Address.fromHex(name.substring(ACCOUNT.length())), null);
            query.whenComplete((r, t) -> {
                if (t != null) snapshotFailed(name, TraderApi.unwrap(t));
                else onSnapshot(name, r.json());
            });
        }
    }

    /** Sends a channel's snapshot, then what came for it after the snapshot's seq while it was on its way. */
    private synchronized void onSnapshot(String channel, ObjectNode reply) {
        long seq = reply.path("seq").asLong();
        ObjectNode m = TraderApi.JSON.createObjectNode();
        m.put("channel", channel);
        m.put("seq", seq);
        m.set("snapshot", channel.equals("market") ? reply.path("depths") : reply.path("account"));
        sendRaw(m);
        List<ObjectNode> later = held.remove(channel);
        if (later != null) {
            for (ObjectNode l : later) if (l.path("seq").asLong() > seq) sendRaw(l);
        }
        snapshotSeq.merge(channel, seq, Math::max);
    }

    /** No snapshot (the cluster did not answer): the client is told so and gets what was held, as before it asked. */
    private synchronized void snapshotFailed(String channel, ApiError e) {
        ObjectNode m = TraderApi.JSON.createObjectNode();
        m.put("channel", channel);
        m.setAll(api.refuse(e));
        sendRaw(m);
        List<ObjectNode> later = held.remove(channel);
        if (later != null) for (ObjectNode l : later) sendRaw(l);
    }

    /** A channel's message: held while its snapshot is on its way, dropped when its last snapshot holds it already. */
    private synchronized void sendOn(String channel, ObjectNode m) {
        List<ObjectNode> waiting = held.get(channel);
        if (waiting != null) {
            waiting.add(m);
        } else if (m.path("seq").asLong() > snapshotSeq.getOrDefault(channel, Long.MIN_VALUE)) {
            sendRaw(m);
        }
    }

    /** Picks out of a committed reply what this socket subscribed to. */
    private void onCommitted(ObjectNode reply) {
        if (reply.has("truncated")) {
            // sent without its lists (docs/api.md, "Acknowledgement"): every channel may have missed something, so each is told
            tellEach(reply, "truncated", false);
            return;
        }
        if (channels.contains("market") && (reply.has("depth") || reply.has("mark") || hasFills(reply))) {
            ObjectNode m = TraderApi.JSON.createObjectNode();
            m.put("channel", "market");
            m.put("seq", reply.path("seq").asLong());
            if (reply.has("depth")) m.set("depth", reply.get("depth"));
            if (reply.has("mark")) m.set("mark", reply.get("mark"));
            ArrayNode trades = m.putArray("trades");
            for (JsonNode e : reply.path("events")) if (e.path("event").asText().equals("Filled")) trades.add(e);
            sendOn("market", m);
        }
        String type = reply.path("type").asText();
        if ((type.equals("batchPosted") || type.equals("batchesFinal")) && reply.has("l1")) {
            // L1's progress moves every account's fills and withdrawals along (a fill of batch b is posted once batchesPosted
            // passes b, final once batchesFinal does): each account channel is told, so a client need not poll for stages
            tellEach(reply, "l1", true);
            return;
        }
        JsonNode changed = reply.path("accounts");
        for (String ch : channels) {
            if (!ch.startsWith(ACCOUNT)) continue;
            String trader = ch.substring(ACCOUNT.length());
            for (JsonNode a : changed) {
                if (trader.equals(a.asText())) {
                    readAccount(ch, reply.path("seq").asLong());
                    break;
                }
            }
            ArrayNode mine = TraderApi.JSON.createArrayNode();
            for (JsonNode e : reply.path("events")) if (concerns(e, trader)) mine.add(e);
            if (mine.isEmpty()) continue;
            ObjectNode m = TraderApi.JSON.createObjectNode();
            m.put("channel", ch);
            m.put("seq", reply.path("seq").asLong());
            m.set("events", mine);
            sendOn(ch, m);
        }
    }

    /**
     * Reads an account channel's balance and positions for a push after the command at {@code seq}
     * changed them, unless a read is on its way already: then once more after it, if that read's
     * state is older than the change.
     */
    private void readAccount(String channel, long seq) {
        synchronized (this) {
            changedAt.merge(channel, seq, Math::max);
            if (!reading.add(channel)) return;
        }
        // through the log, not from the member's state (Gateway.readReply): a read from the state can stand at a seq whose
        // events this socket has not been sent yet, and a push there would come before them on the channel, out of seq order
        api.gateway().queryReply(Command.QueryKind.BALANCES, 0, Address.fromHex(channel.substring(ACCOUNT.length())), null)
                .whenComplete((r, t) -> onAccountRead(channel, t == null ? r.json() : null, t));
    }

    /** Pushes {@code {channel, seq, account: {trader, free, nonce, positions}}}, the account as of the read's seq. */
    private void onAccountRead(String channel, ObjectNode reply, Throwable failed) {
        long seq = failed == null ? reply.path("seq").asLong() : Long.MAX_VALUE; // after a failure, the next change reads again
        boolean fresh;
        synchronized (this) {
            fresh = failed == null && seq > pushedAt.getOrDefault(channel, Long.MIN_VALUE);
            if (fresh) pushedAt.put(channel, seq);
        }
        if (failed != null) {
            // the client is told, as for a snapshot that failed; the next change reads again
            ObjectNode m = TraderApi.JSON.createObjectNode();
            m.put("channel", channel);
            m.setAll(api.refuse(TraderApi.unwrap(failed)));
            sendRaw(m);
        } else if (fresh) {
            ObjectNode m = TraderApi.JSON.createObjectNode();
            m.put("channel", channel);
            m.put("seq", seq);
            m.set("account", reply.path("account"));
            sendOn(channel, m);
        }
        long change;
        synchronized (this) {
            reading.remove(channel);
            change = changedAt.getOrDefault(channel, Long.MIN_VALUE);
        }
        if (change > seq) readAccount(channel, change);
    }

    /** Sends every subscribed channel (or only the account channels) {@code {channel, seq, field}} from {@code reply}. */
    private void tellEach(ObjectNode reply, String field, boolean accountsOnly) {
        for (String ch : channels) {
            if (accountsOnly && !ch.startsWith(ACCOUNT)) continue;
            ObjectNode m = TraderApi.JSON.createObjectNode();
            m.put("channel", ch);
            m.put("seq", reply.path("seq").asLong());
            m.set(field, reply.get(field));
            sendOn(ch, m);
        }
    }

    /**
     * Whether a reply's event goes to {@code trader}'s account channel: it names the trader as the owner of its order
     * ({@code trader}), as either side of a fill ({@code makerTrader}, {@code takerTrader}), or as the position the
     * insurance fund closed against ({@code counterparty} of a {@code Deleveraged}: the account push alone would show the
     * position shrink without why).
     */
    public static boolean concerns(JsonNode event, String trader) {
        return trader.equals(event.path("trader").asText()) || trader.equals(event.path("makerTrader").asText())
                || trader.equals(event.path("takerTrader").asText()) || trader.equals(event.path("counterparty").asText());
    }

    private static boolean hasFills(ObjectNode reply) {
        for (JsonNode e : reply.path("events")) if (e.path("event").asText().equals("Filled")) return true;
        return false;
    }

    private void send(JsonNode id, ObjectNode body) {
        ObjectNode out = TraderApi.JSON.createObjectNode();
        out.set("id", id);
        out.setAll(body);
        sendRaw(out);
    }

    private void sendRaw(ObjectNode body) {
        sendText(body.toString());
    }

    /** A text frame of UTF-8 bytes as they are: through Jetty's core session when it is there, else as a String. */
    private void sendFrame(byte[] utf8) {
        Session s = session;
        if (s == null || !s.isOpen()) return; // the client left; its request stands as the cluster decided
        if (s instanceof WebSocketSession jetty) {
            jetty.getCoreSession().sendFrame(new Frame(OpCode.TEXT, ByteBuffer.wrap(utf8)), org.eclipse.jetty.util.Callback.NOOP, false);
        } else {
            s.sendText(new String(utf8, StandardCharsets.UTF_8), Callback.NOOP);
        }
    }

    private void sendText(String text) {
        Session s = session;
        if (s == null || !s.isOpen()) return; // the client left; its request stands as the cluster decided
        s.sendText(text, Callback.NOOP);
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason) {
        api.gateway().unlisten(stream);
        if (session != null) api.counts.socketClosed(); // opened, and closed once
        session = null;
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        log.debug("event=socket_error error=\"{}\"", cause.toString());
        api.gateway().unlisten(stream);
    }
}
