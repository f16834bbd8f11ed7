package dev.clearline.devnet.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.clearline.devnet.node.CallRequest;
import dev.clearline.devnet.node.NodeError;
import dev.clearline.evm.Hex;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;


/** Positional JSON-RPC parameters, read with -32602 errors that name the bad argument. */
final class Params {
    // The forms are checked by hand, in one pass, not by regular expressions: a raw transaction's
    // hundreds of digits through a regex, then decoded again digit by digit, was measured among the
    // largest costs of an eth_sendRawTransaction on the devnet's C1-compiled request path.

    private final String method;
    private final JsonNode params;

    Params(String method, JsonNode params) {
        this.method = method;
        this.params = params == null || params.isNull() ? MissingNode.getInstance() : params;
        if (!this.params.isMissingNode() && !this.params.isArray()) {
            throw invalid("params must be an array");
        }
    }

    int size() {
        return params.isMissingNode() ? 0 : params.size();
    }

    boolean has(int i) {
        return i < size() && !params.get(i).isNull();
    }

    JsonNode raw(int i) {
        return has(i) ? params.get(i) : MissingNode.getInstance();
    }

    RpcFailure invalid(String message) {
        return new RpcFailure(NodeError.INVALID_PARAMS, "invalid params for " + method + ": " + message);
    }

    private JsonNode required(int i, String what) {
        if (!has(i)) throw invalid("missing argument " + i + " (" + what + ")");
        return params.get(i);
    }

    String address(int i) {
        return address(required(i, "address"), "argument " + i);
    }

    String address(JsonNode n, String where) {
        if (!n.isTextual() || !isHex(n.asText(), 40)) {
            throw invalid(where + " must be a 20-byte hex address, got " + n);
        }
        return n.asText().toLowerCase();
    }

    String hash(int i) {
        JsonNode n = required(i, "32-byte hash");
        if (!n.isTextual() || !isHex(n.asText(), 64)) {
            throw invalid("argument " + i + " must be a 32-byte hex hash, got " + n);
        }
        return n.asText().toLowerCase();
    }

    byte[] data(int i) {
        return data(required(i, "hex data"), "argument " + i);
    }

    byte[] data(JsonNode n, String where) {
        String text = n.isTextual() ? n.asText() : null;
        if (text == null || !text.startsWith("0x") || text.length() % 2 != 0) {
            throw invalid(where + " must be 0x-prefixed hex with an even number of digits, got " + abbreviate(n));
        }
        try {
            return Hex.decode(text);
        } catch (IllegalArgumentException notHex) {
            throw invalid(where + " must be 0x-prefixed hex with an even number of digits, got " + abbreviate(n));
        }
    }

    BigInteger quantity(int i) {
        return quantity(required(i, "hex quantity"), "argument " + i);
    }

    BigInteger quantity(JsonNode n, String where) {
        if (n.isIntegralNumber() && n.bigIntegerValue().signum() >= 0) return n.bigIntegerValue();
        if (!n.isTextual() || !isQuantity(n.asText())) {
            throw invalid(where + " must be a hex quantity like 0x1a (no leading zeros), got " + n);
        }
        return new BigInteger(n.asText().substring(2), 16);
    }

    /** {@code 0x} and exactly {@code digits} hex digits. */
    private static boolean isHex(String text, int digits) {
        return text.length() == 2 + digits && text.startsWith("0x") && Hex.isDigits(text, 2);
    }

    /** {@code 0x0}, or {@code 0x} and hex digits without a leading zero. */
    private static boolean isQuantity(String text) {
        if (text.length() < 3 || !text.startsWith("0x") || !Hex.isDigits(text, 2)) return false;
        return text.charAt(2) != '0' || text.length() == 3;
    }

    long longQuantity(int i) {
        BigInteger q = quantity(i);
        if (q.bitLength() > 62) throw invalid("argument " + i + " is too large: " + q);
        return q.longValue();
    }

    boolean bool(int i, boolean fallback) {
        if (!has(i)) return fallback;
        JsonNode n = params.get(i);
        if (!n.isBoolean()) throw invalid("argument " + i + " must be true or false, got " + n);
        return n.asBoolean();
    }

    JsonNode object(int i) {
        JsonNode n = required(i, "object");
        if (!n.isObject()) throw invalid("argument " + i + " must be an object, got " + abbreviate(n));
        return n;
    }

    CallRequest call(int i) {
        JsonNode o = object(i);
        String from = o.hasNonNull("from") ? address(o.get("from"), "from") : null;
        String to = o.hasNonNull("to") ? address(o.get("to"), "to") : null;
        Long gas = o.hasNonNull("gas") ? quantity(o.get("gas"), "gas").longValue() : null;
        BigInteger price = o.hasNonNull("gasPrice") ? quantity(o.get("gasPrice"), "gasPrice")
                : o.hasNonNull("maxFeePerGas") ? quantity(o.get("maxFeePerGas"), "maxFeePerGas") : null;
        BigInteger value = o.hasNonNull("value") ? quantity(o.get("value"), "value") : null;
        JsonNode input = o.hasNonNull("input") ? o.get("input") : o.get("data");
        // both given and different: which one the caller meant cannot be told (geth refuses it too)
        if (o.hasNonNull("input") && o.hasNonNull("data") && !o.get("input").asText().equalsIgnoreCase(o.get("data").asText())) {
            throw invalid("both input and data are set and differ; send the call's data in one of them");
        }
        byte[] data = input == null || input.isNull() ? null : data(input, "input");
        return new CallRequest(from, to, gas, price, value, data);
    }

    List<String> addresses(JsonNode n) {
        List<String> out = new ArrayList<>();
        if (n == null || n.isNull() || n.isMissingNode()) return out;
        if (n.isArray()) for (JsonNode a : n) out.add(address(a, "address"));
        else out.add(address(n, "address"));
        return out;
    }

    List<List<String>> topics(JsonNode n) {
        List<List<String>> out = new ArrayList<>();
        if (n == null || n.isNull() || n.isMissingNode()) return out;
        if (!n.isArray()) throw invalid("topics must be an array");
        for (JsonNode t : n) {
            List<String> alternatives = new ArrayList<>();
            if (t.isArray()) {
                for (JsonNode a : t) alternatives.add(topic(a));
            } else if (!t.isNull()) {
                alternatives.add(topic(t));
            }
            out.add(alternatives);
        }
        return out;
    }

    private String topic(JsonNode t) {
        if (!t.isTextual() || !isHex(t.asText(), 64)) throw invalid("topic must be a 32-byte hex value, got " + t);
        return t.asText().toLowerCase();
    }

    private static String abbreviate(JsonNode n) {
        String s = n.toString();
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }
}
