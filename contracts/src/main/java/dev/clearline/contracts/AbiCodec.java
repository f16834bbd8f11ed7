package dev.clearline.contracts;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.web3j.abi.FunctionReturnDecoder;
import org.web3j.abi.TypeReference;
import org.web3j.abi.datatypes.Type;
import org.web3j.utils.Numeric;

/**
 * Decodes ABI-encoded values into plain Java values with web3j's decoder: addresses become
 * {@code 0x} strings, integers {@link java.math.BigInteger}, {@code bool} Boolean, bytes
 * {@code byte[]}, strings String and arrays {@link List}. Tuple-typed inputs are not supported.
 */
@SuppressWarnings("rawtypes") // web3j's decoder speaks raw Type; the values leave here as plain Java objects
final class AbiCodec {
    private AbiCodec() {}

    static List<Object> decode(List<AbiParameter> parameters, byte[] encoded) {
        List<TypeReference<Type>> types = parameters.stream().map(AbiCodec::typeOf).toList();
        List<Type> values = FunctionReturnDecoder.decode(Numeric.toHexString(encoded), types);
        if (values.size() != parameters.size()) {
            throw new IllegalArgumentException("ABI data of " + encoded.length + " bytes does not hold "
                    + parameters.size() + " values of types " + parameters.stream().map(AbiParameter::canonicalType).toList());
        }
        return values.stream().map(AbiCodec::plain).toList();
    }

    /** Indexed inputs come from topics 1.. (a dynamic indexed input is only its keccak hash); the rest from data. */
    static List<Object> decodeLog(AbiEvent event, List<byte[]> topics, byte[] data) {
        List<AbiParameter> inData = event.inputs().stream().filter(p -> !p.indexed()).toList();
        List<Object> fromData = decode(inData, data);
        List<Object> arguments = new ArrayList<>();
        int topic = event.anonymous() ? 0 : 1;
        int datum = 0;
        for (AbiParameter input : event.inputs()) {
            if (!input.indexed()) {
                arguments.add(fromData.get(datum++));
            } else if (topic >= topics.size()) {
                throw new IllegalArgumentException("log has " + topics.size() + " topics, too few for " + event.signature());
            } else if (isDynamic(input)) {
                arguments.add(topics.get(topic++).clone());
            } else {
                Type value = FunctionReturnDecoder.decodeIndexedValue(Numeric.toHexString(topics.get(topic++)), typeOf(input));
                arguments.add(plain(value));
            }
        }
        return arguments;
    }

    static String render(List<Object> values) {
        return values.stream().map(AbiCodec::render).collect(Collectors.joining(", ", "(", ")"));
    }

    private static String render(Object value) {
        return switch (value) {
            case byte[] bytes -> Numeric.toHexString(bytes);
            case List<?> list -> list.stream().map(AbiCodec::render).collect(Collectors.joining(", ", "[", "]"));
            case String s when !s.startsWith("0x") -> '"' + s + '"';
            default -> String.valueOf(value);
        };
    }

    private static boolean isDynamic(AbiParameter p) {
        return p.type().equals("string") || p.type().equals("bytes") || p.type().endsWith("[]") || p.type().startsWith("tuple");
    }

    @SuppressWarnings("unchecked")
    private static TypeReference<Type> typeOf(AbiParameter p) {
        if (p.type().startsWith("tuple")) {
            throw new UnsupportedOperationException("decoding tuple-typed input '" + p.name() + "' " + p.canonicalType()
                    + " is not supported; decode it with the generated web3j wrapper instead");
        }
        try {
            return (TypeReference<Type>) (TypeReference<?>) TypeReference.makeTypeReference(p.type());
        } catch (ClassNotFoundException e) {
            throw new IllegalArgumentException("web3j cannot decode ABI type " + p.type(), e);
        }
    }

    private static Object plain(Type value) {
        Object raw = value.getValue();
        if (raw instanceof List<?> list) {
            return list.stream().map(element -> plain((Type) element)).toList();
        }
        return raw;
    }
}
