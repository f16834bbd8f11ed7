package dev.clearline.sequencer.command;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/**
 * A gateway's word to the cluster on whether it wants every client's state-changing replies (it
 * serves market-data or account subscribers) or only its own. It travels through the log like a
 * command but changes no state: the service keeps the set of sessions that asked, to route its
 * egress, and a replay or a follower builds the same set. Replies themselves stay the same bytes;
 * only who is sent them changes. The set is not in snapshots: a gateway says it again whenever it
 * connects or a new leader takes over.
 */
public record StreamWish(boolean everyone) {
    private static final byte[] MAGIC = "CLSTREAM".getBytes(StandardCharsets.US_ASCII);

    public byte[] encode() {
        byte[] b = Arrays.copyOf(MAGIC, MAGIC.length + 1);
        b[MAGIC.length] = (byte) (everyone ? 1 : 0);
        return b;
    }

    public static boolean isWish(byte[] bytes, int length) {
        return length >= MAGIC.length && Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length);
    }

    /** The wish in these bytes, or empty when they are not a well-formed one (the service ignores those). */
    public static Optional<StreamWish> decode(byte[] bytes, int length) {
        if (length != MAGIC.length + 1 || !isWish(bytes, length)) return Optional.empty();
        byte flag = bytes[MAGIC.length];
        return flag == 0 || flag == 1 ? Optional.of(new StreamWish(flag == 1)) : Optional.empty();
    }
}
