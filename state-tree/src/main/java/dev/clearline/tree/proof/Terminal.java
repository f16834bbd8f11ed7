package dev.clearline.tree.proof;

import java.util.Arrays;

/**
 * Where the path of one or more queried keys ends: an empty subtree, a leaf whose key the verifier
 * was not told (a neighbour proving absence), or the leaf of one of the queried keys (whose key and
 * value hash the verifier already has, so the proof does not repeat them).
 */
public sealed interface Terminal permits Terminal.Empty, Terminal.NeighbourLeaf, Terminal.QueriedLeaf {
    int depth();

    /** Wire code of the terminal's kind. */
    int kind();

    record Empty(int depth) implements Terminal {
        public int kind() {
            return 0;
        }
    }

    record NeighbourLeaf(int depth, byte[] key, byte[] valueHash) implements Terminal {
        public int kind() {
            return 1;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof NeighbourLeaf n && n.depth == depth && Arrays.equals(n.key, key)
                    && Arrays.equals(n.valueHash, valueHash);
        }

        @Override
        public int hashCode() {
            return 31 * depth + Arrays.hashCode(key);
        }
    }

    record QueriedLeaf(int depth) implements Terminal {
        public int kind() {
            return 2;
        }
    }
}
