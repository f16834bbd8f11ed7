import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.web3j.codegen.SolidityFunctionWrapperGenerator;

/**
 * Turns the artifacts written by compile.mjs into web3j wrappers. Run with Java's single-file
 * source launcher by compile.mjs, on the classpath of web3j's codegen, because the module's own
 * classes do not exist yet in generate-sources.
 *
 * <p>Usage: {@code java -cp <codegen classpath> GenerateWrappers.java <artifacts dir> <java out dir> <package>}
 */
public final class GenerateWrappers {
    /** Ethereum addresses: 20 bytes. */
    private static final int ADDRESS_LENGTH_BYTES = 20;

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: GenerateWrappers <artifacts dir> <java out dir> <package>");
            System.exit(2);
        }
        Path artifacts = Path.of(args[0]);
        Path out = Path.of(args[1]);
        String pkg = args[2];
        Path scratch = Files.createTempDirectory(artifacts.getParent(), ".abi-bin-");
        ObjectMapper json = new ObjectMapper();
        try (Stream<Path> files = Files.list(artifacts)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                JsonNode artifact = json.readTree(file.toFile());
                String name = artifact.get("contractName").asText();
                Path abi = scratch.resolve(name + ".abi");
                Path bin = scratch.resolve(name + ".bin");
                Files.writeString(abi, artifact.get("abi").toString());
                Files.writeString(bin, artifact.get("bytecode").asText().replaceFirst("^0x", ""));
                // Native Java types (BigInteger, String, byte[]) in the API; no primitives, so
                // uint256 never silently narrows.
                new SolidityFunctionWrapperGenerator(
                                bin.toFile(), abi.toFile(), out.toFile(), name, pkg, true, false, ADDRESS_LENGTH_BYTES)
                        .generate();
            }
        } finally {
            deleteRecursively(scratch);
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.delete(p);
            }
        }
    }

    private GenerateWrappers() {}
}
