package dev.clearline.engine.image;

import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.order.Signature;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Writes a state image: big-endian primitives into one growing array. An image is read back by
 * {@link ImageReader} in the same order; it carries no field names, so each writer and its reader
 * sit side by side (a class's {@code writeImage} and its restoring constructor or {@code readImage}).
 * Arrays that are mostly zero (an order book's preallocated slots, a price ladder's levels) go out
 * as runs ({@link #writeSparseLongs}), so an image grows with what is live, not with what was
 * reserved. Not thread-safe.
 */
public final class ImageWriter {
    private byte[] buf;
    private int size;

    public ImageWriter() {
        this(1 << 12);
    }

    public ImageWriter(int initialCapacity) {
        buf = new byte[Math.max(16, initialCapacity)];
    }

    private void ensure(int more) {
        if (size + more <= buf.length) return;
        long want = Math.max((long) buf.length * 2, (long) size + more);
        if (want > Integer.MAX_VALUE - 16) throw new IllegalStateException("a state image of " + want + " bytes does not fit one array");
        buf = Arrays.copyOf(buf, (int) want);
    }

    public ImageWriter writeByte(int v) {
        ensure(1);
        buf[size++] = (byte) v;
        return this;
    }

    public ImageWriter writeBoolean(boolean v) {
        return writeByte(v ? 1 : 0);
    }

    public ImageWriter writeInt(int v) {
        ensure(4);
        for (int i = 3; i >= 0; i--) buf[size++] = (byte) (v >>> (8 * i));
        return this;
    }

    public ImageWriter writeLong(long v) {
        ensure(8);
        for (int i = 7; i >= 0; i--) buf[size++] = (byte) (v >>> (8 * i));
        return this;
    }

    /** Raw bytes of a length both sides know (no length written). */
    public ImageWriter writeRaw(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, buf, size, b.length);
        size += b.length;
        return this;
    }

    /** A byte array or null, with its length. */
    public ImageWriter writeBytes(byte[] b) {
        if (b == null) return writeInt(-1);
        writeInt(b.length);
        return writeRaw(b);
    }

    /**
     * A byte array or null, compacted as 32-byte words when its length is a multiple of 32: each
     * word as its length without leading zero bytes (one byte) and those bytes. The state's leaf
     * values are ABI words, mostly small numbers zero-padded to 32 bytes: an ORDER leaf's 416
     * bytes take about 80.
     */
    public ImageWriter writeWords(byte[] b) {
        if (b == null || b.length % 32 != 0) return writeBytes(b);
        writeInt(b.length);
        ensure(b.length + b.length / 32);
        for (int w = 0; w < b.length; w += 32) {
            int z = 0;
            while (z < 32 && b[w + z] == 0) z++;
            buf[size++] = (byte) (32 - z);
            System.arraycopy(b, w + z, buf, size, 32 - z);
            size += 32 - z;
        }
        return this;
    }

    /** A string (UTF-8) or null. */
    public ImageWriter writeString(String s) {
        return writeBytes(s == null ? null : s.getBytes(StandardCharsets.UTF_8));
    }

    /** A hash or null. */
    public ImageWriter writeHash(Hash32 h) {
        writeBoolean(h != null);
        return h == null ? this : writeRaw(h.bytes());
    }

    /** An address or null. */
    public ImageWriter writeAddress(Address a) {
        writeBoolean(a != null);
        return a == null ? this : writeRaw(a.bytes());
    }

    /** A signature or null. */
    public ImageWriter writeSignature(Signature s) {
        writeBoolean(s != null);
        return s == null ? this : writeRaw(s.encoded());
    }

    public ImageWriter writeLongs(long[] a) {
        writeInt(a.length);
        ensure(8 * a.length);
        for (long v : a) writeLong(v);
        return this;
    }

    public ImageWriter writeInts(int[] a) {
        writeInt(a.length);
        ensure(4 * a.length);
        for (int v : a) writeInt(v);
        return this;
    }

    /**
     * A long array as its length and the runs of non-zero values: (start, count, values) until a
     * start of -1. A preallocated table that is mostly empty costs a few bytes.
     */
    public ImageWriter writeSparseLongs(long[] a) {
        writeInt(a.length);
        int i = 0;
        while (true) {
            while (i < a.length && a[i] == 0) i++;
            if (i == a.length) return writeInt(-1);
            int start = i;
            // a run ends at two zeros in a row, so one zero inside a record does not split it
            while (i < a.length && (a[i] != 0 || (i + 1 < a.length && a[i + 1] != 0))) i++;
            writeInt(start).writeInt(i - start);
            ensure(8 * (i - start));
            for (int j = start; j < i; j++) writeLong(a[j]);
        }
    }

    /** As {@link #writeSparseLongs} for an int array. */
    public ImageWriter writeSparseInts(int[] a) {
        writeInt(a.length);
        int i = 0;
        while (true) {
            while (i < a.length && a[i] == 0) i++;
            if (i == a.length) return writeInt(-1);
            int start = i;
            while (i < a.length && (a[i] != 0 || (i + 1 < a.length && a[i + 1] != 0))) i++;
            writeInt(start).writeInt(i - start);
            ensure(4 * (i - start));
            for (int j = start; j < i; j++) writeInt(a[j]);
        }
    }

    public int size() {
        return size;
    }

    /** Overwrites the four bytes at {@code at} (written before) with {@code v}: a length known only once what follows it is written. */
    public ImageWriter putInt(int at, int v) {
        if (at < 0 || at > size - 4) throw new IndexOutOfBoundsException("no int written at " + at + " of " + size + " bytes");
        for (int i = 3; i >= 0; i--) buf[at++] = (byte) (v >>> (8 * i));
        return this;
    }

    /**
     * The bytes written so far are the first {@link #size()} of this array: the writer's own, not a
     * copy, valid until the next write. For a caller that sends or checksums a large image without
     * holding it twice.
     */
    public byte[] array() {
        return buf;
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(buf, size);
    }
}
