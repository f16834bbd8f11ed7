package dev.clearline.contracts;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;
import org.web3j.crypto.Hash;
import org.web3j.utils.Numeric;

/** A Solidity custom error: what a revert's first four bytes select. */
public record AbiError(String name, List<AbiParameter> inputs) {
    public AbiError {
        inputs = List.copyOf(inputs);
    }

    /** E.g. {@code InsufficientBalance(address,uint256,uint256)}. */
    public String signature() {
        return name + "(" + inputs.stream().map(AbiParameter::canonicalType).collect(Collectors.joining(",")) + ")";
    }

    /** The first four bytes of keccak(signature), as {@code 0x}-prefixed lowercase hex. */
    public String selector() {
        return Numeric.toHexString(Hash.sha3(signature().getBytes(StandardCharsets.US_ASCII)), 0, 4, true);
    }
}
