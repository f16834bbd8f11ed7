package dev.clearline.tree.store;

/** A stored tree node. Child links name the child's writing version; its path follows from the parent's. */
public sealed interface Node permits Node.Internal, Node.Leaf {
    /** Version value of a child link that points at an empty subtree. */
    long NO_CHILD = -1;

    byte[] hash();

    /**
     * An internal node with at least two leaves below it; either child may be empty (hash zero).
     *
     * <p>{@code left} and {@code right} are the child nodes themselves when they are in memory
     * (always for nodes the tree built, never for nodes decoded from disk): following them costs
     * nothing, and a version whose root is dropped takes its unshared nodes with it to the garbage
     * collector. They are not part of the stored form.
     */
    record Internal(long leftVersion, byte[] leftHash, long rightVersion, byte[] rightHash, byte[] hash,
            Node left, Node right) implements Node {
        public Internal(long leftVersion, byte[] leftHash, long rightVersion, byte[] rightHash, byte[] hash) {
            this(leftVersion, leftHash, rightVersion, rightHash, hash, null, null);
        }
    }

    /** A leaf: the full key, the value, and the value's hash (kept so proofs need no re-hashing). */
    record Leaf(byte[] key, byte[] value, byte[] valueHash, byte[] hash) implements Node {}
}
