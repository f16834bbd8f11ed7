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
}
