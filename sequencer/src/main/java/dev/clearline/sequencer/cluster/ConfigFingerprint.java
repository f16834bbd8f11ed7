package dev.clearline.sequencer.cluster;

import dev.clearline.sequencer.state.Genesis;
import dev.clearline.sequencer.state.RulesVersion;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The settings a member's state machine depends on, named field by field, as one member holds
 * them. Every member of a cluster must hold the same; a member whose settings differ would apply
 * the same log to other rules and diverge silently. At every new leadership term the leader's
 * service puts its fingerprint into the log (a service message, so only the leader's copy lands),
 * and every member, including one replaying the log from the start on an empty directory, compares
 * it with its own: the first field that differs stops that member, with both values named.
 *
 * <p>The member list is not part of it: a member with another list cannot reach the others and
 * never joins. The L1 settings (RPC, manifest, keys) are not either: only the leader acts on them,
 * and the manifest's chain id and rollup, which are, come in through the genesis.
 */
public record ConfigFingerprint(int memberId, Map<String, String> fields) {
    /** Starts every fingerprint message; no command starts with it (commands start with their version byte). */
    private static final byte[] MAGIC = "CLCONFIG".getBytes(StandardCharsets.US_ASCII);
    private static final byte FORMAT = 1;

    public ConfigFingerprint {
        fields = Map.copyOf(new LinkedHashMap<>(fields));
    }

    /** A member of this build's fingerprint ({@link RulesVersion#CURRENT}). */
    public static ConfigFingerprint of(int memberId, Genesis g) {
        return of(memberId, g, RulesVersion.CURRENT);
    }

    /**
     * A member's fingerprint: the rules its build applies, then the genesis, field by field, in a fixed order. The
     * rules are a field too, though each term's log names its leader's (Aeron's app version): a build from before
     * they were versioned ignores that, but stops on a field it lacks.
     */
    public static ConfigFingerprint of(int memberId, Genesis g, int rules) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("rules", Integer.toString(rules));
        f.put("chainId", Long.toString(g.chainId()));
        f.put("rollup", g.verifyingContract().toString());
        f.put("books.maxPriceTicks", Long.toString(g.books().maxPriceTicks()));
        f.put("books.maxSizeLots", Long.toString(g.books().maxSizeLots()));
        f.put("books.capacity", Integer.toString(g.books().capacity()));
        f.put("batches.maxTransitions", Integer.toString(g.batches().maxTransitions()));
        f.put("batches.maxAgeSeconds", Long.toString(g.batches().maxAgeSeconds()));
        return new ConfigFingerprint(memberId, f);
    }

    /**
     * This fingerprint with where the member's log began: {@code genesis}, or {@code take-up ROOT} for a log begun from a
     * state taken up from L1 ({@code --take-up}); null (a member that started from a snapshot, which no longer knows)
     * leaves it out. Compared only when both sides name it: a member replaying a log begun from a take-up without that
     * state would replay it from genesis and diverge; one started from a snapshot, or of a build before the field, has
     * nothing to compare.
     */
    public ConfigFingerprint withStart(String start) {
        if (start == null) return this;
        Map<String, String> f = new LinkedHashMap<>(fields);
        f.put(START, start);
        return new ConfigFingerprint(memberId, f);
    }

    /** The field {@link #withStart} adds. */
    static final String START = "start";

    public byte[] encode() {
        List<String> names = new ArrayList<>(fields.keySet());
        names.sort(null);
        List<byte[]> parts = new ArrayList<>();
        int size = MAGIC.length + 1 + 4 + 2;
        for (String n : names) {
            byte[] k = n.getBytes(StandardCharsets.UTF_8);
            byte[] v = fields.get(n).getBytes(StandardCharsets.UTF_8);
            parts.add(k);
            parts.add(v);
            size += 4 + k.length + v.length;
        }
        ByteBuffer b = ByteBuffer.allocate(size);
        b.put(MAGIC).put(FORMAT).putInt(memberId).putShort((short) names.size());
        for (byte[] p : parts) b.putShort((short) p.length).put(p);
        return b.array();
    }

    /** True when the bytes are a fingerprint message (whatever its content), not a command. */
    public static boolean isFingerprint(byte[] bytes) {
        return bytes.length >= MAGIC.length && Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length);
    }

    /** Decodes a fingerprint message; empty when the bytes are not one or are cut short. */
    public static Optional<ConfigFingerprint> decode(byte[] bytes) {
        if (!isFingerprint(bytes)) return Optional.empty();
        try {
            ByteBuffer b = ByteBuffer.wrap(bytes, MAGIC.length, bytes.length - MAGIC.length);
            if (b.get() != FORMAT) return Optional.empty();
            int member = b.getInt();
            int n = b.getShort() & 0xffff;
            Map<String, String> f = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) f.put(string(b), string(b));
            if (b.hasRemaining()) return Optional.empty();
            return Optional.of(new ConfigFingerprint(member, f));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** How an operator sets a field, so a mismatch says which option to change. */
    static String setBy(String field) {
        return switch (field) {
            case "chainId" -> "set by the manifest's chain, or --chain-id";
            case "rollup" -> "set by the manifest's rollup, or --rollup";
            case "batches.maxAgeSeconds" -> "set by --batch-seconds";
            case START -> "where its log began: genesis, or the state --take-up FILE gave it; a log begun from a take-up is replayed"
                    + " only from that state: start this member on an empty --dir with the same --take-up FILE as the others";
            case "rules" -> "the rules version of its build: a cluster changes rules only all at once, after a snapshot at the end of its"
                    + " log (docs/replication.md, \"Upgrading to new rules\")";
            default -> "set by the build";
        };
    }

    private static String string(ByteBuffer b) {
        byte[] s = new byte[b.getShort() & 0xffff];
        b.get(s);
        return new String(s, StandardCharsets.UTF_8);
    }

    /**
     * What differs between the log's fingerprint ({@code this}) and this member's own, one line per
     * field, in name order; empty when they agree.
     */
    public List<String> differencesFrom(ConfigFingerprint mine) {
        List<String> names = new ArrayList<>(fields.keySet());
        for (String n : mine.fields.keySet()) if (!fields.containsKey(n)) names.add(n);
        names.sort(null);
        List<String> out = new ArrayList<>();
        for (String n : names) {
            String theirs = fields.get(n);
            String ours = mine.fields.get(n);
            if (n.equals(START) && (theirs == null || ours == null)) continue;
            if (!Objects.equals(theirs, ours)) {
                out.add(n + ": the cluster's log has " + (theirs == null ? "nothing" : theirs) + " (from leader member " + memberId
                        + "), this member has " + (ours == null ? "nothing" : ours) + " (" + setBy(n) + ")");
            }
        }
        return out;
    }
}
