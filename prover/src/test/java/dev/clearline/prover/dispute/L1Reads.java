package dev.clearline.prover.dispute;

import dev.clearline.devnet.junit.ForwardingTransport;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.web3j.abi.EventEncoder;
import org.web3j.abi.datatypes.Event;
import org.web3j.protocol.ObjectMapperFactory;
import org.web3j.protocol.Web3jService;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.Response;
import org.web3j.utils.Numeric;

/**
 * A real node, noting the block range of every log query for each event, the selector of every
 * {@code eth_call} and the count of every method: how often, from where and what a watcher asks.
 */
final class L1Reads extends ForwardingTransport {
    private record Query(String filter, long from, long to) {}

    private final List<Query> queries = new ArrayList<>();

    private final List<String> calls = new ArrayList<>();
    private final java.util.Map<String, Integer> methods = new java.util.HashMap<>();

    L1Reads(Web3jService node) {
        super(node);
    }

    /** The [from, to] ranges of the queries for {@code event}, in the order asked. */
    synchronized List<long[]> ranges(Event event) {
        String topic = EventEncoder.encode(event);
        return queries.stream().filter(q -> q.filter().contains(topic)).map(q -> new long[] {q.from(), q.to()}).toList();
    }

    /** How many {@code eth_call}s of the function with canonical signature {@code signature} were made so far. */
    synchronized long calls(String signature) {
        String selector = org.web3j.crypto.Hash.sha3String(signature).substring(0, 10);
        return calls.stream().filter(selector::equals).count();
    }

    /** How many requests of JSON-RPC method {@code method} were made so far. */
    synchronized int requests(String method) {
        return methods.getOrDefault(method, 0);
    }

    @Override
    @SuppressWarnings({"rawtypes", "unchecked"})
    public <T extends Response> T send(Request request, Class<T> type) throws IOException {
        synchronized (this) {
            methods.merge(request.getMethod(), 1, Integer::sum);
        }
        if ("eth_getLogs".equals(request.getMethod())) {
            var filter = ObjectMapperFactory.getObjectMapper().valueToTree(request.getParams().getFirst());
            synchronized (this) {
                queries.add(new Query(filter.toString(), Numeric.decodeQuantity(filter.get("fromBlock").asText()).longValueExact(),
                        Numeric.decodeQuantity(filter.get("toBlock").asText()).longValueExact()));
            }
        }
        if ("eth_call".equals(request.getMethod()) && request.getParams().getFirst() instanceof org.web3j.protocol.core.methods.request.Transaction t
                && t.getData() != null && t.getData().length() >= 10) {
            synchronized (this) {
                calls.add(t.getData().substring(0, 10));
            }
        }
        return super.send(request, type);
    }

    @Override
    public void close() {
        // the node is the test's
    }
}
