package dev.clearline.contracts;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;
import org.web3j.crypto.Hash;
import org.web3j.utils.Numeric;

/** A Solidity event: what a log's first topic identifies (unless anonymous). */
public record AbiEvent(String name, List<AbiParameter> inputs, boolean anonymous) {
    public AbiEvent {
        inputs = List.copyOf(inputs);
    }

    /** E.g. {@code Transfer(address,address,uint256)}. */
    public String signature() {
        return name + "(" + inputs.stream().map(AbiParameter::canonicalType).collect(Collectors.joining(",")) + ")";
    }

    /** keccak(signature) as {@code 0x}-prefixed lowercase hex: topic 0 of a non-anonymous log. */
    public String topic() {
        return Numeric.toHexString(Hash.sha3(signature().getBytes(StandardCharsets.US_ASCII)));
    }
}
