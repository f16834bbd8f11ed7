package dev.clearline.devnet.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.clearline.devnet.node.DevnetNode;
import dev.clearline.devnet.node.LogEntry;
import dev.clearline.devnet.node.NodeError;
import dev.clearline.devnet.node.PoolJournal;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** Installed filters (eth_newFilter, eth_newBlockFilter, eth_newPendingTransactionFilter) and what each has already reported. */
final class Filters {
    /** A log query over a block range; {@code to} is Long.MAX_VALUE for "latest at the time of asking". */
    record Query(long from, long to, List<String> addresses, List<List<String>> topics, boolean followsHead) {}

    private sealed interface Filter permits LogFilter, BlockFilter, PendingFilter {}

    /** The hashes of transactions the pool accepted since the last poll. */
    private static final class PendingFilter implements Filter {
        long poolSeen;

        PendingFilter(long poolSeen) {
            this.poolSeen = poolSeen;
        }
    }

    private static final class LogFilter implements Filter {
        final Query query;
        long lastSeen;

        LogFilter(Query query, long lastSeen) {
            this.query = query;
            this.lastSeen = lastSeen;
        }
    }

    private static final class BlockFilter implements Filter {
        long lastSeen;

        BlockFilter(long lastSeen) {
            this.lastSeen = lastSeen;
        }
    }

    private final DevnetNode node;
    private final Map<String, Filter> installed = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong(1);

    Filters(DevnetNode node) {
        this.node = node;
    }

    Query query(Params p, JsonNode o) {
        long head = node.blockNumber();
        List<String> addresses = p.addresses(o.get("address"));
        List<List<String>> topics = p.topics(o.get("topics"));
        if (o.hasNonNull("blockHash")) {
            if (o.hasNonNull("fromBlock") || o.hasNonNull("toBlock")) throw p.invalid("blockHash excludes fromBlock/toBlock");
            String hash = o.get("blockHash").asText();
            long n = node.blockByHash(hash).orElseThrow(() -> new RpcFailure(NodeError.INVALID_INPUT, "unknown block " + hash)).number();
            return new Query(n, n, addresses, topics, false);
        }
        boolean follows = !o.hasNonNull("toBlock") || isHeadTag(o.get("toBlock"));
        long from = tag(p, o.get("fromBlock"), head);
        long to = follows ? Long.MAX_VALUE : tag(p, o.get("toBlock"), head);
        if (!follows && from > to) throw p.invalid("fromBlock " + from + " is after toBlock " + to);
        return new Query(from, to, addresses, topics, follows);
    }

    private static boolean isHeadTag(JsonNode n) {
        return n.isTextual() && List.of("latest", "pending", "safe", "finalized").contains(n.asText());
    }

    private static long tag(Params p, JsonNode n, long head) {
        if (n == null || n.isNull() || isHeadTag(n)) return head;
        if (n.isTextual() && n.asText().equals("earliest")) return 0;
        return p.quantity(n, "block").longValue();
    }

    String newLogFilter(Query q) {
        String id = JsonViews.qty(nextId.getAndIncrement());
        installed.put(id, new LogFilter(q, Math.min(q.from(), node.blockNumber() + 1) - 1));
        return id;
    }

    String newBlockFilter() {
        String id = JsonViews.qty(nextId.getAndIncrement());
        installed.put(id, new BlockFilter(node.blockNumber()));
        return id;
    }

    String newPendingTransactionFilter() {
        String id = JsonViews.qty(nextId.getAndIncrement());
        installed.put(id, new PendingFilter(node.poolJournal().last()));
        return id;
    }

    boolean uninstall(String id) {
        return installed.remove(id) != null;
    }

    JsonNode changes(String id) {
        Filter f = installed.get(id);
        if (f == null) throw new RpcFailure(NodeError.INVALID_INPUT, "filter not found: " + id + " (filters are lost when the node restarts)");
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        long head = node.blockNumber();
        synchronized (f) {
            switch (f) {
                case LogFilter lf -> {
                    long from = Math.max(lf.query.from(), Math.min(lf.lastSeen, head) + 1);
                    long to = Math.min(lf.query.to(), head);
                    for (LogEntry l : node.logs(from, to, lf.query.addresses(), lf.query.topics())) out.add(JsonViews.log(l));
                    lf.lastSeen = Math.max(lf.lastSeen, to);
                    if (lf.lastSeen > head) lf.lastSeen = head;
                }
                case BlockFilter bf -> {
                    for (long n = Math.min(bf.lastSeen, head) + 1; n <= head; n++) out.add(node.block(n).orElseThrow().hash());
                    bf.lastSeen = head;
                }
                case PendingFilter pf -> {
                    PoolJournal.Since since = node.poolJournal().since(pf.poolSeen);
                    since.hashes().forEach(out::add);
                    pf.poolSeen = since.upTo();
                }
            }
        }
        return out;
    }

    JsonNode allLogs(String id) {
        if (!(installed.get(id) instanceof LogFilter lf)) {
            throw new RpcFailure(NodeError.INVALID_INPUT, "log filter not found: " + id);
        }
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        for (LogEntry l : node.logs(lf.query.from(), lf.query.to(), lf.query.addresses(), lf.query.topics())) out.add(JsonViews.log(l));
        return out;
    }
}
