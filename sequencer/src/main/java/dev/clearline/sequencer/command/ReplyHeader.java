package dev.clearline.sequencer.command;

import java.nio.charset.StandardCharsets;

/**
 * The leading fields of an encoded reply, read off its bytes without decoding the JSON: what a
 * gateway needs to route a reply to the request it answers and to forward it to the trader as it
 * came ({@link ReplyCodec} writes {@code {"seq":..,"clientId":..,"clientSeq":..,"time":..,
 * ["duplicate":true,]"type":"..",..}}). {@link #read} answers {@code null} for anything shaped
 * otherwise, and the caller then decodes the reply in full, so a change of layout costs speed,
 * never a wrong answer.
 *
 * @param seq the header's seq (a state query's body puts its own there; routing does not use it)
 */
public record ReplyHeader(long seq, long clientId, long clientSeq, boolean duplicate, String type) {
    private static final byte[] SEQ = ascii("{\"seq\":");
    private static final byte[] CLIENT_ID = ascii(",\"clientId\":");
    private static final byte[] CLIENT_SEQ = ascii(",\"clientSeq\":");
    private static final byte[] TIME = ascii(",\"time\":");
    private static final byte[] DUPLICATE = ascii(",\"duplicate\":true");
    private static final byte[] TYPE = ascii(",\"type\":\"");
    /** The reply types a gateway tells apart; any other is read as a new string. */
    private static final String[] KNOWN = {"place", "cancel", "amend", "batchCancel", "query", "outOfOrder", "duplicate", "request",
            "l1op", "oracle", "tick", "batchPosted", "batchesFinal"};

    public static ReplyHeader read(byte[] b, int offset, int length) {
        Cursor c = new Cursor(b, offset, offset + length);
        if (!c.expect(SEQ)) return null;
        long seq = c.number();
        if (c.failed || !c.expect(CLIENT_ID)) return null;
        long clientId = c.number();
        if (c.failed || !c.expect(CLIENT_SEQ)) return null;
        long clientSeq = c.number();
        if (c.failed || !c.expect(TIME)) return null;
        c.number();
        if (c.failed) return null;
        boolean duplicate = c.expect(DUPLICATE);
        if (!c.expect(TYPE)) return null;
        String type = c.plainString();
        if (c.failed) return null;
        return new ReplyHeader(seq, clientId, clientSeq, duplicate, type);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static final class Cursor {
        final byte[] b;
        final int end;
        int at;
        boolean failed;

        Cursor(byte[] b, int at, int end) {
            this.b = b;
            this.at = at;
            this.end = end;
        }

        boolean expect(byte[] text) {
            if (end - at < text.length) return false;
            for (int i = 0; i < text.length; i++) if (b[at + i] != text[i]) return false;
            at += text.length;
            return true;
        }

        /** A JSON integer that fits a long; anything else fails the read. */
        long number() {
            boolean negative = at < end && b[at] == '-';
            if (negative) at++;
            long v = 0;
            int digits = 0;
            while (at < end && b[at] >= '0' && b[at] <= '9') {
                int d = b[at++] - '0';
                // accumulate negatively so Long.MIN_VALUE reads too; overflow fails the read
                if (v < (Long.MIN_VALUE + d) / 10) {
                    failed = true;
                    return 0;
                }
                v = v * 10 - d;
                digits++;
            }
            if (digits == 0 || (!negative && v == Long.MIN_VALUE)) failed = true;
            return negative ? v : -v;
        }

        /** A string without escapes up to its closing quote (reply types are plain words). */
        String plainString() {
            int start = at;
            while (at < end && b[at] != '"') {
                if (b[at] == '\\' || b[at] < 0x20) {
                    failed = true;
                    return null;
                }
                at++;
            }
            if (at >= end) {
                failed = true;
                return null;
            }
            int n = at - start;
            at++;
            for (String k : KNOWN) {
                if (k.length() != n) continue;
                boolean same = true;
                for (int i = 0; i < n && same; i++) same = k.charAt(i) == b[start + i];
                if (same) return k;
            }
            return new String(b, start, n, StandardCharsets.UTF_8);
        }
    }
}
