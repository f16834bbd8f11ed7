package dev.clearline.sequencer.poster;

import io.reactivex.Flowable;
import org.web3j.crypto.Hash;
import org.web3j.protocol.Web3jService;
import org.web3j.protocol.core.BatchRequest;
import org.web3j.protocol.core.BatchResponse;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.websocket.events.Notification;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A real node behind a lossy path: the first {@code drops} raw transactions are answered as
 * accepted but never reach the node (a mempool that evicted them, a load balancer that lost
 * them), and the next {@code refusals} are refused as underpriced (a node with a higher minimum
 * fee). Everything else goes through untouched.
 */
final class FaultyTransport implements Web3jService {
    private final Web3jService node;
    private int drops;
    private int refusals;
    final List<String> sent = new ArrayList<>();

    FaultyTransport(Web3jService node, int drops, int refusals) {
        this.node = node;
        this.drops = drops;
        this.refusals = refusals;
    }

    @Override
    @SuppressWarnings({"rawtypes", "unchecked"})
    public synchronized <T extends Response> T send(Request request, Class<T> responseType) throws IOException {
        if ("eth_sendRawTransaction".equals(request.getMethod())) {
            String raw = (String) request.getParams().get(0);
            sent.add(raw);
            if (drops > 0) {
                drops--;
                return answer(responseType, Hash.sha3(raw), null);
            }
            if (refusals > 0) {
                refusals--;
                return answer(responseType, null, "transaction underpriced: gas tip cap below the node's minimum");
            }
        }
        return (T) node.send(request, responseType);
    }

    @SuppressWarnings("rawtypes")
    private static <T extends Response> T answer(Class<T> type, String result, String error) throws IOException {
        try {
            T r = type.getDeclaredConstructor().newInstance();
            if (error != null) r.setError(new Response.Error(-32000, error));
            else ((Response<Object>) r).setResult(result);
            return r;
        } catch (ReflectiveOperationException e) {
            throw new IOException(e);
        }
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
    @SuppressWarnings("rawtypes")
    public <T extends Notification<?>> Flowable<T> subscribe(Request request, String unsubscribeMethod, Class<T> responseType) {
        return node.subscribe(request, unsubscribeMethod, responseType);
    }

    @Override
    public void close() throws IOException {
        node.close();
    }
}
