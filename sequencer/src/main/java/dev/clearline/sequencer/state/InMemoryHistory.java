package dev.clearline.sequencer.state;

/**
 * A {@link CommandHistory} in the heap: what a state outside a cluster member keeps (tests, tools,
 * benchmarks), and what a member kept before {@link FileHistory}.
 */
final class InMemoryHistory implements CommandHistory {
    /**
     * The entries in fixed chunks, never copied as they grow: a single growing array copied itself
     * at every doubling (about 3 % of the service's allocation per order) and, past a few hundred
     * MB, needed its old and new copies at once.
     */
    private static final int CHUNK = 1 << 20;
    /** The first chunk: a state that applies a few commands (tests, tools) does not hold a megabyte. */
    static final int FIRST_CHUNK = 1 << 16;
    private final java.util.List<byte[]> chunks = new java.util.ArrayList<>();
    private byte[] current = new byte[FIRST_CHUNK];
    private int used;
    private long count;
    /** The commands dropped before the first held one, and their bytes. */
    private long startCount;
    private long startBytes;

    @Override
    public void add(long timestampMillis, byte[] command, int offset, int length) {
        for (int i = 7; i >= 0; i--) put((byte) (timestampMillis >>> (8 * i)));
        for (int i = 3; i >= 0; i--) put((byte) (length >>> (8 * i)));
        while (length > 0) {
            if (used == current.length) nextChunk();
            int n = Math.min(length, current.length - used);
            System.arraycopy(command, offset, current, used, n);
            used += n;
            offset += n;
            length -= n;
        }
        count++;
    }

    private void put(byte b) {
        if (used == current.length) nextChunk();
        current[used++] = b;
    }

    private void nextChunk() {
        chunks.add(current);
        current = new byte[Math.min(CHUNK, 2 * current.length)];
        used = 0;
    }

    @Override
    public void appendEncoded(byte[] encoded, int offset, int length) {
        for (int at = offset, end = offset + length; at < end; ) {
            if (used == current.length) nextChunk();
            int n = Math.min(end - at, current.length - used);
            System.arraycopy(encoded, at, current, used, n);
            used += n;
            at += n;
        }
    }

    @Override
    public void restoreFrom(long startCount, long startBytes) {
        if (count != 0 || held() != 0) throw new IllegalStateException("a restore goes into an empty history");
        this.startCount = startCount;
        this.startBytes = startBytes;
    }

    @Override
    public void restored(long count) {
        this.count = count;
    }

    @Override
    public long count() {
        return count;
    }

    @Override
    public long start() {
        return startBytes;
    }

    @Override
    public long startCount() {
        return startCount;
    }

    @Override
    public void dropBefore(long timestampMillis) {
        CommandHistory.Cut cut = CommandHistory.cutBefore(this, timestampMillis);
        if (cut.commands() == 0) return;
        // the states that keep a history in the heap are short-lived (tests, tools): copying what is kept is simplest
        java.util.List<byte[]> old = new java.util.ArrayList<>(chunks);
        old.add(java.util.Arrays.copyOf(current, used));
        long skip = cut.at() - startBytes;
        chunks.clear();
        current = new byte[FIRST_CHUNK];
        used = 0;
        for (byte[] c : old) {
            int from = (int) Math.min(c.length, skip);
            skip -= from;
            if (from < c.length) appendEncoded(c, from, c.length - from);
        }
        startBytes = cut.at();
        startCount += cut.commands();
    }

    /** Bytes held: the whole history's after {@link #start}. */
    private long held() {
        long size = used;
        for (byte[] c : chunks) size += c.length;
        return size;
    }

    @Override
    public byte[] encoded() {
        long size = held();
        if (size > Integer.MAX_VALUE - 8) throw new IllegalStateException("the command history (" + size + " bytes) no longer fits one snapshot image");
        byte[] out = new byte[(int) size];
        int at = 0;
        for (byte[] c : chunks) {
            System.arraycopy(c, 0, out, at, c.length);
            at += c.length;
        }
        System.arraycopy(current, 0, out, at, used);
        return out;
    }

    @Override
    public long size() {
        return startBytes + held();
    }

    @Override
    public byte[] range(long whole, int max) {
        long size = size();
        if (whole < startBytes || whole > size) {
            throw new IllegalArgumentException("from " + whole + " is outside the history's bytes " + startBytes + " to " + size);
        }
        long from = whole - startBytes;
        byte[] out = new byte[(int) Math.min(max, size - whole)];
        int at = 0;
        long base = 0; // where chunk i starts in the encoded history
        for (int i = 0; i <= chunks.size() && at < out.length; i++) {
            byte[] c = i < chunks.size() ? chunks.get(i) : current;
            int length = i < chunks.size() ? c.length : used;
            long want = from + at;
            if (want < base + length) {
                int n = (int) Math.min(base + length - want, out.length - at);
                System.arraycopy(c, (int) (want - base), out, at, n);
                at += n;
            }
            base += length;
        }
        return out;
    }

    @Override
    public void forEachChunk(Chunks sink) {
        for (byte[] c : chunks) sink.accept(c, 0, c.length);
        if (used > 0) sink.accept(current, 0, used);
    }

    @Override
    public void close() {
        // nothing held outside the heap
    }
}
