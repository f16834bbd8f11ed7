package dev.clearline.engine.book;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.junit.jupiter.api.Test;

class PriceLadderProperties {
    /** Not a whole number of pages, so the last page is a partial one. */
    private static final int LEVELS = (1 << 20) + 37;
    /**
     * Levels either side of bitmap word (64), page (4096) and page-summary word (64 pages) boundaries,
     * and the ends.
     */
    private static final int[] INTERESTING = {0, 1, 62, 63, 64, 65, 4_095, 4_096, 4_097, 8_191, 262_143, 262_144,
        262_145, 1 << 19, (1 << 20) - 1, 1 << 20, LEVELS - 2, LEVELS - 1};

    /**
     * Queues and dequeues orders at levels around the bitmap's word boundaries and checks the best
     * level, the walk from best to worst, and FIFO order against a TreeMap of deques.
     */
    @Test
    void agreesWithASortedMapOfQueues() {
        Property.forAll(Gens.booleans(), Gens.listOf(Gens.ints(0, 59), 0, 200)).tries(200).check((bestIsHighest, steps) -> {
            int slots = 64;
            long[] links = Slots.newLinks(slots);
            PriceLadder ladder = new PriceLadder(LEVELS, bestIsHighest, links);
            NavigableMap<Integer, Deque<Integer>> model = new TreeMap<>();
            Map<Integer, Integer> levelOf = new HashMap<>();
            List<Integer> free = new ArrayList<>();
            for (int i = 0; i < slots; i++) {
                free.add(i);
            }
            for (int step : steps) {
                if (step < INTERESTING.length * 3 && !free.isEmpty()) {
                    int slot = free.remove(free.size() - 1);
                    int level = INTERESTING[step % INTERESTING.length];
                    ladder.append(slot, level);
                    model.computeIfAbsent(level, l -> new ArrayDeque<>()).addLast(slot);
                    levelOf.put(slot, level);
                } else if (!levelOf.isEmpty()) {
                    int slot = levelOf.keySet().stream().sorted().toList().get(step % levelOf.size());
                    int level = levelOf.remove(slot);
                    ladder.unlink(slot, level);
                    model.get(level).remove(slot);
                    if (model.get(level).isEmpty()) {
                        model.remove(level);
                    }
                    free.add(slot);
                }
                NavigableMap<Integer, Deque<Integer>> ordered = bestIsHighest ? model.descendingMap() : model;
                List<List<Integer>> expected = new ArrayList<>();
                ordered.forEach((level, queue) -> {
                    List<Integer> row = new ArrayList<>(List.of(level));
                    row.addAll(queue);
                    expected.add(row);
                });
                List<List<Integer>> actual = new ArrayList<>();
                // Bounded, so a ladder that walks in circles fails instead of hanging.
                for (int level = ladder.best(); level != PriceLadder.NONE && actual.size() <= model.size();
                     level = ladder.worse(level)) {
                    List<Integer> row = new ArrayList<>(List.of(level));
                    for (int s = ladder.head(level); s != PriceLadder.NONE; s = Slots.next(links, s)) {
                        row.add(s);
                    }
                    actual.add(row);
                }
                assertThat(actual).isEqualTo(expected);
            }
        });
    }

    /** A ladder allocates a page only where an order rests, and keeps it, so its memory follows the prices used. */
    @Test
    void allocatesPagesOnlyWhereOrdersRest() {
        Property.forAll(Gens.booleans(), Gens.listOf(Gens.ints(0, LEVELS - 1), 1, 40)).check((bestIsHighest, levels) -> {
            long[] links = Slots.newLinks(levels.size());
            PriceLadder ladder = new PriceLadder(LEVELS, bestIsHighest, links);
            assertThat(ladder.pagesInUse()).isZero();
            assertThat(ladder.head(levels.get(0))).isEqualTo(PriceLadder.NONE);
            for (int slot = 0; slot < levels.size(); slot++) {
                ladder.append(slot, levels.get(slot));
            }
            long pages = levels.stream().map(l -> l / PriceLadder.PAGE_LEVELS).distinct().count();
            assertThat(ladder.pagesInUse()).isEqualTo(pages);
            for (int slot = 0; slot < levels.size(); slot++) {
                ladder.unlink(slot, levels.get(slot));
            }
            assertThat(ladder.best()).isEqualTo(PriceLadder.NONE);
            assertThat(ladder.pagesInUse()).isEqualTo(pages);
        });
    }
}
