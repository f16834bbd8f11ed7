package dev.clearline.evm.revert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clearline.evm.Address;
import dev.clearline.evm.Hex;
import dev.clearline.evm.Keccak;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.web3j.abi.FunctionReturnDecoder;
import org.web3j.abi.TypeReference;
import org.web3j.abi.datatypes.Array;
import org.web3j.abi.datatypes.DynamicBytes;
import org.web3j.abi.datatypes.Type;
import org.web3j.abi.datatypes.generated.Bytes32;

/**
 * Decodes revert data into a {@link Revert}: {@code Error(string)}, {@code Panic(uint256)} and the
 * custom errors registered here (by signature or from a contract's ABI JSON). Not thread-safe while
 * registering; registration is expected up front.
 */
public final class RevertDecoder {
    static final String ERROR_SELECTOR = "0x08c379a0";
    static final String PANIC_SELECTOR = "0x4e487b71";

    private final Map<String, String> signaturesBySelector = new HashMap<>();

    /**
     * Registers custom errors by canonical signature, e.g. {@code InsufficientBalance(address,uint256,uint256)}
     * (no spaces, no parameter names; tuples are not supported).
     */
    public RevertDecoder register(String... signatures) {
        for (String signature : signatures) {
            String canonical = signature.replace(" ", "");
            if (!canonical.matches("[A-Za-z_$][A-Za-z0-9_$]*\\(.*\\)")) {
                throw new IllegalArgumentException("'" + signature + "' is not an error signature; write it as Name(type1,type2)");
            }
            signaturesBySelector.put(selectorOf(canonical), canonical);
        }
        return this;
    }

    /** Registers every {@code "type": "error"} entry of a contract's ABI JSON (as solc writes it). */
    public RevertDecoder registerAbi(String abiJson) {
        JsonNode abi;
        try {
            abi = new ObjectMapper().readTree(abiJson);
        } catch (IOException e) {
            throw new UncheckedIOException("the ABI is not valid JSON; pass the array solc writes for the contract", e);
        }
        if (abi == null || !abi.isArray()) {
            throw new IllegalArgumentException("an ABI is a JSON array of entries; got " + (abi == null ? "nothing" : abi.getNodeType()));
        }
        for (JsonNode entry : abi) {
            if ("error".equals(entry.path("type").asText())) {
                List<String> types = new ArrayList<>();
                for (JsonNode input : entry.path("inputs")) {
                    types.add(input.path("type").asText());
                }
                register(entry.path("name").asText() + "(" + String.join(",", types) + ")");
            }
        }
        return this;
    }

    /** The 4-byte selector of {@code signature} as {@code 0x}-prefixed hex. */
    public static String selectorOf(String signature) {
        return Hex.encode(Arrays.copyOf(Keccak.hash(signature.getBytes(java.nio.charset.StandardCharsets.UTF_8)), 4));
    }

    /** Decodes {@code data}, the return data of a reverted call. */
    public Revert decode(byte[] data) {
        if (data.length == 0) {
            return new Revert.Empty();
        }
        if (data.length < 4) {
            return new Revert.Unknown(Hex.encode(data), data);
        }
        String selector = Hex.encode(Arrays.copyOf(data, 4));
        String body = Hex.encode(Arrays.copyOfRange(data, 4, data.length));
        try {
            if (selector.equals(ERROR_SELECTOR)) {
                return new Revert.ErrorMessage((String) decodeAll(body, List.of("string")).getFirst());
            }
            if (selector.equals(PANIC_SELECTOR)) {
                BigInteger code = (BigInteger) decodeAll(body, List.of("uint256")).getFirst();
                return new Revert.Panic(code, PanicCodes.meaning(code));
            }
            String signature = signaturesBySelector.get(selector);
            if (signature != null) {
                String params = signature.substring(signature.indexOf('(') + 1, signature.length() - 1);
                List<String> types = params.isEmpty() ? List.of() : splitTopLevel(params);
                return new Revert.CustomError(signature, decodeAll(body, types));
            }
        } catch (RuntimeException malformed) {
            // Data that claims a known selector but does not decode is reported raw rather than guessed at.
            return new Revert.Unknown(selector, data);
        }
        return new Revert.Unknown(selector, data);
    }

    @SuppressWarnings({"rawtypes", "unchecked"}) // web3j's decoder API is raw-typed
    private static List<Object> decodeAll(String bodyHex, List<String> solidityTypes) {
        List<TypeReference<Type>> refs = new ArrayList<>();
        for (String type : solidityTypes) {
            try {
                refs.add(TypeReference.makeTypeReference(type));
            } catch (ClassNotFoundException e) {
                throw new IllegalArgumentException("unsupported ABI type " + type, e);
            }
        }
        List<Type> decoded = FunctionReturnDecoder.decode(bodyHex, refs);
        if (decoded.size() != solidityTypes.size()) {
            throw new IllegalArgumentException("revert data has " + decoded.size() + " values, expected " + solidityTypes.size());
        }
        List<Object> out = new ArrayList<>();
        for (Type value : decoded) {
            out.add(plain(value));
        }
        return List.copyOf(out);
    }

    /** Turns web3j's ABI values into plain Java ones so web3j stays out of our API. */
    private static Object plain(Type<?> value) {
        if (value instanceof org.web3j.abi.datatypes.Address a) {
            return Address.of(a.getValue());
        }
        if (value instanceof Array<?> array) {
            List<Object> items = new ArrayList<>();
            for (Type<?> item : array.getValue()) {
                items.add(plain(item));
            }
            return List.copyOf(items);
        }
        if (value instanceof DynamicBytes || value instanceof org.web3j.abi.datatypes.Bytes || value instanceof Bytes32) {
            return ((byte[]) value.getValue()).clone();
        }
        return value.getValue();
    }

    private static List<String> splitTopLevel(String params) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < params.length(); i++) {
            char c = params.charAt(i);
            if (c == '(') depth++;
            else if (c == ')') depth--;
            else if (c == ',' && depth == 0) {
                parts.add(params.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(params.substring(start));
        return parts;
    }
}
