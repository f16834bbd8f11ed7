package dev.clearline.contracts.mutation;

import dev.clearline.contracts.Artifacts;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The artifacts the L1 contract tests deploy: the built ones, or, while {@link SolidityMutation}
 * runs a mutant, that mutant's compiled contracts in front of them (the system property
 * {@value #PROPERTY} names their directory; the campaign sets it before each mutant's tests).
 */
public final class MutantArtifacts {
    public static final String PROPERTY = "clearline.mutation.artifacts";

    private MutantArtifacts() {
    }

    public static Artifacts current() {
        String dir = System.getProperty(PROPERTY);
        if (dir == null) return Artifacts.onClasspath();
        Path root = Path.of(dir);
        // resources from the mutant's directory first, then the classpath (a plain URLClassLoader asks its parent first)
        return Artifacts.in(new ClassLoader(Artifacts.class.getClassLoader()) {
            @Override
            public URL getResource(String name) {
                Path p = root.resolve(name);
                if (!Files.isRegularFile(p)) return super.getResource(name);
                try {
                    return p.toUri().toURL();
                } catch (MalformedURLException e) {
                    throw new UncheckedIOException(e);
                }
            }
        });
    }
}
