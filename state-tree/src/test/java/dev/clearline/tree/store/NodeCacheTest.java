package dev.clearline.tree.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class NodeCacheTest {
    private static Node leaf(int i) {
        byte[] b = new byte[32];
        b[0] = (byte) i;
        return new Node.Leaf(b, new byte[] {(byte) i}, b, b);
    }

    @Test
    void returnsOnlyWhatWasStoredUnderEqualKeysAndForgetsRemovedOnes() {
        NodeCache cache = new NodeCache(64);
        Random r = new Random(1);
        List<NodeKey> keys = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            NodeKey k = new NodeKey(r.nextInt(5), r.nextInt(256), r.nextLong(), r.nextLong(), 0, 0);
            keys.add(k);
            cache.put(k, leaf(i));
        }
        int hits = 0;
        for (int i = 0; i < keys.size(); i++) {
            NodeKey copy = new NodeKey(keys.get(i).version(), keys.get(i).depth(), keys.get(i).p0(), keys.get(i).p1(), 0, 0);
            Node n = cache.get(copy);
            if (n != null) {
                hits++;
                assertThat(((Node.Leaf) n).value()).containsExactly((byte) i);
            }
        }
        // 200 keys in 64 slots: some survive, never more than fit.
        assertThat(hits).isBetween(1, 64);
        NodeKey last = keys.get(keys.size() - 1);
        assertThat(cache.get(last)).isNotNull();
        cache.remove(last);
        assertThat(cache.get(last)).isNull();
        cache.put(last, leaf(7));
        cache.put(last, leaf(8));
        assertThat(((Node.Leaf) cache.get(last)).value()).containsExactly(8);
    }

    @Test
    void atAnEighthOfItsSizeItKeepsEveryEntryAndAFreedWayIsReusedWithoutEvicting() {
        NodeCache cache = new NodeCache(1 << 12);
        Random r = new Random(3);
        List<NodeKey> keys = new ArrayList<>();
        for (int i = 0; i < (1 << 12) / 8; i++) {
            // Paths of shallow nodes have their bits at the top of the word and zeros below.
            int depth = 1 + r.nextInt(30);
            NodeKey k = NodeKey.of(r.nextInt(3), depth, randomKey(r));
            if (keys.contains(k)) continue;
            keys.add(k);
            cache.put(k, leaf(i));
        }
        for (NodeKey k : keys) assertThat(cache.get(k)).as("%s", k).isNotNull();
        assertThat(cache.size()).isEqualTo(keys.size());
        for (int i = 0; i < keys.size(); i += 2) cache.remove(keys.get(i));
        for (int i = 0; i < keys.size(); i += 2) cache.put(keys.get(i), leaf(i));
        for (NodeKey k : keys) assertThat(cache.get(k)).isNotNull();
        assertThat(cache.size()).isEqualTo(keys.size());
    }

    @Test
    void aFullSetEvictsItsOldestEntryFirst() {
        NodeCache cache = new NodeCache(8); // one set of eight ways
        List<NodeKey> keys = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            keys.add(new NodeKey(i, 5, 0, 0, 0, 0));
            cache.put(keys.get(i), leaf(i));
        }
        for (int i = 0; i < 4; i++) assertThat(cache.get(keys.get(i))).isNull();
        for (int i = 4; i < 12; i++) assertThat(((Node.Leaf) cache.get(keys.get(i))).value()).containsExactly((byte) i);
    }

    private static byte[] randomKey(Random r) {
        byte[] k = new byte[32];
        r.nextBytes(k);
        return k;
    }
}
