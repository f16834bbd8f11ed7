package dev.clearline.prover.dispute;

import io.reactivex.Flowable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.web3j.protocol.Web3jService;
import org.web3j.protocol.core.BatchRequest;
import org.web3j.protocol.core.BatchResponse;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.websocket.events.Notification;

/** A node seen through a clock: notes when each raw transaction is handed to it ({@link System#nanoTime}). */
final class TimingTransport implements Web3jService {
    private final Web3jService node;
    private final List<Long> sentAt = new ArrayList<>();

    TimingTransport(Web3jService node) {
        this.node = node;
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

    @Override
    @SuppressWarnings("rawtypes")
    public <T extends Response> CompletableFuture<T> sendAsync(Request request, Class<T> responseType) {
        try {
            return CompletableFuture.completedFuture(send(request, responseType));
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public BatchResponse sendBatch(BatchRequest batch) throws IOException {
        return node.sendBatch(batch);
    }

    @Override
    public CompletableFuture<BatchResponse> sendBatchAsync(BatchRequest batch) {
        return node.sendBatchAsync(batch);
    }

    @Override
    public <T extends Notification<?>> Flowable<T> subscribe(Request request, String unsubscribeMethod, Class<T> responseType) {
        return node.subscribe(request, unsubscribeMethod, responseType);
    }

    @Override
    public void close() throws IOException {
        node.close();
    }
}
