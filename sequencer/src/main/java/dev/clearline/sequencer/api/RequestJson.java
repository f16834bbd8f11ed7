package dev.clearline.sequencer.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clearline.engine.exchange.CancelRequest;
import dev.clearline.engine.exchange.SignedOrder;
import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Eip712;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Peg;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.Signature;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.sequencer.command.StopTrigger;

import java.util.HexFormat;
import java.util.Locale;

/**
 * Reads the trader API's JSON into the engine's signed requests, refusing anything missing or
 * malformed with an {@link ApiError} that names the field and the form it needs; and writes orders and
 * cancels in that form, for the programs that send them ({@link #write(SignedOrder)}).
 *
 * <pre>
 * order:  {"trader":"0x..","market":1,"side":"BUY","price":10000,"size":1000,"displaySize":0,
 *          "timeInForce":"GTC","flags":0,"expiry":0,"nonce":7,"margin":100000,"signature":"0x..65 bytes",
 *          "peg":"MARK","pegOffset":-5,                     (default NONE and 0: a fixed price)
 *          "chainId":31337,"verifyingContract":"0x.."}      (the last two default to this node's domain)
 * cancel: {"owner":"0x..","orderHash":"0x..","signature":"0x.."}
 * margin: {"owner":"0x..","market":1,"amount":1000000,"nonce":3,"signature":"0x.."}   (allocate or release)
 * </pre>
 */
public final class RequestJson {
    private RequestJson() {}

    public static SignedOrder order(JsonNode n, Eip712 domain) throws ApiError {
        if (n == null || !n.isObject()) throw bad("ORDER_REQUIRED", "send the order as a JSON object with its fields and signature");
        // peg and pegOffset are fields of the signed struct: read, not dropped, or a pegged order's signature would
        // be checked against the digest of a fixed-price order and refused as BAD_SIGNATURE
        Order o = new Order(address(n, "trader"), market(n), side(n), uint(n, "price", Long.MAX_VALUE),
                uint(n, "size", Long.MAX_VALUE), optUint(n, "displaySize"), tif(n), (int) optUint(n, "flags"), peg(n), pegOffset(n),
                optUint(n, "expiry"), uint(n, "nonce", Long.MAX_VALUE), uint(n, "margin", Long.MAX_VALUE));
        long chainId = n.has("chainId") ? uint(n, "chainId", Long.MAX_VALUE) : domain.chainId();
        Address contract = n.has("verifyingContract") ? address(n, "verifyingContract") : domain.verifyingContract();
        return new SignedOrder(o, chainId, contract, signature(n));
    }

    public static CancelRequest cancel(JsonNode n) throws ApiError {
        if (n == null || !n.isObject()) throw bad("CANCEL_REQUIRED", "send the cancel as a JSON object {owner, orderHash, signature}");
        return new CancelRequest(address(n, "owner"), hash(n, "orderHash"), signature(n));
    }

    /** {@code {owner, recipient, amount, nonce, signature}}: a signed Withdraw (the STF checks the signature and nonce). */
    /** A signed cancel-all-after: {@code owner}, {@code deadline} (unix seconds, 0: off), {@code nonce}, {@code signature}. */
    public static CancelAllAfterRequest cancelAllAfter(JsonNode n) throws ApiError {
        if (n == null || !n.isObject()) throw bad("MISSING_FIELD", "a cancel-all-after is an object with owner, deadline, nonce and signature");
        return new CancelAllAfterRequest(address(n, "owner"), uint(n, "deadline", Long.MAX_VALUE), uint(n, "nonce", Long.MAX_VALUE), signature(n));
    }

    /** The JSON a {@link #cancelAllAfter} reads. */
    public static ObjectNode write(CancelAllAfterRequest r) {
        return TraderApi.JSON.createObjectNode().put("owner", r.owner().toString()).put("deadline", r.deadline()).put("nonce", r.nonce())
                .put("signature", "0x" + HexFormat.of().formatHex(r.signature().encoded()));
    }

