package dev.clearline.prover.dispute;

import dev.clearline.devnet.junit.ForwardingTransport;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.web3j.protocol.Web3jService;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.Response;

/**
 * A real node on a path that can go down: while {@link #unreachable} is set every call fails as it
 * does when the node cannot be reached; otherwise everything goes through untouched, and the raw
 * transactions that reach the node are kept. (A node that drops a transaction is the real pool's
 * {@code hardhat_dropTransaction}, not a path.)
 */
final class UnreachableTransport extends ForwardingTransport {
    /** While true every call fails as a node that cannot be reached does. */
    volatile boolean unreachable;
    /** Calls refused while {@link #unreachable} was set: how many times a client tried a node that was down. */
    final AtomicInteger refused = new AtomicInteger();
    /** Every raw transaction that reached the node. */
    final List<String> sent = Collections.synchronizedList(new ArrayList<>());

    UnreachableTransport(Web3jService node) {
        super(node);
    }

    @Override
    @SuppressWarnings({"rawtypes", "unchecked"})
    public <T extends Response> T send(Request request, Class<T> responseType) throws IOException {
        if (unreachable) {
            refused.incrementAndGet();
            throw new java.net.ConnectException("Failed to connect to /127.0.0.1:8545");
        }
        if ("eth_sendRawTransaction".equals(request.getMethod())) sent.add((String) request.getParams().get(0));
        return (T) node.send(request, responseType);
    }
}
