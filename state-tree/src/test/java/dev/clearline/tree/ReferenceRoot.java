package dev.clearline.tree;

import dev.clearline.tree.hash.Keccak256;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * The compact tree's root computed the slow, obvious way from a sorted key/value map, written
 * independently of the tree (its own bit test and hashing from the spec's preimages), so tests
 * can check the versioned implementation against it.
 */
final class ReferenceRoot {
    private ReferenceRoot() {}

    static byte[] of(SortedMap<Bytes32, byte[]> entries) {
        return of(new ArrayList<>(entries.entrySet()), 0);
    }

    private static byte[] of(List<Map.Entry<Bytes32, byte[]>> e, int depth) {
        if (e.isEmpty()) {
            return new byte[32];
        }
        if (e.size() == 1) {
            byte[] pre = new byte[65];
            pre[0] = 0;
            System.arraycopy(e.get(0).getKey().toArray(), 0, pre, 1, 32);
            System.arraycopy(Keccak256.hash(e.get(0).getValue()), 0, pre, 33, 32);
            return Keccak256.hash(pre);
        }
        List<Map.Entry<Bytes32, byte[]>> left = new ArrayList<>();
        List<Map.Entry<Bytes32, byte[]>> right = new ArrayList<>();
        for (var x : e) {
            byte[] k = x.getKey().toArray();
            ((k[depth / 8] >> (7 - depth % 8) & 1) == 0 ? left : right).add(x);
        }
        byte[] pre = new byte[65];
        pre[0] = 1;
        System.arraycopy(of(left, depth + 1), 0, pre, 1, 32);
        System.arraycopy(of(right, depth + 1), 0, pre, 33, 32);
        return Keccak256.hash(pre);
    }
}
