package dev.clearline.prover.l1;

import dev.clearline.devnet.junit.ForwardingTransport;
import java.io.IOException;
import java.math.BigInteger;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.web3j.protocol.Web3jService;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.core.methods.response.EthLog;

/**
 * A real node behind a hosted RPC's limits on {@code eth_getLogs}: a query whose answer holds more
 * than {@code maxResults} logs is refused as Infura refuses it (code -32005, "query returned more
 * than N results"), and one over more than {@code maxBlocks} blocks as Alchemy refuses it (-32602,
 * "block range"). Everything else goes through untouched. Closing it leaves the node open.
 */
final class CappedLogsTransport extends ForwardingTransport {
    private final int maxResults;
    private final long maxBlocks;
    /** eth_getLogs queries asked, refused or not. */
    final AtomicInteger queries = new AtomicInteger();

    CappedLogsTransport(Web3jService node, int maxResults, long maxBlocks) {
        super(node);
        this.maxResults = maxResults;
        this.maxBlocks = maxBlocks;
    }

    @Override
    @SuppressWarnings({"rawtypes", "unchecked"})
    public <T extends Response> T send(Request request, Class<T> responseType) throws IOException {
        T answer = (T) node.send(request, responseType);
        if (!"eth_getLogs".equals(request.getMethod())) return answer;
        queries.incrementAndGet();
        Object filter = request.getParams().getFirst();
        Map<String, Object> f = org.web3j.protocol.ObjectMapperFactory.getObjectMapper().convertValue(filter, Map.class);
        String fromHex = String.valueOf(f.get("fromBlock"));
        String toHex = String.valueOf(f.get("toBlock"));
        boolean numbered = fromHex.startsWith("0x") && toHex.startsWith("0x");
        if (numbered && new BigInteger(toHex.substring(2), 16).subtract(new BigInteger(fromHex.substring(2), 16)).longValueExact() + 1 > maxBlocks) {
            return refusal(responseType, -32602, "Log response size exceeded. You can make eth_getLogs requests with up to a " + maxBlocks
                    + " block range");
        }
        if (!answer.hasError() && ((EthLog) answer).getLogs().size() > maxResults) {
            return refusal(responseType, -32005, "query returned more than " + maxResults + " results");
        }
        return answer;
    }

    private static <T extends Response> T refusal(Class<T> type, int code, String message) throws IOException {
        try {
            T r = type.getDeclaredConstructor().newInstance();
            r.setError(new Response.Error(code, message));
            return r;
        } catch (ReflectiveOperationException e) {
            throw new IOException(e);
        }
    }

    @Override
    public void close() {
        // the node is the test's
    }
}
