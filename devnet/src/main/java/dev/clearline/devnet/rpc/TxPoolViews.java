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
 * transaction. The devnet queues nothing behind a nonce gap, so {@code queued} is always empty.
 */
final class TxPoolViews {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private TxPoolViews() {}

    static ObjectNode status(List<SignedTx> pool) {
        ObjectNode o = F.objectNode();
        o.put("pending", JsonViews.qty(pool.size()));
        o.put("queued", JsonViews.qty(0));
        return o;
    }

    /** Each waiting transaction as eth_getTransactionByHash shows it, under its sender and its nonce (decimal, as geth keys it). */
    static ObjectNode content(List<SignedTx> pool) {
        return bySenderAndNonce(pool, t -> JsonViews.transaction(t, null, 0));
    }

    /** Each waiting transaction in geth's one-line summary: {@code to: value wei + gas gas × price wei}. */
    static ObjectNode inspect(List<SignedTx> pool) {
        return bySenderAndNonce(pool, t -> F.textNode((t.to() == null ? "contract creation" : t.to()) + ": " + t.value() + " wei + "
                + t.gasLimit() + " gas × " + t.maxFeePerGas() + " wei"));
    }

    private static ObjectNode bySenderAndNonce(List<SignedTx> pool, Function<SignedTx, JsonNode> view) {
        ObjectNode o = F.objectNode();
        ObjectNode pending = o.putObject("pending");
        for (SignedTx t : pool) {
            ObjectNode bySender = pending.has(t.from()) ? (ObjectNode) pending.get(t.from()) : pending.putObject(t.from());
            bySender.set(t.nonce().toString(), view.apply(t));
        }
        o.putObject("queued");
        return o;
    }
}
