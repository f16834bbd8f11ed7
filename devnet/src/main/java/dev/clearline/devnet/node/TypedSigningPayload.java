package dev.clearline.devnet.node;

/**
 * What the sender of a typed transaction (EIP-2930, EIP-1559) signed, cut out of the envelope
 * itself: {@code type || rlp([fields...])} is the envelope {@code type || rlp([fields..., yParity, r, s])}
 * without its last three items, under a list header for the shorter length. Re-encoding the
 * decoded fields (web3j's way) was a third of the cost of decoding a transaction. Only for an
 * envelope already checked to be canonical: the items are walked, not validated.
 */
final class TypedSigningPayload {
    private TypedSigningPayload() {}

    static byte[] of(byte[] envelope) {
        int at = 1; // the type byte
        int first = envelope[at] & 0xff;
        if (first < 0xc0) throw new IllegalArgumentException("a typed envelope holds an RLP list after its type byte");
        int payloadStart = first <= 0xf7 ? at + 1 : at + 1 + (first - 0xf7);
        int end = envelope.length;
        // Item starts, to find the third from last.
        int[] starts = new int[16];
        int count = 0;
        for (int i = payloadStart; i < end; i += itemLength(envelope, i)) {
            if (count == starts.length) starts = java.util.Arrays.copyOf(starts, count * 2);
            starts[count++] = i;
        }
        if (count < 3) throw new IllegalArgumentException("a typed envelope ends with yParity, r and s");
        int cut = starts[count - 3];
        int length = cut - payloadStart;
        byte[] header = listHeader(length);
        byte[] out = new byte[1 + header.length + length];
        out[0] = envelope[0];
        System.arraycopy(header, 0, out, 1, header.length);
        System.arraycopy(envelope, payloadStart, out, 1 + header.length, length);
        return out;
    }

    /** The whole encoded length (header included) of the RLP item starting at {@code i}. */
    private static int itemLength(byte[] b, int i) {
        int p = b[i] & 0xff;
        if (p < 0x80) return 1;
        if (p <= 0xb7) return 1 + p - 0x80;
        if (p < 0xc0) return 1 + (p - 0xb7) + bigEndian(b, i + 1, p - 0xb7);
        if (p <= 0xf7) return 1 + p - 0xc0;
        return 1 + (p - 0xf7) + bigEndian(b, i + 1, p - 0xf7);
    }

    private static int bigEndian(byte[] b, int from, int bytes) {
        int n = 0;
        for (int k = 0; k < bytes; k++) n = n << 8 | (b[from + k] & 0xff);
        return n;
    }

    private static byte[] listHeader(int length) {
        if (length <= 55) return new byte[] {(byte) (0xc0 + length)};
        int bytes = length > 0xffffff ? 4 : length > 0xffff ? 3 : length > 0xff ? 2 : 1;
        byte[] h = new byte[1 + bytes];
        h[0] = (byte) (0xf7 + bytes);
        for (int k = 0; k < bytes; k++) h[bytes - k] = (byte) (length >>> (8 * k));
        return h;
    }
}
