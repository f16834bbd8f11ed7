package dev.clearline.sequencer.poster;

import dev.clearline.devnet.junit.ForwardingTransport;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.web3j.crypto.Hash;
import org.web3j.protocol.Web3jService;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.Response;

/**
 * A real node behind a lossy path: the first {@code drops} raw transactions are answered as
 * accepted but never reach the node (a mempool that evicted them, a load balancer that lost
 * them), and the next {@code refusals} are refused as underpriced (a node with a higher minimum
 * fee). Everything else goes through untouched.
 */
final class FaultyTransport extends ForwardingTransport {
    private int drops;
    private int refusals;
    final List<String> sent = new ArrayList<>();

    FaultyTransport(Web3jService node, int drops, int refusals) {
        super(node);
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
}
