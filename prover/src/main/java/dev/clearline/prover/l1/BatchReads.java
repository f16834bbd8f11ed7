package dev.clearline.prover.l1;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.BatchRequest;
import org.web3j.protocol.core.BatchResponse;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.Response;

/**
 * Many reads of one kind sent to L1 in JSON-RPC batch requests, {@code perRequest} calls at most in each: a reader that
 * asks one call after another pays a round trip each, and on a distant endpoint those round trips are most of its time
 * (a replay from the deployment reads one posting transaction per batch ever posted; `status` up to 200 claims).
 *
 * <p>An answer counts only for the request whose id it carries (a node may answer a batch in any order), only when it
 * is of the expected kind and no error object, and only once the caller's {@code take} accepts it; every other place
 * comes back empty, for the caller to ask alone. An endpoint that refuses a batch request (one error object where an
 * array belongs, a cap below ours, an answer of another length) is sent no batch again by this reader: the rest goes
 * one call at a time.
 */
public final class BatchReads {
    private final Web3j web3j;
    private final int perRequest;
    private boolean batches = true;

    public BatchReads(Web3j web3j, int perRequest) {
        if (perRequest < 2) throw new IllegalArgumentException("a batch request holds at least two calls, not " + perRequest);
        this.web3j = web3j;
        this.perRequest = perRequest;
    }

    /** Whether this reader still sends batch requests (false once the endpoint refused one). */
    public boolean batching() {
        return batches;
    }

    /**
     * The answers to {@code requests}, in their order: each as {@code take} reads it from an answer of class
     * {@code kind}, or empty where the batch left it unanswered (or the endpoint takes no batches).
     */
    public <R extends Response<?>, T> List<Optional<T>> read(List<? extends Request<?, R>> requests, Class<R> kind, Function<R, Optional<T>> take) {
        List<Optional<T>> out = new ArrayList<>(requests.size());
        for (int from = 0; from < requests.size(); from += perRequest) {
            out.addAll(inOneRequest(requests.subList(from, Math.min(requests.size(), from + perRequest)), kind, take));
        }
        return out;
    }

    private <R extends Response<?>, T> List<Optional<T>> inOneRequest(List<? extends Request<?, R>> part, Class<R> kind,
                                                                      Function<R, Optional<T>> take) {
        List<Optional<T>> none = Collections.nCopies(part.size(), Optional.empty());
        // one call gains nothing from a batch, and an endpoint that refused one is not asked again
        if (part.size() < 2 || !batches) return none;
        BatchResponse answer;
        try {
            BatchRequest batch = web3j.newBatch();
            part.forEach(batch::add);
            answer = batch.send();
        } catch (IOException | RuntimeException refused) {
            batches = false;
            return none;
        }
        if (answer.getResponses().size() != part.size()) {
            batches = false;
            return none;
        }
        List<Optional<T>> out = new ArrayList<>(part.size());
        for (int k = 0; k < part.size(); k++) {
            Response<?> r = answer.getResponses().get(k);
            boolean ours = kind.isInstance(r) && !r.hasError() && r.getId() == answer.getRequests().get(k).getId();
            out.add(ours ? take.apply(kind.cast(r)) : Optional.empty());
        }
        return out;
    }
}
