package dev.clearline.devnet.deploy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a deployment produced, as every other tool reads it: chain id, deployer, the block of the
 * last deployment transaction, the parameters, and per contract its address, constructor
 * arguments and hashes. Default location: {@value #DEFAULT_PATH} under the working directory.
 */
public record Manifest(int version, long chainId, String deployer, long blockNumber, String blockHash,
                       Map<String, String> parameters, List<Contract> contracts) {

    public static final String DEFAULT_PATH = ".clearline/deployment.json";
    public static final int VERSION = 1;

    /**
     * @param codeHash          keccak256 of the runtime code found at {@code address} after deployment
     * @param creationCodeHash  keccak256 of the artifact's creation bytecode (without arguments)
     */
    public record Contract(String name, String address, List<String> constructorArgs, String transactionHash,
                           String codeHash, String creationCodeHash) {
        public Contract {
            constructorArgs = List.copyOf(constructorArgs);
        }
    }

    public Manifest {
        parameters = Map.copyOf(parameters);
        contracts = List.copyOf(contracts);
    }

    public Optional<Contract> contract(String name) {
        return contracts.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    /** The address of {@code name}, or an exception naming the contracts the manifest has. */
    public String address(String name) {
        return contract(name).map(Contract::address).orElseThrow(() -> new IllegalArgumentException(
                "the manifest has no contract " + name + "; it has " + contracts.stream().map(Contract::name).toList()));
    }

    private static ObjectMapper mapper() {
        return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    }

    /**
     * The manifest at {@code file}, or empty when there is none.
     *
     * @throws InvalidManifestException when the file cannot be read, is not JSON, or is JSON of
     *     another shape (a field missing or of the wrong type, another format version)
     */
    public static Optional<Manifest> read(Path file) {
        if (!Files.exists(file)) return Optional.empty();
        if (Files.isDirectory(file)) throw new InvalidManifestException(file, "is a directory, not a file", null);
        JsonNode tree;
        try {
            tree = mapper().readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new InvalidManifestException(file, "is not valid JSON (" + e.getOriginalMessage() + ", line "
                    + e.getLocation().getLineNr() + " column " + e.getLocation().getColumnNr() + ")", e);
        } catch (IOException e) {
            throw new InvalidManifestException(file, "cannot be read (" + e.getMessage() + ")", e);
        }
        List<String> problems = shapeProblems(tree);
        if (!problems.isEmpty()) {
            throw new InvalidManifestException(file, "is not a Clearline deployment manifest: " + String.join("; ", problems), null);
        }
        try {
            return Optional.of(mapper().treeToValue(tree, Manifest.class));
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new InvalidManifestException(file, "is not a Clearline deployment manifest (" + e.getMessage() + ")", e);
        }
    }

    /** What keeps {@code tree} from being a manifest of this {@link #VERSION}; empty when nothing does. */
    static List<String> shapeProblems(JsonNode tree) {
        List<String> problems = new ArrayList<>();
        if (tree == null || !tree.isObject()) {
            problems.add("the top level is not a JSON object");
            return problems;
        }
        JsonNode version = tree.get("version");
        if (version == null || !version.canConvertToInt() || !version.isIntegralNumber()) {
            problems.add("\"version\" is missing or not an integer");
        } else if (version.intValue() != VERSION) {
            problems.add("format version " + version.intValue() + " is not the supported " + VERSION);
        }
        requirePositiveLong(tree, "chainId", problems);
        requireNonNegativeLong(tree, "blockNumber", problems);
        requireHex(tree, "deployer", 20, problems);
        requireHex(tree, "blockHash", 32, problems);
        JsonNode parameters = tree.get("parameters");
        if (parameters == null || !parameters.isObject()) {
            problems.add("\"parameters\" is missing or not an object");
        } else {
            parameters.properties().forEach(e -> {
                if (!e.getValue().isTextual()) problems.add("parameter \"" + e.getKey() + "\" is not a string");
            });
        }
        JsonNode contracts = tree.get("contracts");
        if (contracts == null || !contracts.isArray()) {
            problems.add("\"contracts\" is missing or not an array");
            return problems;
        }
        for (int i = 0; i < contracts.size(); i++) {
            JsonNode c = contracts.get(i);
            String where = "contracts[" + i + "]";
            if (!c.isObject()) {
                problems.add(where + " is not an object");
                continue;
            }
            if (c.get("name") == null || !c.get("name").isTextual() || c.get("name").asText().isEmpty()) {
                problems.add("\"" + where + ".name\" is missing or not a string");
            }
            requireHex(c, "address", 20, where + ".", problems);
            requireHex(c, "transactionHash", 32, where + ".", problems);
            requireHex(c, "codeHash", 32, where + ".", problems);
            requireHex(c, "creationCodeHash", 32, where + ".", problems);
            JsonNode args = c.get("constructorArgs");
            if (args == null || !args.isArray()) problems.add("\"" + where + ".constructorArgs\" is missing or not an array");
        }
        return problems;
    }

    private static void requirePositiveLong(JsonNode o, String field, List<String> problems) {
        JsonNode n = o.get(field);
        if (n == null || !n.isIntegralNumber() || !n.canConvertToLong() || n.longValue() <= 0) {
            problems.add("\"" + field + "\" is missing or not a positive integer");
        }
    }

    private static void requireNonNegativeLong(JsonNode o, String field, List<String> problems) {
        JsonNode n = o.get(field);
        if (n == null || !n.isIntegralNumber() || !n.canConvertToLong() || n.longValue() < 0) {
            problems.add("\"" + field + "\" is missing or not a non-negative integer");
        }
    }

    private static void requireHex(JsonNode o, String field, int bytes, List<String> problems) {
        requireHex(o, field, bytes, "", problems);
    }

    private static void requireHex(JsonNode o, String field, int bytes, String prefix, List<String> problems) {
        JsonNode n = o.get(field);
        if (n == null || !n.isTextual() || !n.asText().matches("0x[0-9a-fA-F]{" + (2 * bytes) + "}")) {
            problems.add("\"" + prefix + field + "\" is missing or not 0x and " + (2 * bytes) + " hex digits");
        }
    }

    public void write(Path file) {
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = dir.resolve(file.getFileName() + ".tmp");
            Files.writeString(tmp, toJson());
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the deployment manifest " + file, e);
        }
    }

    public String toJson() {
        try {
            return mapper().writeValueAsString(this);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
