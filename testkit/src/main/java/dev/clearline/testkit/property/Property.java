package dev.clearline.testkit.property;

import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.Predicate;

/**
 * A property: a statement checked on many generated inputs inside one JUnit test.
 *
 * <pre>{@code
 * @Test
 * void rootDoesNotDependOnInsertionOrder() {
 *     Property.forAll(Gens.listOf(Gens.bytes(32), 1, 50)).tries(200).check(keys -> { ... });
 * }
 * }</pre>
 *
 * <p>Try {@code i} draws its input from its own seed; try 0 uses the base seed itself. The
 * base seed is derived from the property's name unless {@code -Dclearline.seed} gives one, so
 * CI runs are reproducible, and a failure prints the failing try's seed: passing it back
 * replays exactly that input as try 0. A failing input is shrunk (for operation lists: chunks,
 * then single steps, then simpler steps) and both the original and the shrunk input are
 * reported.
 */
public final class Property<T> {

    /** Upper bound on successful shrink steps, so a pathological shrink tree cannot hang a build. */
    private static final int MAX_SHRINK_STEPS = 2_000;

    private final Gen<T> gen;
    private final String name;
    private final String replayHint;
    private int tries = 100;
    /** True when {@link #once} set the tries: no multiplier scales them. */
    private boolean once;

    private Property(Gen<T> gen, String name, String replayHint) {
        this.gen = gen;
        this.name = name;
        this.replayHint = replayHint;
    }

    /** A property over one generated input; its name is the calling test method's. */
    public static <T> Property<T> forAll(Gen<T> gen) {
        Caller caller = Caller.find();
        return new Property<>(gen, caller.name(), caller.testSelector());
    }

    /** A property over two independently generated inputs. */
    public static <A, B> Property2<A, B> forAll(Gen<A> a, Gen<B> b) {
        Caller caller = Caller.find();
        return new Property2<>(new Property<>(a.zip(b, Tuple2::new), caller.name(), caller.testSelector()));
    }

    /** Overrides the name derived from the calling method (for properties checked in a loop). */
    public Property<T> named(String newName) {
        Property<T> p = new Property<>(gen, newName, replayHint);
        p.tries = tries;
        return p;
    }

    /** Tries at the default multiplier; {@code -Dclearline.tries=X} scales it. */
    public Property<T> tries(int count) {
        if (count < 1) throw new IllegalArgumentException("tries must be at least 1");
        this.tries = count;
        return this;
    }

    /**
     * One try whatever {@code -Dclearline.tries} says: for a property whose world lives outside it (an L1 with its
     * deposits, a node's directory) and cannot be built again for a second try. The seed still comes from the
     * settings, so {@code -Dclearline.seed=random} still draws a new case each run.
     */
    public Property<T> once() {
        this.tries = 1;
        this.once = true;
        return this;
    }

    /** Checks that {@code body} neither fails an assertion nor throws, for every try. */
    public void check(ThrowingConsumer<? super T> body) {
        Settings settings = Settings.fromSystemProperties();
        long base = settings.seed().orElseGet(() -> settings.randomSeed()
                ? new SplittableRandom().nextLong()
                : nameSeed(name));
        int total = once ? 1 : Math.max(1, (int) Math.round(tries * settings.triesMultiplier()));
        for (int i = 0; i < total; i++) {
            long seed = i == 0 ? base : mix(base, i);
            Shrinkable<T> input = gen.sample(new SplittableRandom(seed));
            Optional<Throwable> failure = run(body, input.value());
            if (failure.isPresent()) {
                throw report(i, total, seed, input, failure.get(), body);
            }
        }
    }

    /** Checks that {@code predicate} holds for every try. */
    public void checkThat(Predicate<? super T> predicate) {
        check(value -> {
            if (!predicate.test(value)) throw new AssertionError("predicate was false");
        });
    }

