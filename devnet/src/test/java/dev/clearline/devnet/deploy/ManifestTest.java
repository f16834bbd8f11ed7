package dev.clearline.devnet.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestTest {
    @TempDir
    Path tmp;

    private static Manifest sample() {
        String h = "0x" + "ab".repeat(32);
        String a = "0x" + "12".repeat(20);
        return new Manifest(Manifest.VERSION, 31337, a, 3, h, Map.of("collateral.minter", a),
                List.of(new Manifest.Contract("TestCollateral", a, List.of(a), h, h, h)));
    }

    @Test
    void aWrittenManifestReadsBackEqualAndAMissingOneIsEmpty() {
        Path file = tmp.resolve("sub/deployment.json");
        assertThat(Manifest.read(file)).isEmpty();
        sample().write(file);
        assertThat(Manifest.read(file)).contains(sample());
    }

    @Test
    void aFileThatIsNotJsonIsReportedWithItsPositionAndTheWayOut() throws Exception {
        Path file = Files.writeString(tmp.resolve("m.json"), "{\n  \"version\": 1,\n  oops");
        assertThatThrownBy(() -> Manifest.read(file)).isInstanceOf(InvalidManifestException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("not valid JSON").hasMessageContaining("line 3")
                .hasMessageContaining("./clearline deploy --fresh").hasMessageNotContaining("pass --fresh");
    }

    @Test
    void jsonOfAnotherShapeListsEveryProblem() throws Exception {
        String good = sample().toJson();
        Path file = tmp.resolve("m.json");
        Files.writeString(file, good.replace("\"chainId\" : 31337", "\"chainId\" : \"31337\"")
                .replace("\"name\" : \"TestCollateral\"", "\"name\" : 5"));
        assertThatThrownBy(() -> Manifest.read(file)).isInstanceOf(InvalidManifestException.class)
                .hasMessageContaining("\"chainId\" is missing or not a positive integer")
                .hasMessageContaining("\"contracts[0].name\" is missing or not a string");
        Files.writeString(file, good.replace("\"version\" : 1", "\"version\" : 2"));
        assertThatThrownBy(() -> Manifest.read(file)).hasMessageContaining("format version 2 is not the supported 1");
        Files.writeString(file, "null");
        assertThatThrownBy(() -> Manifest.read(file)).hasMessageContaining("not a JSON object");
        Files.writeString(file, good.replace("\"address\" : \"0x" + "12".repeat(20) + "\"", "\"address\" : \"0x12\""));
        assertThatThrownBy(() -> Manifest.read(file)).hasMessageContaining("\"contracts[0].address\" is missing or not 0x and 40 hex digits");
    }

    @Test
    void aDirectoryInPlaceOfTheManifestIsReported() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("m.json"));
        assertThatThrownBy(() -> Manifest.read(dir)).isInstanceOf(InvalidManifestException.class).hasMessageContaining("is a directory");
    }
}