    public static dev.clearline.engine.transition.Transition.Withdraw withdraw(JsonNode n) throws ApiError {
        if (n == null || !n.isObject()) throw bad("WITHDRAW_REQUIRED", "send the withdrawal as a JSON object {owner, recipient, amount, nonce, signature}");
        long amount = uint(n, "amount", Long.MAX_VALUE);
        if (amount == 0) throw bad("BAD_FIELD", "\"amount\" must be more than 0 (collateral base units, 1e-6)");
        Address recipient = address(n, "recipient");
        // the rollup pays a claim with a token transfer, which no token makes to the zero address: the STF refuses such a
        // withdrawal (BAD_RECIPIENT); refused here too, before it costs the log an entry, with what to send instead
        if (recipient.equals(new Address(new byte[20]))) {
            throw bad("BAD_FIELD", "\"recipient\" is the zero address: L1 could never pay it (a token transfer there reverts); give the address to pay");
        }
        return new dev.clearline.engine.transition.Transition.Withdraw(address(n, "owner"), recipient, amount,
                uint(n, "nonce", Long.MAX_VALUE), signature(n));
    }

    /**
     * {@code {owner, market, amount, nonce, signature}}: a signed Allocate (free balance into a position's margin) or
     * Release (a position's margin back to the free balance, all of it once the position is flat); the STF checks the
     * signature, the nonce and the margin left.
     */
    public static dev.clearline.engine.transition.Transition margin(JsonNode n, boolean allocate) throws ApiError {
        String what = allocate ? "allocate" : "release";
        if (n == null || !n.isObject()) throw bad("MARGIN_REQUIRED", "send the " + what + " as a JSON object {owner, market, amount, nonce, signature}");
        Address owner = address(n, "owner");
        int market = market(n);
        long amount = uint(n, "amount", Long.MAX_VALUE);
        if (amount == 0) throw bad("BAD_FIELD", "\"amount\" must be more than 0 (collateral base units, 1e-6)");
        long nonce = uint(n, "nonce", Long.MAX_VALUE);
        Signature sig = signature(n);
        return allocate ? new dev.clearline.engine.transition.Transition.Allocate(owner, market, amount, nonce, sig)
                : new dev.clearline.engine.transition.Transition.Release(owner, market, amount, nonce, sig);
    }

