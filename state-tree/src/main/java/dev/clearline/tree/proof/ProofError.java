package dev.clearline.tree.proof;

/**
 * Why a proof was rejected. The codes are part of the protocol: the Solidity library
 * {@code SparseMerkleProof} returns the same numbers for the same inputs, and the shared test
 * vectors pin them.
 */
public enum ProofError {
    /** The proof holds. */
    OK(0),
    /** The bytes do not parse: truncated, trailing bytes, unknown terminal kind, depth above 256, non-zero padding bits in the bitmap, no terminals. */
    MALFORMED(1),
    /** Keys are not strictly ascending, the key and value lists differ in length, or there are no keys. */
    KEYS_NOT_SORTED(2),
    /** The terminals do not match the keys: a key is not covered, a terminal is left over, terminals overlap, or a stated neighbour leaf is off the key's path. */
    TERMINAL_MISMATCH(3),
    /** A claimed value contradicts the terminal: a value claimed for an absent key, or absence claimed for a present key. */
    VALUE_MISMATCH(4),
    /** The proof holds fewer or more siblings than its terminals consume. */
    SIBLINGS_MISMATCH(5),
    /** Everything parses and lines up, but the recomputed root is not the expected one: wrong key, value or sibling. */
    ROOT_MISMATCH(6),
    /**
     * Reserved: once returned for a deletion or for three or more leaves in one terminal, both of which
     * {@link ProofVerifier#update} now supports; no input produces it. The code stays so that codes never move.
     */
    UNSUPPORTED_UPDATE(7);

    private final int code;

    ProofError(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static ProofError ofCode(int code) {
        for (ProofError e : values()) {
            if (e.code == code) {
                return e;
            }
        }
        throw new IllegalArgumentException("no proof error with code " + code);
    }
}
