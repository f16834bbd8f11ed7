package dev.clearline.devnet.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.reactivex.Flowable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.web3j.protocol.ObjectMapperFactory;
import org.web3j.protocol.Web3jService;
import org.web3j.protocol.core.BatchRequest;
import org.web3j.protocol.core.BatchResponse;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.websocket.events.Notification;

/**
 * A web3j transport that hands requests straight to the dispatcher: the same JSON-RPC
 * semantics as HTTP without sockets. Use {@code Web3j.build(devnet.web3jService())}.
 */
public final class InProcessWeb3jService implements Web3jService {
    private final RpcDispatcher dispatcher;
    private final ObjectMapper mapper = ObjectMapperFactory.getObjectMapper();

    public InProcessWeb3jService(RpcDispatcher dispatcher) {
        this.dispatcher = dispatcher;
    }

    @Override
    @SuppressWarnings("rawtypes") // the Web3jService interface is declared with raw types
    public <T extends Response> T send(Request request, Class<T> responseType) throws IOException {
        String answer = dispatcher.handle(mapper.writeValueAsString(request));
        return mapper.readValue(answer, responseType);
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
        List<Request<?, ? extends Response<?>>> requests = batch.getRequests();
        JsonNode answers = mapper.readTree(dispatcher.handle(mapper.writeValueAsString(requests)));
        Map<Long, JsonNode> byId = new HashMap<>();
        for (JsonNode a : answers) byId.put(a.get("id").asLong(), a);
        List<Response<?>> responses = new ArrayList<>();
        for (Request<?, ? extends Response<?>> r : requests) {
            responses.add(mapper.treeToValue(byId.get(r.getId()), r.getResponseType()));
        }
        return new BatchResponse(requests, responses);
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
    @SuppressWarnings("rawtypes")
    public <T extends Notification<?>> Flowable<T> subscribe(Request request, String unsubscribeMethod, Class<T> responseType) {
        throw new UnsupportedOperationException("the devnet has no subscriptions (they need a WebSocket); poll with eth_newFilter and eth_getFilterChanges");
    }

    @Override
    public void close() {
        // Nothing to release: the node belongs to whoever started it.
    }
}