    /**
     * An order's fields as the API reads them ({@link #order}), without its signature: what a client signs is these
     * fields' EIP-712 digest. A pegged order's peg and offset are written; a fixed price leaves them out (NONE, 0).
     */
    public static ObjectNode unsigned(Order o) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("trader", o.trader().toString());
        n.put("market", Integer.toUnsignedLong(o.marketId())); // a uint32, as L1 has it
        n.put("side", o.side().name());
        n.put("price", o.price());
        n.put("size", o.size());
        n.put("displaySize", o.displaySize());
        n.put("timeInForce", o.timeInForce().name());
        n.put("flags", o.flags());
        if (o.peg() != Peg.NONE) n.put("peg", o.peg().name()).put("pegOffset", o.pegOffset());
        n.put("expiry", o.expiry());
        n.put("nonce", o.nonce());
        n.put("margin", o.margin());
        return n;
    }

    /** A signed order as a client sends it: {@link #order} reads it back to the same order, domain and signature. */
    public static ObjectNode write(SignedOrder s) {
        return unsigned(s.order()).put("chainId", s.chainId()).put("verifyingContract", s.verifyingContract().toString())
                .put("signature", "0x" + HexFormat.of().formatHex(s.signature().encoded()));
    }

    /** A signed cancel as a client sends it: {@link #cancel} reads it back. */
    public static ObjectNode write(CancelRequest c) {
        return JsonNodeFactory.instance.objectNode().put("owner", c.owner().toString()).put("orderHash", c.orderHash().toString())
                .put("signature", "0x" + HexFormat.of().formatHex(c.signature().encoded()));
    }

    public static Address address(JsonNode n, String field) throws ApiError {
        byte[] b = hex(n, field, 20);
        return new Address(b);
    }

    public static Hash32 hash(JsonNode n, String field) throws ApiError {
        return new Hash32(hex(n, field, 32));
    }

    private static Signature signature(JsonNode n) throws ApiError {
        if (!n.hasNonNull("signature")) {
            throw new ApiError(400, "UNSIGNED", "the request has no signature; sign its EIP-712 digest and send it as \"signature\": \"0x\" + r + s + v (65 bytes)");
        }
        return new Signature(hex(n, "signature", 65));
    }

    private static byte[] hex(JsonNode n, String field, int bytes) throws ApiError {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual()) throw bad("MISSING_FIELD", "\"" + field + "\" is required: a 0x-prefixed hex string of " + bytes + " bytes");
        String s = v.asText();
        if (s.startsWith("0x") || s.startsWith("0X")) s = s.substring(2);
        if (s.length() != bytes * 2) throw bad("BAD_FIELD", "\"" + field + "\" must be " + bytes + " bytes (" + bytes * 2 + " hex digits), got " + s.length() + " digits");
        try {
            return HexFormat.of().parseHex(s);
        } catch (IllegalArgumentException e) {
            throw bad("BAD_FIELD", "\"" + field + "\" is not hex");
        }
    }

    /** {@code market}: a uint32 market id, as on L1 (held as a Java int: from 2^31 up, a negative one). */
    public static int market(JsonNode n) throws ApiError {
        return (int) uint(n, "market", 0xffffffffL);
    }

    /**
     * A stop's trigger beside its order: {@code "triggerPrice"} (quote units per lot) or {@code "trailBy"} (the distance,
     * in the same units, a trailing stop keeps from the mark), never both; null for an order placed at once. Neither is
     * part of the signed struct: the node holds the order until the mark reaches the trigger (docs/api.md, "Stop orders").
     */
    public static StopTrigger stop(JsonNode body) throws ApiError {
        if (body == null) return null;
        boolean at = body.has("triggerPrice"), trailing = body.has("trailBy");
        if (at && trailing) {
            throw bad("BAD_FIELD", "give \"triggerPrice\" (a stop at a price) or \"trailBy\" (a stop that trails the mark), not both");
        }
        if (at) {
            long t = uint(body, "triggerPrice", Long.MAX_VALUE);
            if (t == 0) throw bad("BAD_FIELD", "\"triggerPrice\" must be a price per lot above 0, on the market's tick");
            return new StopTrigger.At(t);
        }
        if (trailing) {
            long t = uint(body, "trailBy", Long.MAX_VALUE);
            if (t == 0) throw bad("BAD_FIELD", "\"trailBy\" must be a price distance per lot above 0, on the market's tick");
            return new StopTrigger.Trailing(t);
        }
        return null;
    }

    private static long uint(JsonNode n, String field, long max) throws ApiError {
        JsonNode v = n.get(field);
        if (v == null) throw bad("MISSING_FIELD", "\"" + field + "\" is required: a whole number from 0 to " + max);
        if (!v.canConvertToExactIntegral() && !v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < 0 || v.asLong() > max) {
            throw bad("BAD_FIELD", "\"" + field + "\" must be a whole number from 0 to " + max + ", got " + v);
        }
        return v.asLong();
    }

    private static long optUint(JsonNode n, String field) throws ApiError {
        return n.has(field) ? uint(n, field, Long.MAX_VALUE) : 0;
    }

    private static Side side(JsonNode n) throws ApiError {
        String s = n.path("side").asText("").toUpperCase(Locale.ROOT);
        return switch (s) {
            case "BUY" -> Side.BUY;
            case "SELL" -> Side.SELL;
            default -> throw bad("BAD_FIELD", "\"side\" must be \"BUY\" or \"SELL\"");
        };
    }

    private static Peg peg(JsonNode n) throws ApiError {
        String s = n.path("peg").asText("NONE").toUpperCase(Locale.ROOT);
        return switch (s) {
            case "NONE" -> Peg.NONE;
            case "MARK" -> Peg.MARK;
            case "BOOK" -> Peg.BOOK;
            default -> throw bad("BAD_FIELD", "\"peg\" must be \"NONE\" (a fixed price), \"MARK\" (the oracle mark) or \"BOOK\" (the best"
                    + " price of the order's own side), got " + n.get("peg"));
        };
    }

    private static int pegOffset(JsonNode n) throws ApiError {
        JsonNode v = n.get("pegOffset");
        if (v == null) return 0;
        if (!v.canConvertToExactIntegral() && !v.isIntegralNumber() || !v.canConvertToInt()) {
            throw bad("BAD_FIELD", "\"pegOffset\" must be a whole number of ticks from " + Integer.MIN_VALUE + " to " + Integer.MAX_VALUE + ", got " + v);
        }
        return v.asInt();
    }

    private static TimeInForce tif(JsonNode n) throws ApiError {
        String s = n.path("timeInForce").asText("GTC").toUpperCase(Locale.ROOT);
        try {
            return TimeInForce.valueOf(s);
        } catch (IllegalArgumentException e) {
            throw bad("BAD_FIELD", "\"timeInForce\" must be GTC, IOC or FOK");
        }
    }

    static ApiError bad(String code, String message) {
        return new ApiError(400, code, message);
    }
}
