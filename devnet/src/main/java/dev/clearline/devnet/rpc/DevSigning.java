package dev.clearline.devnet.rpc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clearline.devnet.node.NodeError;
import java.util.Arrays;
import java.util.List;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Sign;
import org.web3j.crypto.StructuredDataEncoder;
import org.web3j.utils.Numeric;

/**
 * Message signing with the dev keys, as Hardhat's node signs for its accounts: {@code eth_sign}
 * and {@code personal_sign} (EIP-191 "Ethereum Signed Message"), {@code eth_signTypedData_v4}
 * (EIP-712, what ethers' {@code JsonRpcSigner.signTypedData} and wallets send). A front end
 * pointed at the devnet signs Clearline's EIP-712 orders this way. Signatures are 65 bytes,
 * r || s || v with v 27 or 28; RFC 6979 makes them identical to Hardhat's for the same key.
 */
final class DevSigning {
    private final List<Credentials> keys;
    private final ObjectMapper json = new ObjectMapper();

    DevSigning(List<Credentials> keys) {
        this.keys = List.copyOf(keys);
    }

    /** {@code eth_sign(address, message)}: the EIP-191 signature of the message bytes. */
    String ethSign(Params p) {
        Credentials key = key(p.address(0));
        return signature(Sign.signPrefixedMessage(p.data(1), key.getEcKeyPair()));
    }

    /** {@code personal_sign(message, address)}: eth_sign with its arguments the other way round. */
    String personalSign(Params p) {
        Credentials key = key(p.address(1));
        return signature(Sign.signPrefixedMessage(p.data(0), key.getEcKeyPair()));
    }

    /** {@code eth_signTypedData_v4(address, typedData)}: typed data as a JSON string (as ethers sends it) or an object. */
    String signTypedData(Params p) {
        Credentials key = key(p.address(0));
        JsonNode data = p.raw(1);
        if (data.isTextual()) {
            try {
                data = json.readTree(data.asText());
            } catch (JsonProcessingException e) {
                throw p.invalid("argument 1 must be EIP-712 typed data in JSON: " + e.getOriginalMessage());
            }
        }
        String wrong = shapeError(data);
        if (wrong != null) throw p.invalid("argument 1 is not EIP-712 typed data: " + wrong);
        byte[] hash;
        try {
            hash = new StructuredDataEncoder(json.writeValueAsString(data)).hashStructuredData();
        } catch (Exception e) {
            // the shape is right, so a value does not fit its type; the encoder's own words name the type when it has any
            String why = e instanceof RuntimeException && !(e instanceof IllegalArgumentException) || e.getMessage() == null
                    ? "a value in domain or message does not fit its declared type" : e.getMessage().lines().findFirst().orElse("");
            throw p.invalid("argument 1 cannot be hashed as EIP-712 typed data: " + why);
        }
        return signature(Sign.signMessage(hash, key.getEcKeyPair(), false));
    }

    private static final java.util.regex.Pattern ATOMIC =
            java.util.regex.Pattern.compile("u?int(8|16|24|32|40|48|56|64|72|80|88|96|104|112|120|128|136|144|152|160|168|176|184|192|200|208|216|224|232|240|248|256)?"
                    + "|bytes([1-9]|[12][0-9]|3[0-2])?|string|address|bool");

    /** What is missing or undefined in typed data, or null: checked before the encoder, whose failures name its internals. */
    private static String shapeError(JsonNode d) {
        if (!d.isObject()) return "expected an object with types, primaryType, domain and message";
        JsonNode types = d.get("types");
        if (types == null || !types.isObject()) return "types must be an object of type name -> [{name, type}]";
        if (!types.has("EIP712Domain")) return "types must define EIP712Domain";
        JsonNode primary = d.get("primaryType");
        if (primary == null || !primary.isTextual() || !types.has(primary.asText())) {
            return "primaryType must name a type defined in types";
        }
        if (d.get("domain") == null || !d.get("domain").isObject()) return "domain must be an object";
        if (d.get("message") == null || !d.get("message").isObject()) return "message must be an object";
        for (var t : (Iterable<java.util.Map.Entry<String, JsonNode>>) types::fields) {
            if (!t.getValue().isArray()) return "type " + t.getKey() + " must be a list of {name, type}";
            for (JsonNode field : t.getValue()) {
                if (!field.path("name").isTextual() || !field.path("type").isTextual()) {
                    return "each field of type " + t.getKey() + " needs a name and a type";
                }
                String base = field.get("type").asText().replaceAll("(\\[[0-9]*\\])+$", "");
                if (!ATOMIC.matcher(base).matches() && !types.has(base)) {
                    return "field " + field.get("name").asText() + " of " + t.getKey() + " has type " + field.get("type").asText()
                            + ", which is neither a Solidity type nor defined in types";
                }
            }
        }
        return null;
    }

    private Credentials key(String address) {
        return keys.stream().filter(c -> c.getAddress().equalsIgnoreCase(address)).findFirst()
                .orElseThrow(() -> new RpcFailure(NodeError.INVALID_INPUT, "unknown account " + address
                        + ": the devnet signs only for its dev accounts (eth_accounts); sign with your own key instead"));
    }

    private static String signature(Sign.SignatureData sig) {
        byte[] out = Arrays.copyOf(sig.getR(), 65);
        System.arraycopy(sig.getS(), 0, out, 32, 32);
        out[64] = sig.getV()[0];
        return Numeric.toHexString(out);
    }
}
