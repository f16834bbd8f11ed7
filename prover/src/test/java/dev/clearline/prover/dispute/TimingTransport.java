package dev.clearline.prover.dispute;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import dev.clearline.devnet.junit.ForwardingTransport;
import org.web3j.protocol.Web3jService;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.Response;

/** A node seen through a clock: notes when each raw transaction is handed to it ({@link System#nanoTime}). */
final class TimingTransport extends ForwardingTransport {
    private final List<Long> sentAt = new ArrayList<>();

    TimingTransport(Web3jService node) {
        super(node);
    }

    /** When each raw transaction so far was handed over, in order. */
    synchronized List<Long> sentAt() {
        return List.copyOf(sentAt);
    }

    synchronized void clear() {
        sentAt.clear();
    }

    @Override
    @SuppressWarnings({"rawtypes", "unchecked"})
    public <T extends Response> T send(Request request, Class<T> responseType) throws IOException {
        if ("eth_sendRawTransaction".equals(request.getMethod())) {
            synchronized (this) {
                sentAt.add(System.nanoTime());
            }
        }
        return (T) node.send(request, responseType);
    }
}
