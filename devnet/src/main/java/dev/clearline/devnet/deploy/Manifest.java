package dev.clearline.devnet.deploy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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

    public static Optional<Manifest> read(Path file) {
        if (!Files.exists(file)) return Optional.empty();
        try {
            return Optional.of(mapper().readValue(file.toFile(), Manifest.class));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the deployment manifest " + file
                    + " (not valid JSON?); delete it or pass --fresh to deploy again", e);
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
