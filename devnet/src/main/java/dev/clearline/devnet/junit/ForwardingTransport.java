package dev.clearline.devnet.junit;

import io.reactivex.Flowable;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import org.web3j.protocol.Web3jService;
import org.web3j.protocol.core.BatchRequest;
import org.web3j.protocol.core.BatchResponse;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.websocket.events.Notification;

/**
 * A real node seen through a test's lens: every call goes to {@code node} unchanged. A subclass
 * overrides {@link #send} to drop, time, refuse or thin out some calls (a lossy path, a capped or
 * lagging RPC); asynchronous calls and each request of a batch go through it too. Part of the
 * JUnit harness, so every module's tests put the devnet behind the same lens.
 */
public abstract class ForwardingTransport implements Web3jService {
    protected final Web3jService node;

    protected ForwardingTransport(Web3jService node) {
        this.node = node;
    }

    @Override
    @SuppressWarnings({"rawtypes", "unchecked"})
    public <T extends Response> T send(Request request, Class<T> responseType) throws IOException {
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

    /** Each request of a batch goes through {@link #send}, so a subclass sees every call; answered as one batch. */
    @Override
    public BatchResponse sendBatch(BatchRequest batch) throws IOException {
        java.util.List<Response<?>> answers = new java.util.ArrayList<>();
        for (Request<?, ? extends Response<?>> r : batch.getRequests()) answers.add(send(r, r.getResponseType()));
        return new BatchResponse(batch.getRequests(), answers);
    }

    @Override
    public CompletableFuture<BatchResponse> sendBatchAsync(BatchRequest batch) {
        try {
            return CompletableFuture.completedFuture(sendBatch(batch));
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
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
