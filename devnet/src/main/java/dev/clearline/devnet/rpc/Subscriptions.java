package dev.clearline.devnet.rpc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clearline.devnet.node.Block;
import dev.clearline.devnet.node.DevnetNode;
import dev.clearline.devnet.node.LogEntry;
import dev.clearline.devnet.node.PoolJournal;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code eth_subscribe} over a WebSocket: {@code newHeads} (each new block's header),
 * {@code logs} (each new log a filter matches) and {@code newPendingTransactions} (the hash of each
 * transaction the pool accepts; with {@code true}, as geth allows, the whole transaction), pushed
 * as {@code eth_subscription} notifications in order, as geth and Hardhat's node push them. One thread delivers for every connection:
 * it wakes when the node's head moves and sends each subscription what came since it last looked,
 * so mining never waits for a client. A revert ({@code evm_revert}) winds subscriptions back to the
 * block it returned to, and the blocks mined after it are sent as new (a dev node's revert sends no
 * "removed" logs; Hardhat's sends none either).
 */
final class Subscriptions implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Subscriptions.class);

    /** Where a subscription's notifications go: one WebSocket connection, which also owns its subscriptions. */
    interface Sink {
        void send(String text);
    }

    private sealed interface Kind permits NewHeads, Logs, PendingTransactions {}

    private record PendingTransactions(boolean full) implements Kind {}

    private record NewHeads() implements Kind {}

    private record Logs(List<String> addresses, List<List<String>> topics) implements Kind {}

    private static final class Subscription {
        final String id;
        final Kind kind;
        final Sink sink;
        /** The last block whose notifications were sent (touched by the delivering thread only, once live). */
        long lastSeen;
        /** The last pool journal number sent ({@code newPendingTransactions}). */
        long poolSeen;

        Subscription(String id, Kind kind, Sink sink, long lastSeen, long poolSeen) {
            this.id = id;
            this.kind = kind;
            this.sink = sink;
            this.lastSeen = lastSeen;
            this.poolSeen = poolSeen;
        }
    }

    private final DevnetNode node;
    private final ObjectMapper json = new ObjectMapper();
    private final Map<String, Subscription> live = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong(1);
    /** The lowest block number still unchanged since the last delivery; Long.MAX_VALUE when the head has not moved. */
    private final AtomicLong unchangedUpTo = new AtomicLong(Long.MAX_VALUE);
    private final Semaphore moved = new Semaphore(0);
    private final LongConsumer watcher = n -> {
        unchangedUpTo.accumulateAndGet(n, Math::min);
        moved.release();
    };
    private final Runnable poolWatcher = moved::release;
    private Thread deliverer;
    private volatile boolean closed;

    Subscriptions(DevnetNode node) {
        this.node = node;
    }

    /** {@code eth_subscribe}: a new subscription for {@code sink}; only blocks mined from now on are sent. */
    String subscribe(Params p, Sink sink) {
        JsonNode what = p.has(0) ? p.raw(0) : null;
        Kind kind;
        if (what != null && "newHeads".equals(what.asText())) {
            kind = new NewHeads();
        } else if (what != null && "logs".equals(what.asText())) {
            JsonNode filter = p.has(1) ? p.object(1) : JsonNodeFactory.instance.objectNode();
            kind = new Logs(p.addresses(filter.get("address")), p.topics(filter.get("topics")));
        } else if (what != null && "newPendingTransactions".equals(what.asText())) {
            kind = new PendingTransactions(p.has(1) && p.raw(1).asBoolean(false));
        } else {
            throw p.invalid("eth_subscribe takes \"newHeads\", \"logs\" (with an optional {address, topics} filter) or "
                    + "\"newPendingTransactions\" (with an optional true for whole transactions), got " + (what == null ? "nothing" : what));
        }
        startDelivering();
        String id = String.format("0x%032x", nextId.getAndIncrement());
        live.put(id, new Subscription(id, kind, sink, node.blockNumber(), node.poolJournal().last()));
        return id;
    }

    /** {@code eth_unsubscribe}: true if {@code id} was {@code sink}'s and is now gone. */
    boolean unsubscribe(String id, Sink sink) {
        Subscription s = live.get(id);
        return s != null && s.sink == sink && live.remove(id, s);
    }

    /** Drops every subscription of a connection that closed. */
    void dropAll(Sink sink) {
        live.values().removeIf(s -> s.sink == sink);
    }

    private synchronized void startDelivering() {
        if (deliverer != null || closed) return;
        node.watchHead(watcher);
        node.watchPool(poolWatcher);
        deliverer = Thread.ofPlatform().name("devnet-subscriptions").daemon().start(this::deliverLoop);
    }

    private void deliverLoop() {
        while (!closed) {
            try {
                moved.acquire();
            } catch (InterruptedException e) {
                return;
            }
            moved.drainPermits();
            // the head first, then what changed: a block mined in between is then sent on the next round, not twice
            long head = node.blockNumber();
            long unchanged = unchangedUpTo.getAndSet(Long.MAX_VALUE);
            for (Subscription s : live.values()) {
                try {
                    deliver(s, Math.min(s.lastSeen, unchanged), head);
                } catch (RuntimeException e) {
                    LOG.warn("subscription delivery failed subscription={} error={}", s.id, e.toString());
                }
            }
        }
    }

    private void deliver(Subscription s, long after, long head) {
        long sent = after;
        switch (s.kind) {
            case NewHeads h -> {
                for (long n = after + 1; n <= head; n++) {
                    Optional<Block> b = node.block(n);
                    if (b.isEmpty()) break; // reverted meanwhile: the next round starts over from the revert
                    notify(s, header(b.get()));
                    sent = n;
                }
            }
            case Logs l -> {
                if (head > after) {
                    for (LogEntry e : node.logs(after + 1, head, l.addresses(), l.topics())) notify(s, JsonViews.log(e));
                    sent = head;
                }
            }
            case PendingTransactions pt -> {
                PoolJournal.Since since = node.poolJournal().since(s.poolSeen);
                for (String hash : since.hashes()) {
                    if (!pt.full()) {
                        notify(s, JsonNodeFactory.instance.textNode(hash));
                        continue;
                    }
                    // dropped from the pool since: nothing left to show
                    node.transaction(hash).ifPresent(v -> notify(s, JsonViews.transaction(v.tx(), v.block(), v.index())));
                }
                s.poolSeen = since.upTo();
            }
        }
        s.lastSeen = sent;
    }

    /** A block as {@code newHeads} sends it: the header's fields, without the transactions. */
    private static ObjectNode header(Block b) {
        ObjectNode o = JsonViews.block(b, false);
        o.remove("transactions");
        o.remove("uncles");
        o.remove("withdrawals");
        return o;
    }

    private void notify(Subscription s, JsonNode result) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("jsonrpc", "2.0");
        n.put("method", "eth_subscription");
        ObjectNode params = n.putObject("params");
        params.put("subscription", s.id);
        params.set("result", result);
        try {
            s.sink.send(json.writeValueAsString(n));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a notification", e);
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        live.clear();
        node.unwatchHead(watcher);
        node.unwatchPool(poolWatcher);
        if (deliverer != null) deliverer.interrupt();
    }
}