    private AssertionError report(int tryIndex, int total, long seed, Shrinkable<T> original, Throwable firstFailure,
                                  ThrowingConsumer<? super T> body) {
        Shrinkable<T> smallest = original;
        Throwable smallestFailure = firstFailure;
        int steps = 0;
        boolean progressed = true;
        while (progressed && steps < MAX_SHRINK_STEPS) {
            progressed = false;
            for (Shrinkable<T> candidate : (Iterable<Shrinkable<T>>) smallest.shrinks().get()::iterator) {
                Optional<Throwable> f = run(body, candidate.value());
                if (f.isPresent()) {
                    smallest = candidate;
                    smallestFailure = f.get();
                    steps++;
                    progressed = true;
                    break;
                }
            }
        }
        String message = "Property '" + name + "' failed at try " + (tryIndex + 1) + " of " + total
                + " with seed " + seed + "\n"
                + "Replay exactly: " + replayCommand(seed, replayHint, java.nio.file.Path.of(System.getProperty("user.dir"))) + "\n"
                + (steps > 0
                    ? "Shrunk input (" + steps + " steps):\n" + Pretty.show(smallest.value()) + "\n"
                        + "Original input:\n" + Pretty.show(original.value()) + "\n"
                    : "Input:\n" + Pretty.show(original.value()) + "\n")
                + "Failure: " + smallestFailure;
        // Printed as well as thrown: surefire keeps stdout in the report next to the trace.
        System.out.println(message);
        return new AssertionError(message, smallestFailure);
    }

    /**
     * The command that replays {@code seed}: a whole Maven command when the test runs in a module of a project with the
     * Maven wrapper beside it (surefire's working directory is the module's), else the flags alone. Only the flags were
     * printed, and a reader had to find the module and the command around them.
     */
    static String replayCommand(long seed, String selector, java.nio.file.Path workingDir) {
        String flags = selector + " -D" + Settings.SEED + "=" + seed;
        java.nio.file.Path parent = workingDir.toAbsolutePath().getParent();
        boolean module = java.nio.file.Files.isRegularFile(workingDir.resolve("pom.xml")) && parent != null
                && java.nio.file.Files.isRegularFile(parent.resolve("mvnw"));
        return module ? "./mvnw -B -pl " + workingDir.toAbsolutePath().getFileName() + " test " + flags : flags;
    }

    private static <T> Optional<Throwable> run(ThrowingConsumer<? super T> body, T value) {
        try {
            body.accept(value);
            return Optional.empty();
        } catch (Throwable t) {
            if (t instanceof VirtualMachineError vme && !(t instanceof StackOverflowError)) throw vme;
            return Optional.of(t);
        }
    }

    private static long nameSeed(String name) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < name.length(); i++) {
            h ^= name.charAt(i);
            h *= 0x100000001b3L;
        }
        return h;
    }

    /** SplitMix64 finaliser over (base, index): neighbouring tries get unrelated seeds. */
    static long mix(long base, long index) {
        long z = base + index * 0x9e3779b97f4a7c15L;
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** A body that may throw checked exceptions (I/O in a property is fine). */
    @FunctionalInterface
    public interface ThrowingConsumer<T> {
        void accept(T value) throws Throwable;
    }

    /** A property over two inputs, checked with a two-argument body. */
    public static final class Property2<A, B> {
        private final Property<Tuple2<A, B>> inner;

        private Property2(Property<Tuple2<A, B>> inner) {
            this.inner = inner;
        }

        public Property2<A, B> tries(int count) {
            inner.tries(count);
            return this;
        }

        public void check(ThrowingBiConsumer<? super A, ? super B> body) {
            inner.check(t -> body.accept(t.first(), t.second()));
        }
    }

    @FunctionalInterface
    public interface ThrowingBiConsumer<A, B> {
        void accept(A a, B b) throws Throwable;
    }

    /** The test method that declared the property, for its name and the replay command. */
    private record Caller(String className, String methodName) {
        static Caller find() {
            return StackWalker.getInstance().walk(frames -> frames
                    .filter(f -> !isFramework(f.getClassName()))
                    .findFirst()
                    .map(f -> new Caller(f.getClassName(), enclosingMethod(f.getMethodName())))
                    .orElse(new Caller("unknown", "unknown")));
        }

        /** {@code lambda$rootIsStable$3} was written inside {@code rootIsStable}. */
        private static String enclosingMethod(String method) {
            if (!method.startsWith("lambda$")) return method;
            int end = method.indexOf('$', "lambda$".length());
            return end < 0 ? method : method.substring("lambda$".length(), end);
        }

        private static boolean isFramework(String cls) {
            return (cls.startsWith(Property.class.getPackageName()) && !cls.endsWith("Test")) || cls.startsWith("org.junit.")
                    || cls.startsWith("org.opentest4j.") || cls.startsWith("java.") || cls.startsWith("jdk.");
        }

        String name() {
            return className.substring(className.lastIndexOf('.') + 1) + "." + methodName;
        }

        String testSelector() {
            String simple = className.substring(className.lastIndexOf('.') + 1);
            int nested = simple.indexOf('$');
            return "-Dtest='" + (nested < 0 ? simple : simple.substring(0, nested)) + "#" + methodName + "'";
        }
    }
}
