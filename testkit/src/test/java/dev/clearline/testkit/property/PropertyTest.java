package dev.clearline.testkit.property;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PropertyTest {

    @AfterEach
    void clearSettings() {
        System.clearProperty(Settings.SEED);
        System.clearProperty(Settings.TRIES);
    }

    @Test
    void aPassingPropertyRunsItsTriesTimesTheMultiplier() {
        List<Long> seen = new ArrayList<>();
        Property.forAll(Gens.longs()).tries(40).check(seen::add);
        assertEquals(40, seen.size());
        System.setProperty(Settings.TRIES, "2.5");
        seen.clear();
        Property.forAll(Gens.longs()).tries(40).check(seen::add);
        assertEquals(100, seen.size());
        // a property that runs once runs once at any multiplier, on the seed the settings give
        seen.clear();
        Property.forAll(Gens.longs()).once().check(seen::add);
        assertEquals(1, seen.size());
        System.setProperty(Settings.SEED, "12345");
        List<Long> again = new ArrayList<>();
        Property.forAll(Gens.longs()).once().check(again::add);
        Property.forAll(Gens.longs()).once().check(again::add);
        assertEquals(2, again.size());
        assertEquals(again.get(0), again.get(1), "the same seed, the same case");
    }

    @Test
    void aFailureNamesTheWholeCommandThatReplaysItInItsModule(@org.junit.jupiter.api.io.TempDir java.nio.file.Path project) throws Exception {
        java.nio.file.Path module = java.nio.file.Files.createDirectories(project.resolve("engine"));
        java.nio.file.Files.writeString(project.resolve("mvnw"), "");
        java.nio.file.Files.writeString(module.resolve("pom.xml"), "");
        assertEquals("./mvnw -B -pl engine test -Dtest='OrderBookProperties#crossed' -Dclearline.seed=-7",
                Property.replayCommand(-7, "-Dtest='OrderBookProperties#crossed'", module));
        assertEquals("-Dtest='X#y' -Dclearline.seed=3", Property.replayCommand(3, "-Dtest='X#y'", project),
                "outside a module: the flags alone");
    }

    @Test
    void theSameNameGivesTheSameInputsOnEveryRun() {
        List<Long> first = new ArrayList<>();
        List<Long> second = new ArrayList<>();
        Property.forAll(Gens.longs()).named("fixed").tries(20).check(first::add);
        Property.forAll(Gens.longs()).named("fixed").tries(20).check(second::add);
        assertEquals(first, second);
    }

    @Test
    void theSeedAFailurePrintsReplaysThatExactInputAsTheFirstTry() {
        Gen<List<Integer>> ops = Gens.listOf(Gens.ints(0, 1_000), 0, 30);
        AssertionError failure = assertThrows(AssertionError.class, () -> Property.forAll(ops).tries(500)
                .check(list -> assertTrue(list.stream().mapToInt(Integer::intValue).sum() < 5_000)));
        long seed = seedIn(failure.getMessage());
        List<Integer> original = ops.sample(new SplittableRandom(seed)).value();
        assertTrue(original.stream().mapToInt(Integer::intValue).sum() >= 5_000, "the printed seed regenerates a failing input");

        System.setProperty(Settings.SEED, Long.toString(seed));
        List<List<Integer>> replayed = new ArrayList<>();
        Property.forAll(ops).tries(1).check(replayed::add);
        assertEquals(List.of(original), replayed);
    }

    @Test
    void aFailingOperationListShrinksToTheShortestScenario() {
        // Fails as soon as the list holds a 7 anywhere: the minimal scenario is [7].
        AssertionError failure = assertThrows(AssertionError.class, () -> Property
                .forAll(Gens.listOf(Gens.ints(0, 9), 0, 60)).tries(200)
                .check(list -> assertTrue(!list.contains(7), "holds a 7")));
        assertTrue(failure.getMessage().contains("Shrunk input"), failure.getMessage());
        assertTrue(failure.getMessage().contains("[\n  7\n]"), failure.getMessage());
    }

    @Test
    void numbersShrinkToTheBoundaryThatFails() {
        AssertionError failure = assertThrows(AssertionError.class, () -> Property
                .forAll(Gens.longs(0, Long.MAX_VALUE)).tries(200)
                .check(v -> assertTrue(v < 1_000_003L)));
        assertTrue(failure.getMessage().contains("Shrunk input") && failure.getMessage().contains("\n1000003\n"),
                failure.getMessage());
    }

    @Test
    void edgesOfARangeAreDrawnAndNothingOutsideIt() {
        List<Long> seen = new ArrayList<>();
        Property.forAll(Gens.longs(-5, Long.MAX_VALUE)).tries(300).check(seen::add);
        assertTrue(seen.contains(-5L) && seen.contains(Long.MAX_VALUE) && seen.contains(0L), seen.toString());
        assertTrue(seen.stream().allMatch(v -> v >= -5));
    }

    @Test
    void flatMappedValuesStillShrink() {
        Gen<List<Integer>> dependent = Gens.ints(1, 20).flatMap(n -> Gens.listOf(Gens.ints(0, 100), n, n));
        AssertionError failure = assertThrows(AssertionError.class, () -> Property.forAll(dependent).tries(200)
                .check(list -> assertTrue(list.size() < 3)));
        assertTrue(failure.getMessage().contains("Shrunk input"), failure.getMessage());
        assertTrue(failure.getMessage().contains("[\n  0,\n  0,\n  0\n]"), failure.getMessage());
    }

    @Test
    void allOfKeepsItsSizeAndShrinksEachPartOnItsOwn() {
        Gen<List<Integer>> parts = Gens.allOf(Gens.ints(0, 100), Gens.ints(50, 60), Gens.ints(-9, 9));
        List<List<Integer>> seen = new ArrayList<>();
        Property.forAll(parts).tries(200).check(seen::add);
        assertTrue(seen.stream().allMatch(v -> v.size() == 3 && v.get(1) >= 50 && v.get(1) <= 60 && Math.abs(v.get(2)) <= 9));
        // Fails when the first part is at least 10: the smallest input keeps three parts, the first at 10.
        AssertionError failure = assertThrows(AssertionError.class, () -> Property.forAll(parts).tries(200)
                .check(v -> assertTrue(v.get(0) < 10)));
        assertTrue(failure.getMessage().contains("Shrunk input") && failure.getMessage().contains("[\n  10,\n  50,\n  0\n]"),
                failure.getMessage());
    }

    @Test
    void stringsCountCodePointsAndSurviveUtf8() {
        List<String> seen = new ArrayList<>();
        Property.forAll(Gens.strings(2, 12)).tries(300).check(s -> {
            int n = s.codePointCount(0, s.length());
            assertTrue(n >= 2 && n <= 12, s);
            assertEquals(s, new String(s.getBytes(java.nio.charset.StandardCharsets.UTF_8), java.nio.charset.StandardCharsets.UTF_8));
            seen.add(s);
        });
        assertTrue(seen.stream().anyMatch(s -> s.codePoints().anyMatch(Character::isSupplementaryCodePoint)), "supplementary drawn");
        assertTrue(seen.stream().anyMatch(s -> s.chars().allMatch(c -> c >= 0x20 && c < 0x7f)), "plain ASCII drawn");
    }

    @Test
    void aBadSeedSettingSaysWhatToGive() {
        System.setProperty(Settings.SEED, "banana");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Property.forAll(Gens.longs()).check(v -> {}));
        assertTrue(e.getMessage().contains("give the number a failure printed"));
    }

    private static long seedIn(String message) {
        int at = message.indexOf("with seed ") + "with seed ".length();
        int end = message.indexOf('\n', at);
        return Long.parseLong(message.substring(at, end).trim());
    }
}
