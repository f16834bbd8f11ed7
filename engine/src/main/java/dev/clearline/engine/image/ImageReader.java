package dev.clearline.engine.image;

import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.order.Signature;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads what an {@link ImageWriter} wrote, in the same order. Running past the end, or a length
 * or count that cannot be right, is an {@link ImageFormatException} naming where it happened, so
 * a damaged image is refused with a reason instead of restoring a state that is not the one saved.
 */
public final class ImageReader {
    private final byte[] buf;
    private final int end;
    private int at;

    public ImageReader(byte[] buf) {
        this(buf, 0, buf.length);
    }

    public ImageReader(byte[] buf, int offset, int length) {
        this.buf = buf;
        this.at = offset;
        this.end = offset + length;
    }

    private void need(int n) {
        if (n < 0 || end - at < n) {
            throw new ImageFormatException("the image ends at byte " + at + " where " + n + " more were expected");
        }
    }

    public int readByte() {
        need(1);
        return buf[at++];
    }

    public boolean readBoolean() {
        int b = readByte();
        if (b != 0 && b != 1) throw new ImageFormatException("a boolean of value " + b + " at byte " + (at - 1));
        return b == 1;
    }

    public int readInt() {
        need(4);
        int v = 0;
        for (int i = 0; i < 4; i++) v = (v << 8) | (buf[at++] & 0xff);
        return v;
    }

    /** The int {@link #readInt} would read next, without moving past it (an optional part's tag). */
    public int peekInt() {
        int was = at;
        try {
            return readInt();
        } finally {
            at = was;
        }
    }

    public long readLong() {
        need(8);
        long v = 0;
        for (int i = 0; i < 8; i++) v = (v << 8) | (buf[at++] & 0xff);
        return v;
    }

    /** A count written with {@link ImageWriter#writeInt}: refused when negative or larger than what is left at {@code minBytesEach} bytes each. */
    public int readCount(int minBytesEach) {
        int n = readInt();
        if (n < 0 || (minBytesEach > 0 && (long) n * minBytesEach > end - at)) {
            throw new ImageFormatException("a count of " + n + " at byte " + (at - 4) + " does not fit the " + (end - at) + " bytes left");
        }
        return n;
    }

    public byte[] readRaw(int n) {
        need(n);
        byte[] b = Arrays.copyOfRange(buf, at, at + n);
        at += n;
        return b;
    }

    public byte[] readBytes() {
        int n = readInt();
        if (n == -1) return null;
        return readRaw(n);
    }

    /** Reads {@link ImageWriter#writeWords}. */
    public byte[] readWords() {
        int n = readInt();
        if (n == -1) return null;
        if (n < 0 || n % 32 != 0) return readRaw(n);
        need(n / 32);
        byte[] b = new byte[n];
        for (int w = 0; w < n; w += 32) {
            int len = readByte();
            if (len < 0 || len > 32) throw new ImageFormatException("a word of " + len + " bytes at byte " + (at - 1));
            need(len);
            System.arraycopy(buf, at, b, w + 32 - len, len);
            at += len;
        }
        return b;
    }

    public String readString() {
        byte[] b = readBytes();
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    public Hash32 readHash() {
        return readBoolean() ? new Hash32(readRaw(32)) : null;
    }

    public Address readAddress() {
        return readBoolean() ? new Address(readRaw(20)) : null;
    }

    public Signature readSignature() {
        return readBoolean() ? new Signature(readRaw(Signature.LENGTH)) : null;
    }

    public long[] readLongs() {
        long[] a = new long[readCount(8)];
        for (int i = 0; i < a.length; i++) a[i] = readLong();
        return a;
    }

    public int[] readInts() {
        int[] a = new int[readCount(4)];
        for (int i = 0; i < a.length; i++) a[i] = readInt();
        return a;
    }

    /** Reads {@link ImageWriter#writeSparseLongs} into a new array of the written length. */
    public long[] readSparseLongs() {
        long[] a = new long[readCount(0)];
        readLongRuns(a);
        return a;
    }

    /** Reads {@link ImageWriter#writeSparseLongs} into {@code a}, which must have the written length (a preallocated table). */
    public void readSparseLongsInto(long[] a) {
        int written = readInt();
        if (written != a.length) throw new ImageFormatException("an array of " + written + " longs where this build has " + a.length);
        readLongRuns(a);
    }

    private void readLongRuns(long[] a) {
        while (true) {
            int start = readInt();
            if (start == -1) return;
            int count = readCount(8);
            if (start < 0 || start > a.length - count) throw new ImageFormatException("a run [" + start + ", +" + count + ") outside an array of " + a.length);
            for (int j = 0; j < count; j++) a[start + j] = readLong();
        }
    }

    public int[] readSparseInts() {
        int[] a = new int[readCount(0)];
        readIntRuns(a);
        return a;
    }

    public void readSparseIntsInto(int[] a) {
        int written = readInt();
        if (written != a.length) throw new ImageFormatException("an array of " + written + " ints where this build has " + a.length);
        readIntRuns(a);
    }

    private void readIntRuns(int[] a) {
        while (true) {
            int start = readInt();
            if (start == -1) return;
            int count = readCount(4);
            if (start < 0 || start > a.length - count) throw new ImageFormatException("a run [" + start + ", +" + count + ") outside an array of " + a.length);
            for (int j = 0; j < count; j++) a[start + j] = readInt();
        }
    }

    /** Bytes not read yet. */
    public int remaining() {
        return end - at;
    }

    public int position() {
        return at;
    }

    /** Refuses an image with bytes after its last field. */
    public void expectEnd() {
        if (at != end) throw new ImageFormatException((end - at) + " unexpected bytes after the image's last field");
    }
}
