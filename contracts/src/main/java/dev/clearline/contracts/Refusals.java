package dev.clearline.contracts;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.web3j.utils.Numeric;

/**
 * Names the custom error in a node's refusal: {@code execution reverted (data 0xb5ca3037...)} reads
 * as {@code RollupFrozen(frozenAt=1796376391)}, for the CLI's answers and the operator's logs alike.
 */
public final class Refusals {
    /** Revert data as a node, or our sender, quotes it in a message. */
    private static final Pattern REVERT_DATA = Pattern.compile("0x[0-9a-fA-F]{8,}");

    private final List<ContractArtifact> contracts;

    /** Decodes against the custom errors of {@code names}, in that order (the first that knows a selector names it). */
    public Refusals(Artifacts artifacts, List<String> names) {
        this.contracts = names.stream().map(artifacts::load).toList();
    }

    /** The node's words, with the custom error its revert data selects named in front when one of the contracts declares it. */
    public String named(String node) {
        if (node == null) return "";
        return error(node).map(named -> named + " (the node: " + node + ")").orElse(node);
    }

    /** The custom error, with its arguments, that the revert data in the node's words selects; empty when none of the contracts declares it. */
    public Optional<String> error(String node) {
        if (node == null) return Optional.empty();
        Matcher m = REVERT_DATA.matcher(node);
        while (m.find()) {
            byte[] data = Numeric.hexStringToByteArray(m.group());
            Optional<String> named = contracts.stream().map(c -> decode(c, data)).flatMap(Optional::stream).findFirst();
            if (named.isPresent()) return named;
        }
        return Optional.empty();
    }

    private static Optional<String> decode(ContractArtifact contract, byte[] data) {
        try {
            return contract.decodeError(data).map(Object::toString);
        } catch (RuntimeException e) {
            return contract.errorOf(data).map(AbiError::signature); // its arguments did not decode: the name alone still helps
        }
    }
}
