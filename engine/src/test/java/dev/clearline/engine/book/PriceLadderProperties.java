package dev.clearline.engine.book;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import dev.clearline.engine.image.ImageFormatException;
import dev.clearline.engine.image.ImageReader;
import dev.clearline.engine.image.ImageWriter;
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
     * Queues, dequeues and sends to the back (an iceberg's refill) orders at levels around the
     * bitmap's word boundaries and checks the best level, the walk from best to worst, FIFO order
     * and each queue's tail against a TreeMap of deques.
     */
    @Test
    void agreesWithASortedMapOfQueues() {
        Property.forAll(Gens.booleans(), Gens.listOf(Gens.ints(0, INTERESTING.length * 3 + 11), 0, 200)).tries(200).check((bestIsHighest, steps) -> {
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
                } else if (step >= INTERESTING.length * 3 + 6 && !levelOf.isEmpty()) {
                    int slot = levelOf.keySet().stream().sorted().toList().get(step % levelOf.size());
                    int level = levelOf.get(slot);
                    ladder.moveToBack(slot, level);
                    model.get(level).remove(slot);
                    model.get(level).addLast(slot);
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
                model.forEach((level, queue) -> assertThat(ladder.tail(level)).as("tail of %d", level).isEqualTo(queue.peekLast()));
            }
            assertThat(ladder.levels()).isEqualTo(LEVELS);
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

    /**
     * A ladder's image, read into a new ladder, gives the same best level, walk, queue ends and
     * pages, and writes the same bytes again; an image whose levels are out of order, out of range
     * or whose best level is not the side's best is refused.
     */
    @Test
    void anImageRestoresTheSameLadderAndADamagedOneIsRefused() {
        Property.forAll(Gens.booleans(), Gens.listOf(Gens.ints(0, INTERESTING.length * 3 - 1), 1, 60)).check((bestIsHighest, picks) -> {
            long[] links = Slots.newLinks(picks.size());
            PriceLadder ladder = new PriceLadder(LEVELS, bestIsHighest, links);
            for (int slot = 0; slot < picks.size(); slot++) {
                int level = picks.get(slot) < INTERESTING.length ? INTERESTING[picks.get(slot)] : 100_000 + 4_099 * picks.get(slot);
                ladder.append(slot, level);
            }
            ImageWriter out = new ImageWriter();
            ladder.writeImage(out);
            byte[] image = out.toByteArray();
            PriceLadder restored = new PriceLadder(LEVELS, bestIsHighest, links);
            restored.readImage(new ImageReader(image), picks.size());
            assertThat(restored.best()).isEqualTo(ladder.best());
            assertThat(restored.pagesInUse()).isEqualTo(ladder.pagesInUse());
            // bounded, so a ladder that walks in circles fails instead of hanging
            int walked = 0;
            for (int level = ladder.best(); level != PriceLadder.NONE && walked++ <= picks.size(); level = ladder.worse(level)) {
                assertThat(restored.head(level)).isEqualTo(ladder.head(level));
                assertThat(restored.tail(level)).isEqualTo(ladder.tail(level));
                assertThat(restored.worse(level)).isEqualTo(ladder.worse(level));
            }
            ImageWriter again = new ImageWriter();
            restored.writeImage(again);
            assertThat(again.toByteArray()).isEqualTo(image);
            assertThatThrownBy(() -> restored.readImage(new ImageReader(image), picks.size())).isInstanceOf(IllegalStateException.class);

            // [best][count] then (level, head, tail) per level, ascending
            int count = java.nio.ByteBuffer.wrap(image, 4, 4).getInt();
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(image.clone());
            b.putInt(8, LEVELS); // the first level past the ladder's end
            assertThatThrownBy(() -> new PriceLadder(LEVELS, bestIsHighest, links).readImage(new ImageReader(b.array()), picks.size()))
                    .isInstanceOf(ImageFormatException.class);
            java.nio.ByteBuffer pastEnd = java.nio.ByteBuffer.wrap(image.clone());
            pastEnd.putInt(8 + 12 * (count - 1), LEVELS); // the last level just past the end, in order, the best if it should be
            if (bestIsHighest) pastEnd.putInt(0, LEVELS);
            assertThatThrownBy(() -> new PriceLadder(LEVELS, bestIsHighest, links).readImage(new ImageReader(pastEnd.array()), picks.size()))
                    .isInstanceOf(ImageFormatException.class);
            java.nio.ByteBuffer slots = java.nio.ByteBuffer.wrap(image.clone());
            slots.putInt(12, picks.size()); // a queue head past the slots
            assertThatThrownBy(() -> new PriceLadder(LEVELS, bestIsHighest, links).readImage(new ImageReader(slots.array()), picks.size()))
                    .isInstanceOf(ImageFormatException.class);
            for (int[] at : new int[][] {{12, -1}, {16, picks.size()}, {16, -1}}) { // a head, a tail out of the slots' range
                java.nio.ByteBuffer bad = java.nio.ByteBuffer.wrap(image.clone());
                bad.putInt(at[0], at[1]);
                assertThatThrownBy(() -> new PriceLadder(LEVELS, bestIsHighest, links).readImage(new ImageReader(bad.array()), picks.size()))
                        .isInstanceOf(ImageFormatException.class);
            }
            java.nio.ByteBuffer best = java.nio.ByteBuffer.wrap(image.clone());
            best.putInt(0, ladder.best() == 0 ? 1 : ladder.best() - 1); // a best level that is not the side's best
            assertThatThrownBy(() -> new PriceLadder(LEVELS, bestIsHighest, links).readImage(new ImageReader(best.array()), picks.size()))
                    .isInstanceOf(ImageFormatException.class);
            if (count > 1) {
                java.nio.ByteBuffer order = java.nio.ByteBuffer.wrap(image.clone());
                order.putInt(8 + 12, order.getInt(8)); // the second level repeats the first
                assertThatThrownBy(() -> new PriceLadder(LEVELS, bestIsHighest, links).readImage(new ImageReader(order.array()), picks.size()))
                        .isInstanceOf(ImageFormatException.class);
            }
        });
    }
}
