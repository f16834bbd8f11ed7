package dev.clearline.contracts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.web3j.utils.Numeric;

/**
 * Loads the artifacts the build writes to {@code solidity/<ContractName>.json} on the classpath
 * (main contracts in the module's jar; test contracts in its test classes).
 *
 * <pre>{@code
 * ContractArtifact token = Artifacts.onClasspath().load("TestCollateral");
 * }</pre>
 */
public final class Artifacts {
    /** Where the build puts artifacts, relative to the classpath root. */
    public static final String CLASSPATH_DIRECTORY = "solidity/";

    private final ClassLoader classLoader;
    private final ObjectMapper json = new ObjectMapper();

    private Artifacts(ClassLoader classLoader) {
        this.classLoader = classLoader;
    }

    /** Artifacts visible to the class loader that loaded this module. */
    public static Artifacts onClasspath() {
        return in(Artifacts.class.getClassLoader());
    }

    /** Artifacts visible to the given class loader. */
    public static Artifacts in(ClassLoader classLoader) {
        return new Artifacts(classLoader);
    }

    /**
     * The artifact of the named contract.
     *
     * @throws IllegalArgumentException if no such artifact is on the classpath
     */
    public ContractArtifact load(String contractName) {
        String resource = CLASSPATH_DIRECTORY + contractName + ".json";
        try (InputStream in = classLoader.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no artifact " + resource + " on the classpath. Contracts are "
                        + "compiled from contracts/src/main/solidity (tests: src/test/solidity) by the Maven build; check "
                        + "the contract's name and that the build of the contracts module ran");
            }
            return parse(json.readTree(in));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read artifact " + resource, e);
        }
    }

    /** Parses one artifact file's JSON, as written by contracts/build/compile.mjs. */
    ContractArtifact parse(JsonNode artifact) {
        JsonNode abi = artifact.required("abi");
        List<AbiError> errors = new ArrayList<>();
        List<AbiEvent> events = new ArrayList<>();
        for (JsonNode entry : abi) {
            switch (entry.required("type").asText()) {
                case "error" -> errors.add(new AbiError(entry.required("name").asText(), parameters(entry.path("inputs"))));
                case "event" -> events.add(new AbiEvent(
                        entry.required("name").asText(), parameters(entry.path("inputs")), entry.path("anonymous").asBoolean()));
                default -> { }
            }
        }
        List<CodeRange> immutables = new ArrayList<>();
        for (JsonNode ranges : artifact.path("immutableReferences")) {
            for (JsonNode range : ranges) {
                immutables.add(new CodeRange(range.required("start").asInt(), range.required("length").asInt()));
            }
        }
        Map<String, String> selectors = new LinkedHashMap<>();
        artifact.path("methodIdentifiers").properties().forEach(e -> selectors.put(e.getKey(), "0x" + e.getValue().asText()));
        return new ContractArtifact(
                artifact.required("contractName").asText(),
                artifact.required("sourceName").asText(),
                artifact.path("compiler").path("version").asText(),
                abi.toString(),
                Numeric.hexStringToByteArray(artifact.required("bytecode").asText()),
                Numeric.hexStringToByteArray(artifact.required("deployedBytecode").asText()),
                immutables,
                selectors,
                errors,
                events);
    }

    private static List<AbiParameter> parameters(JsonNode inputs) {
        List<AbiParameter> parameters = new ArrayList<>();
        for (JsonNode input : inputs) {
            parameters.add(new AbiParameter(
                    input.path("name").asText(),
                    input.required("type").asText(),
                    parameters(input.path("components")),
                    input.path("indexed").asBoolean()));
        }
        return parameters;
    }
}
