package dev.clearline.tree.store;

/** A stored tree node. Child links name the child's writing version; its path follows from the parent's. */
public sealed interface Node permits Node.Internal, Node.Leaf {
    /** Version value of a child link that points at an empty subtree. */
    long NO_CHILD = -1;

    byte[] hash();

    /** An internal node with at least two leaves below it; either child may be empty (hash zero). */
    record Internal(long leftVersion, byte[] leftHash, long rightVersion, byte[] rightHash, byte[] hash) implements Node {}

    /** A leaf: the full key, the value, and the value's hash (kept so proofs need no re-hashing). */
    record Leaf(byte[] key, byte[] value, byte[] valueHash, byte[] hash) implements Node {}
}
