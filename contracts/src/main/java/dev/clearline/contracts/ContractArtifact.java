package dev.clearline.contracts;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.web3j.utils.Numeric;

/**
 * What the build produced for one contract: its ABI, creation and runtime bytecode, and the
 * selectors of its functions, custom errors and events.
 *
 * <p>Instances come from {@link Artifacts}; byte arrays are copied on the way out, so an artifact
 * can be shared freely.
 */
public final class ContractArtifact {
    private final String name;
    private final String sourceName;
    private final String compilerVersion;
    private final String abiJson;
    private final byte[] creationBytecode;
    private final byte[] deployedBytecode;
    private final List<CodeRange> immutableRanges;
    private final Map<String, String> functionSelectors;
    private final Map<String, AbiError> errorsBySelector;
    private final Map<String, AbiEvent> eventsByTopic;

    ContractArtifact(
            String name,
            String sourceName,
            String compilerVersion,
            String abiJson,
            byte[] creationBytecode,
            byte[] deployedBytecode,
            List<CodeRange> immutableRanges,
            Map<String, String> functionSelectors,
            List<AbiError> errors,
            List<AbiEvent> events) {
        this.name = name;
        this.sourceName = sourceName;
        this.compilerVersion = compilerVersion;
        this.abiJson = abiJson;
        this.creationBytecode = creationBytecode.clone();
        this.deployedBytecode = deployedBytecode.clone();
        this.immutableRanges = List.copyOf(immutableRanges);
        this.functionSelectors = Map.copyOf(functionSelectors);
        this.errorsBySelector = errors.stream().collect(Collectors.toUnmodifiableMap(AbiError::selector, Function.identity(), (same, twin) -> same));
        this.eventsByTopic = events.stream()
                .filter(e -> !e.anonymous())
                .collect(Collectors.toUnmodifiableMap(AbiEvent::topic, Function.identity(), (same, twin) -> same));
    }

    /** The contract's name, e.g. {@code TestCollateral}. */
    public String name() {
        return name;
    }

    /** The source file relative to its Solidity root, e.g. {@code token/TestCollateral.sol}. */
    public String sourceName() {
        return sourceName;
    }

    /** The full solc version that compiled it, e.g. {@code 0.8.37+commit.f401782d.Emscripten.clang}. */
    public String compilerVersion() {
        return compilerVersion;
    }

    /** The ABI as solc wrote it (a JSON array). */
    public String abiJson() {
        return abiJson;
    }

    /** Init code: deploy it with the ABI-encoded constructor arguments appended. Empty for interfaces. */
    public byte[] creationBytecode() {
        return creationBytecode.clone();
    }

    /** The runtime code the constructor leaves at the contract's address. */
    public byte[] deployedBytecode() {
        return deployedBytecode.clone();
    }

    /**
     * Where in {@link #deployedBytecode()} the constructor writes immutables (32 bytes each); the
     * artifact holds zeros there, so deployed code equals the artifact outside these ranges.
     */
    public List<CodeRange> immutableRanges() {
        return immutableRanges;
    }

    /** Whether there is code to deploy (false for interfaces and abstract contracts). */
    public boolean deployable() {
        return creationBytecode.length > 0;
    }

    /** Canonical function signature to its 4-byte selector in {@code 0x} hex, e.g. {@code balanceOf(address) -> 0x70a08231}. */
    public Map<String, String> functionSelectors() {
        return functionSelectors;
    }

    /** Custom errors keyed by their {@code 0x} selector, for decoding reverts. */
    public Map<String, AbiError> errorsBySelector() {
        return errorsBySelector;
    }

    /**
     * Canonical signatures of the custom errors, e.g. {@code NotMinter(address)}: what a revert
     * decoder needs to register to name this contract's reverts.
     */
    public List<String> errorSignatures() {
        return errorsBySelector.values().stream().map(AbiError::signature).sorted().toList();
    }

    /** Non-anonymous events keyed by their {@code 0x} topic 0, for decoding logs. */
    public Map<String, AbiEvent> eventsByTopic() {
        return eventsByTopic;
    }

    /** The custom error a revert's data selects, if it is one of this contract's. */
    public Optional<AbiError> errorOf(byte[] revertData) {
        if (revertData.length < 4) {
            return Optional.empty();
        }
        return Optional.ofNullable(errorsBySelector.get(Numeric.toHexString(Arrays.copyOf(revertData, 4))));
    }

    /** Decodes a revert's data as one of this contract's custom errors. */
    public Optional<DecodedError> decodeError(byte[] revertData) {
        return errorOf(revertData).map(error -> new DecodedError(
                error, AbiCodec.decode(error.inputs(), Arrays.copyOfRange(revertData, 4, revertData.length))));
    }

    /** Decodes a log emitted by this contract, if its topic 0 is one of this contract's events. */
    public Optional<DecodedEvent> decodeLog(List<byte[]> topics, byte[] data) {
        if (topics.isEmpty()) {
            return Optional.empty();
        }
        AbiEvent event = eventsByTopic.get(Numeric.toHexString(topics.getFirst()));
        return Optional.ofNullable(event).map(e -> new DecodedEvent(e, AbiCodec.decodeLog(e, topics, data)));
    }

    @Override
    public String toString() {
        return "ContractArtifact[" + name + " from " + sourceName + ", solc " + compilerVersion + "]";
    }
}
