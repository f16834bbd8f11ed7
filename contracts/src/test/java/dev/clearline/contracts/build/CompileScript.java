package dev.clearline.contracts.build;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Runs the module's build/compile.sh the way the Maven build does, capturing what it prints. */
final class CompileScript {
    /** Exit code and combined stdout + stderr of one run. */
    record Run(int exitCode, String output) {}

    private final Path moduleDir = Path.of(System.getProperty("basedir", ".")).toAbsolutePath();

    Run compile(Path sources, Path artifacts, Path stamp) throws IOException, InterruptedException {
        return run(Map.of(), "--sources", sources.toString(), "--artifacts", artifacts.toString(), "--stamp", stamp.toString());
    }

    Run run(Map<String, String> environment, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("/bin/sh", moduleDir.resolve("build/compile.sh").toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(environment);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Run(process.waitFor(), output);
    }

    static Path write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        return Files.writeString(file, text);
    }
}
