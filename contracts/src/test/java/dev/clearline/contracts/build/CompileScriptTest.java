package dev.clearline.contracts.build;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.contracts.build.CompileScript.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompileScriptTest {
    private static final String GOOD = """
            // SPDX-License-Identifier: Apache-2.0
            pragma solidity 0.8.37;
            contract Counter {
                uint256 public count;
                function bump() external { count += 1; }
            }
            """;

    private final CompileScript script = new CompileScript();

    @Test
    void aSyntaxErrorFailsWithSolcsMessageNamingFileAndLineAndWritesNoArtifacts(@TempDir Path dir) throws Exception {
        Path broken = CompileScript.write(dir.resolve("src/pkg/Broken.sol"), """
                // SPDX-License-Identifier: Apache-2.0
                pragma solidity 0.8.37;
                contract Broken {
                    function f() external pure returns (uint256) {
                        return 1
                    }
                }
                """);
        CompileScript.write(dir.resolve("src/Fine.sol"), GOOD);

        Run run = script.compile(dir.resolve("src"), dir.resolve("out"), dir.resolve("stamp"));

        assertThat(run.exitCode()).isNotZero();
        assertThat(run.output())
                .contains(broken + ":6:")             // solc reports the missing ';' where the next token starts
                .contains("ParserError")
                .contains("--> pkg/Broken.sol:6:")   // solc's own formatted message
                .contains("nothing was written");
        assertThat(dir.resolve("out")).doesNotExist();
        assertThat(dir.resolve("stamp")).doesNotExist();
    }

    @Test
    void aTypeErrorFailsTheWholeCompileEvenWhenOtherFilesAreFine(@TempDir Path dir) throws Exception {
        CompileScript.write(dir.resolve("src/Fine.sol"), GOOD);
        Path wrong = CompileScript.write(dir.resolve("src/Wrong.sol"), """
                // SPDX-License-Identifier: Apache-2.0
                pragma solidity 0.8.37;
                contract Wrong {
                    function f() external pure returns (uint8) { return 300; }
                }
                """);

        Run run = script.compile(dir.resolve("src"), dir.resolve("out"), dir.resolve("stamp"));

        assertThat(run.exitCode()).isNotZero();
        assertThat(run.output()).contains(wrong + ":4:").contains("TypeError");
        assertThat(dir.resolve("out")).doesNotExist();
    }

    @Test
    void unchangedSourcesAreNotRecompiledAndAChangeIs(@TempDir Path dir) throws Exception {
        Path source = CompileScript.write(dir.resolve("src/Counter.sol"), GOOD);
        Path artifact = dir.resolve("out/Counter.json");

        Run first = script.compile(dir.resolve("src"), dir.resolve("out"), dir.resolve("stamp"));
        assertThat(first.exitCode()).as(first.output()).isZero();
        assertThat(first.output()).contains("compiled 1 file(s)");
        String firstArtifact = Files.readString(artifact);
        Files.writeString(artifact, "marker: a recompile would overwrite this");

        Run second = script.compile(dir.resolve("src"), dir.resolve("out"), dir.resolve("stamp"));
        assertThat(second.exitCode()).isZero();
        assertThat(second.output()).doesNotContain("compiled");
        assertThat(Files.readString(artifact)).startsWith("marker");

        Files.writeString(source, GOOD.replace("count += 1", "count += 2"));
        Run third = script.compile(dir.resolve("src"), dir.resolve("out"), dir.resolve("stamp"));
        assertThat(third.exitCode()).isZero();
        assertThat(third.output()).contains("compiled 1 file(s)");
        assertThat(Files.readString(artifact)).contains("\"contractName\": \"Counter\"").isNotEqualTo(firstArtifact);
    }

    @Test
    void aFailedCompileKeepsThePreviousCompleteArtifacts(@TempDir Path dir) throws Exception {
        Path source = CompileScript.write(dir.resolve("src/Counter.sol"), GOOD);
        assertThat(script.compile(dir.resolve("src"), dir.resolve("out"), dir.resolve("stamp")).exitCode()).isZero();
        String good = Files.readString(dir.resolve("out/Counter.json"));

        Files.writeString(source, GOOD.replace("count += 1;", "count += ;"));
        Run broken = script.compile(dir.resolve("src"), dir.resolve("out"), dir.resolve("stamp"));

        assertThat(broken.exitCode()).isNotZero();
        assertThat(Files.readString(dir.resolve("out/Counter.json"))).isEqualTo(good);
        // No stamp: the next build compiles again instead of trusting the old outputs.
        assertThat(dir.resolve("stamp")).doesNotExist();
        try (var leftovers = Files.list(dir)) {
            assertThat(leftovers.map(p -> p.getFileName().toString())).noneMatch(name -> name.startsWith(".solc-"));
        }
    }

    @Test
    void importsResolveAgainstTheIncludeRootsAsTestContractsImportMainOnes(@TempDir Path dir) throws Exception {
        CompileScript.write(dir.resolve("main/lib/Doubler.sol"), """
                // SPDX-License-Identifier: Apache-2.0
                pragma solidity 0.8.37;
                library Doubler { function twice(uint256 x) internal pure returns (uint256) { return 2 * x; } }
                """);
        CompileScript.write(dir.resolve("test/UsesDoubler.sol"), """
                // SPDX-License-Identifier: Apache-2.0
                pragma solidity 0.8.37;
                import {Doubler} from "lib/Doubler.sol";
                contract UsesDoubler { function four() external pure returns (uint256) { return Doubler.twice(2); } }
                """);

        Run run = script.run(Map.of(), "--sources", dir.resolve("test").toString(), "--include", dir.resolve("main").toString(),
                "--artifacts", dir.resolve("out").toString(), "--stamp", dir.resolve("stamp").toString());

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(dir.resolve("out/UsesDoubler.json")).exists();
        // Only the compiled root's contracts become artifacts; included files stay with their own module.
        assertThat(dir.resolve("out/Doubler.json")).doesNotExist();
    }

    @Test
    void twoContractsWithTheSameNameAreRejectedWithBothFilesNamed(@TempDir Path dir) throws Exception {
        CompileScript.write(dir.resolve("src/a/Counter.sol"), GOOD);
        CompileScript.write(dir.resolve("src/b/Counter.sol"), GOOD);

        Run run = script.compile(dir.resolve("src"), dir.resolve("out"), dir.resolve("stamp"));

        assertThat(run.exitCode()).isNotZero();
        assertThat(run.output()).contains("'Counter'").contains("a/Counter.sol").contains("b/Counter.sol").contains("rename");
        assertThat(dir.resolve("out")).doesNotExist();
    }

    @Test
    void aMissingNodeSaysToInstallNode(@TempDir Path dir) throws Exception {
        // A PATH with the shell tools the script uses but no node.
        Path bin = Files.createDirectories(dir.resolve("bin"));
        for (String tool : new String[] {"dirname", "cat", "cmp"}) {
            Files.createSymbolicLink(bin.resolve(tool), onPath(tool));
        }
        CompileScript.write(dir.resolve("src/Counter.sol"), GOOD);

        Run run = script.run(Map.of("PATH", bin.toString()),
                "--sources", dir.resolve("src").toString(), "--artifacts", dir.resolve("out").toString(),
                "--stamp", dir.resolve("stamp").toString());

        assertThat(run.exitCode()).isNotZero();
        assertThat(run.output()).contains("Node.js was not found").contains("Node.js 20 or newer").contains("Install");
        assertThat(dir.resolve("out")).doesNotExist();
    }

    private static Path onPath(String tool) {
        return Arrays.stream(System.getenv("PATH").split(":"))
                .map(dir -> Path.of(dir, tool))
                .filter(Files::isExecutable)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException(tool + " is not on the PATH"));
    }
}
