package dev.clearline.sequencer.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clearline.engine.order.Eip712;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Signer;

import java.util.HexFormat;

/** Signed requests as a trader's program would send them. */
public final class OrderJson {
    private OrderJson() {}

    public static ObjectNode order(Signer s, Order o, Eip712 domain) {
        ObjectNode n = unsigned(o);
        n.put("signature", "0x" + HexFormat.of().formatHex(s.sign(domain.orderDigest(o)).encoded()));
        return n;
    }

    public static ObjectNode order(dev.clearline.sequencer.FastSigner s, Order o, Eip712 domain) {
        ObjectNode n = unsigned(o);
        n.put("signature", "0x" + HexFormat.of().formatHex(s.sign(domain.orderDigest(o)).encoded()));
        return n;
    }

    public static ObjectNode unsigned(Order o) {
        return RequestJson.unsigned(o);
    }

    public static ObjectNode cancel(Signer s, Hash32 orderHash, Eip712 domain) {
        ObjectNode n = WsClient.JSON.createObjectNode();
        n.put("owner", s.address().toString());
        n.put("orderHash", orderHash.toString());
        n.put("signature", "0x" + HexFormat.of().formatHex(s.sign(domain.cancelDigest(s.address(), orderHash)).encoded()));
        return n;
    }

    public static ObjectNode op(String op, ObjectNode body) {
        body.put("op", op);
        return body;
    }
}
