package dev.clearline.prover.dispute;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.web3j.crypto.Hash;
import dev.clearline.devnet.junit.ForwardingTransport;
import org.web3j.protocol.Web3jService;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.Response;

/**
 * A real node behind a lossy path: the first {@code drops} raw transactions are answered as
 * accepted (with their hash) but never reach the node, as when a mempool evicts them. Everything
 * else goes through untouched; every raw transaction sent is kept for the test to inspect. While
 * {@link #unreachable} is set, every call fails as it does when the node is down.
 */
final class DroppingTransport extends ForwardingTransport {
    private int drops;
    /** While true every call fails as a node that cannot be reached does. */
    volatile boolean unreachable;
    /** Calls refused while {@link #unreachable} was set: how many times a client tried a node that was down. */
    final java.util.concurrent.atomic.AtomicInteger refused = new java.util.concurrent.atomic.AtomicInteger();
    final List<String> sent = new ArrayList<>();

    DroppingTransport(Web3jService node, int drops) {
        super(node);
        this.drops = drops;
    }

    @Override
    @SuppressWarnings({"rawtypes", "unchecked"})
    public synchronized <T extends Response> T send(Request request, Class<T> responseType) throws IOException {
        if (unreachable) {
            refused.incrementAndGet();
            throw new java.net.ConnectException("Failed to connect to /127.0.0.1:8545");
        }
        if ("eth_sendRawTransaction".equals(request.getMethod())) {
            String raw = (String) request.getParams().get(0);
            sent.add(raw);
            if (drops > 0) {
                drops--;
                try {
                    T r = responseType.getDeclaredConstructor().newInstance();
                    ((Response<Object>) r).setResult(Hash.sha3(raw));
                    return r;
                } catch (ReflectiveOperationException e) {
                    throw new IOException(e);
                }
            }
        }
        return (T) node.send(request, responseType);
    }
}
