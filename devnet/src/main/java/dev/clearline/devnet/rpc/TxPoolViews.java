package dev.clearline.devnet.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clearline.devnet.node.SignedTx;
import java.util.List;
import java.util.function.Function;

/**
 * geth's {@code txpool_status}, {@code txpool_content} and {@code txpool_inspect} (Anvil serves them
 * too): what waits in the pool, by sender and nonce, for an operator looking for a stuck
 * transaction. {@code pending}: what the next block may take; {@code queued}: what waits behind a
 * nonce gap (automine off) until the missing nonces arrive.
 */
final class TxPoolViews {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private TxPoolViews() {}

    static ObjectNode status(List<SignedTx> pool, List<SignedTx> queued) {
        ObjectNode o = F.objectNode();
        o.put("pending", JsonViews.qty(pool.size()));
        o.put("queued", JsonViews.qty(queued.size()));
        return o;
    }

    /** Each waiting transaction as eth_getTransactionByHash shows it, under its sender and its nonce (decimal, as geth keys it). */
    static ObjectNode content(List<SignedTx> pool, List<SignedTx> queued) {
        return bySenderAndNonce(pool, queued, t -> JsonViews.transaction(t, null, 0));
    }

    /** Each waiting transaction in geth's one-line summary: {@code to: value wei + gas gas × price wei}. */
    static ObjectNode inspect(List<SignedTx> pool, List<SignedTx> queued) {
        return bySenderAndNonce(pool, queued, t -> F.textNode((t.to() == null ? "contract creation" : t.to()) + ": " + t.value() + " wei + "
                + t.gasLimit() + " gas × " + t.maxFeePerGas() + " wei"));
    }

    private static ObjectNode bySenderAndNonce(List<SignedTx> pool, List<SignedTx> queued, Function<SignedTx, JsonNode> view) {
        ObjectNode o = F.objectNode();
        put(o.putObject("pending"), pool, view);
        put(o.putObject("queued"), queued, view);
        return o;
    }

    private static void put(ObjectNode part, List<SignedTx> txs, Function<SignedTx, JsonNode> view) {
        for (SignedTx t : txs) {
            ObjectNode bySender = part.has(t.from()) ? (ObjectNode) part.get(t.from()) : part.putObject(t.from());
            bySender.set(t.nonce().toString(), view.apply(t));
        }
    }
}
