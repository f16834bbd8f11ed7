package dev.clearline.engine.witness;

import dev.clearline.tree.Bytes32;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The witness bytes of one step, exactly as {@code StepVerifier.step} parses them
 * (docs/protocol.md, "Witness"):
 *
 * <pre>
 * u8 n                                      leaves, keys strictly ascending (unsigned)
 * n x { bytes32 key, u16 len, bytes[len] }  the pre-state value; len 0 = absent
 * bytes proof                               the multi-proof of the n keys (section 2.4), to the end;
 *                                           empty when n = 0
 * </pre>
 */
public record Witness(List<WitnessLeaf> leaves, byte[] proof) {
    public static final Witness EMPTY = new Witness(List.of(), new byte[0]);
    public static final int MAX_LEAVES = 255;

    public Witness {
        leaves = List.copyOf(leaves);
        if (leaves.size() > MAX_LEAVES) throw new IllegalArgumentException("a witness holds at most 255 leaves, got " + leaves.size());
        for (int i = 1; i < leaves.size(); i++) {
            if (leaves.get(i - 1).key().compareTo(leaves.get(i).key()) >= 0) {
                throw new IllegalArgumentException("witness keys must be strictly ascending: " + leaves.get(i - 1).key()
                        + " then " + leaves.get(i).key());
            }
        }
        if (leaves.isEmpty() != (proof.length == 0)) {
            throw new IllegalArgumentException("a witness has a proof exactly when it has leaves");
        }
        proof = proof.clone();
    }

    @Override
    public byte[] proof() {
        return proof.clone();
    }

    public List<Bytes32> keys() {
        return leaves.stream().map(WitnessLeaf::key).toList();
    }

    public byte[] encode() {
        int size = 1 + proof.length;
        for (WitnessLeaf l : leaves) size += 34 + (l.present() ? l.value().length : 0);
        ByteBuffer b = ByteBuffer.allocate(size);
        b.put((byte) leaves.size());
        for (WitnessLeaf l : leaves) {
            b.put(l.key().toArray());
            byte[] v = l.present() ? l.value() : new byte[0];
            b.putShort((short) v.length);
            b.put(v);
        }
        b.put(proof);
        return b.array();
    }

    /** Parses witness bytes; throws {@link IllegalArgumentException} saying what is wrong. */
    public static Witness decode(byte[] bytes) {
        if (bytes.length == 0) throw new IllegalArgumentException("an empty witness: it needs at least the leaf count byte");
        ByteBuffer b = ByteBuffer.wrap(bytes);
        int n = b.get() & 0xff;
        List<WitnessLeaf> leaves = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            if (b.remaining() < 34) throw new IllegalArgumentException("witness truncated in leaf " + i + " at byte " + b.position());
            byte[] key = new byte[32];
            b.get(key);
            int len = b.getShort() & 0xffff;
            if (b.remaining() < len) throw new IllegalArgumentException("witness truncated in the value of leaf " + i);
            byte[] v = new byte[len];
            b.get(v);
            leaves.add(new WitnessLeaf(Bytes32.of(key), len == 0 ? null : v));
        }
        return new Witness(leaves, Arrays.copyOfRange(bytes, b.position(), bytes.length));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Witness w && w.leaves.equals(leaves) && Arrays.equals(w.proof, proof);
    }

    @Override
    public int hashCode() {
        return leaves.hashCode() * 31 + Arrays.hashCode(proof);
    }
}
