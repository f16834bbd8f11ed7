package dev.clearline.sequencer.state;

import dev.clearline.engine.batch.BatchBuilder;
import dev.clearline.engine.image.ImageFormatException;
import dev.clearline.engine.image.ImageReader;
import dev.clearline.engine.image.ImageWriter;
import dev.clearline.engine.stf.LeafStore;
import dev.clearline.engine.stf.MemoryLeafStore;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The state's leaves in an image, written once for both the exchange's mirror and the Merkle
 * tree. The mirror runs the same transitions through the same STF as the tree, so the two hold
 * the same leaves, with one difference: the mirror applies outside any batch, so each ORDER leaf
 * it holds records batch 0 where the tree's records the batch its PostOrder landed in. Each leaf
 * is written as the tree has it (in key order, from one walk of the tree: equal states give equal
 * bytes) with the mirror's difference beside it: usually the batch index word, a few bytes.
 */
final class LeafImage {
    /** What follows a leaf: nothing (the mirror's value is the tree's), the mirror's batch index word, or the mirror's whole value. */
    private static final int SAME = 0;
    private static final int BATCH_WORD = 1;
    private static final int OTHER = 2;
    /** An ORDER leaf's value (13 ABI words) and where its batch index sits (word 10): see {@code OrderLeaf}. */
    private static final int ORDER_VALUE_BYTES = 13 * 32;
    private static final int BATCH_WORD_AT = 10 * 32;

    /** The leaves for each side, ready for {@code putAll}. */
    record Leaves(List<LeafStore.Write> mirror, List<LeafStore.Write> tree) {}

    private LeafImage() {}

    /** Writes every leaf; refuses (IllegalStateException) a tree and a mirror that do not hold the same keys (a determinism bug). */
    static void write(ImageWriter out, BatchBuilder tree, MemoryLeafStore mirror) {
        out.writeInt(mirror.size());
        int[] written = {0};
        tree.forEachLeaf((k, v) -> {
            byte[] m = mirror.get(k);
            if (m == null) throw new IllegalStateException("the tree holds a leaf the exchange's mirror does not (a determinism bug)");
            written[0]++;
            out.writeRaw(k).writeWords(v);
            if (Arrays.equals(m, v)) {
                out.writeByte(SAME);
            } else if (onlyBatchWordDiffers(m, v)) {
                out.writeByte(BATCH_WORD).writeWords(Arrays.copyOfRange(m, BATCH_WORD_AT, BATCH_WORD_AT + 32));
            } else {
                out.writeByte(OTHER).writeWords(m);
            }
        });
        if (written[0] != mirror.size()) {
            throw new IllegalStateException("the exchange's mirror holds " + mirror.size() + " leaves, the tree " + written[0] + " (a determinism bug)");
        }
    }

    static Leaves read(ImageReader in) {
        int n = in.readCount(34);
        List<LeafStore.Write> mirror = new ArrayList<>(n), tree = new ArrayList<>(n);
        byte[] last = null;
        for (int i = 0; i < n; i++) {
            byte[] key = in.readRaw(32);
            if (last != null && Arrays.compareUnsigned(last, key) >= 0) throw new ImageFormatException("leaf " + i + " of the image is out of key order");
            last = key;
            byte[] v = in.readWords();
            if (v == null) throw new ImageFormatException("leaf " + i + " of the image has no value");
            tree.add(new LeafStore.Write(key, v));
            int how = in.readByte();
            byte[] m = switch (how) {
                case SAME -> v;
                case BATCH_WORD -> {
                    byte[] word = in.readWords();
                    if (v.length != ORDER_VALUE_BYTES || word == null || word.length != 32) {
                        throw new ImageFormatException("leaf " + i + " of the image gives a batch index word for a value that is not an ORDER leaf's");
                    }
                    byte[] copy = v.clone();
                    System.arraycopy(word, 0, copy, BATCH_WORD_AT, 32);
                    yield copy;
                }
                case OTHER -> {
                    byte[] own = in.readWords();
                    if (own == null) throw new ImageFormatException("leaf " + i + " of the image has no mirror value");
                    yield own;
                }
                default -> throw new ImageFormatException("leaf " + i + " of the image is marked " + how + ", which this build does not read");
            };
            mirror.add(new LeafStore.Write(key, m));
        }
        return new Leaves(mirror, tree);
    }

    private static boolean onlyBatchWordDiffers(byte[] mirror, byte[] tree) {
        return mirror.length == ORDER_VALUE_BYTES && tree.length == ORDER_VALUE_BYTES
                && Arrays.equals(mirror, 0, BATCH_WORD_AT, tree, 0, BATCH_WORD_AT)
                && Arrays.equals(mirror, BATCH_WORD_AT + 32, ORDER_VALUE_BYTES, tree, BATCH_WORD_AT + 32, ORDER_VALUE_BYTES);
    }
}
