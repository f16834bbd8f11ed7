package dev.clearline.sequencer.state;

import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.sequencer.Market;
import dev.clearline.sequencer.command.Command;
import dev.clearline.sequencer.command.CommandCodec;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The outcome of fixed sessions, pinned per {@link RulesVersion}: every reply (the acknowledgements, fills, refusals
 * and batches a log gives) and every state root after it, hashed together with the commands' encoded bytes (the codec
 * is part of the rules: a log holds those bytes). A change that moves this hash changes what an existing log means,
 * so a member replaying its log under the new build would diverge: bump {@link RulesVersion#CURRENT} and pin the new
 * hash under it (the old pins stay, as a record). A change that only the hash of {@link StateImageTest} notices is a
 * snapshot layout, not a rule.
 *
 * <p>A pin guards only the paths its sessions take: the first three are quiet (orders, cancels, marks, margin moves,
 * batches); a day of a venue ({@link VenueSession}) adds every other kind of command and the paths a quiet session never
 * takes (liquidations, deleveraging, expiries, amends, withdrawals, forced operations from L1, a posting halt), and
 * the test fails when that session stops reaching one of them, or when a new kind of command is not in it.
 */
class RulesVersionPinTest {
    /** The hash each rules version gives; the current one must be here. */
    private static final Map<Integer, String> PINNED = Map.of(
            1, "671797fbf018242e339e06bc4a99e83089bb9a9265855f822b7269dcf01d44ec",
            2, "671797fbf018242e339e06bc4a99e83089bb9a9265855f822b7269dcf01d44ec", // the quiet sessions rest no reduce-only order
            3, "671797fbf018242e339e06bc4a99e83089bb9a9265855f822b7269dcf01d44ec", // nor read an order
            4, "671797fbf018242e339e06bc4a99e83089bb9a9265855f822b7269dcf01d44ec", // nor rest a pegged one
            5, "671797fbf018242e339e06bc4a99e83089bb9a9265855f822b7269dcf01d44ec", // nor arm a stop
            6, "671797fbf018242e339e06bc4a99e83089bb9a9265855f822b7269dcf01d44ec", // nor set a dead man's switch
            7, "671797fbf018242e339e06bc4a99e83089bb9a9265855f822b7269dcf01d44ec"); // nor read a position
    /** The hash each rules version gives for the venue's days ({@link VenueSession}, seeds 1 and 2). */
    private static final Map<Integer, String> PINNED_VENUE = Map.of(
            1, "9f738cf325aa5eb68ab8185d934ea746782da11c03ef6e8d02e6fc9c2d18ea81",
            2, "35f88ff0cdfec09e958ce2b7c16d46b45d49d5fa2e18cd7c6c67e5bba04d6cba",
            3, "25dcfaf20870737c5f090be3e6a7b5aed2a76ce9f8cfc482899a96f02c9a176b",
            4, "26219d5d27c2c1af705ff2ac7c3e94ac37ebc487fc74e8d244dfab99090e0604",
            5, "d8c434e83cb04613e97af242c4247c8e89e783ca2124807be7027182b3c274b6",
            6, "95bfe94aa02290a136e320c9e98e4bc5c99e1d9fff86d58fc6b7c080ebed6096",
            7, "b0a7c58cd4cf809c56ec422989903174d8de897ed6b15b09dba4a64dc538f35f");
    /** What the venue's days must reach, from their replies: events, refusals, cancel causes, applied transition types. */
    private static final Set<String> MUST_REACH = Set.of(
            "event:Accepted", "event:Rested", "event:Filled", "event:Cancelled", "event:Expired", "event:Amended", "event:Deleveraged", "event:Trimmed",
            "event:Rejected", "event:RequestApplied", "event:RequestRejected", "liquidation", "duplicate", "posting:halted",
            "event:Armed", "event:Triggered", "event:Disarmed", "why:EXPIRED", "trailing:Armed", "trailing:Triggered", "trailing:moved",
            "event:CancelAllFired", "why:SCHEDULED", "switch:Cancelled", "switch:Disarmed", "reject:STALE_NONCE", "reject:DEADLINE_PASSED",
            "why:REQUESTED", "why:SELF_TRADE", "why:IMMEDIATE_REMAINDER", "why:POSITION_CLOSED",
            "reason:INSUFFICIENT_BALANCE", "reason:INSUFFICIENT_MARGIN", "reason:POST_ONLY_WOULD_TAKE", "reason:REDUCE_ONLY_WOULD_INCREASE",
            "reason:UNKNOWN_ORDER", "reason:BOOK_REJECTED",
            // deposit, market config, forced withdrawal, forced cancel, oracle, allocate, release, withdraw, liquidate
            "applied:1", "applied:2", "applied:3", "applied:4", "applied:5", "applied:9", "applied:10", "applied:11", "applied:12");

    @Test
    void theCurrentRulesGiveThePinnedOutcomes() throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        for (long seed : new long[] {3, 11, 29}) {
            SequencerState s = new SequencerState(Market.GENESIS, new NativeSecp256k1Verifier());
            List<Command> cs = StateImageTest.session(seed);
            for (int i = 0; i < cs.size(); i++) {
                sha.update(CommandCodec.encode(cs.get(i)));
                sha.update(StateImageTest.reply(s, cs.get(i), i).getBytes(StandardCharsets.UTF_8));
                sha.update(s.stateRoot().bytes());
            }
        }
        String hash = HexFormat.of().formatHex(sha.digest());
        assertThat(PINNED).as("a pin for the current rules").containsKey(RulesVersion.CURRENT);
        assertThat(hash).as("the outcomes of the pinned sessions under rules %d: if a change of rules moved them on purpose, bump"
                + " RulesVersion.CURRENT and pin this hash under the new number (docs/replication.md, \"Upgrading to new rules\")",
                RulesVersion.CURRENT).isEqualTo(PINNED.get(RulesVersion.CURRENT));
    }

    @Test
    void aVenuesDayGivesThePinnedOutcomesAndReachesEveryPath() throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        Set<String> reached = new TreeSet<>();
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        for (long seed : new long[] {1, 2}) {
            SequencerState s = new SequencerState(Market.GENESIS, new NativeSecp256k1Verifier());
            List<Command> cs = VenueSession.of(seed);
            for (int i = 0; i < cs.size(); i++) {
                Command c = cs.get(i);
                String reply = StateImageTest.reply(s, c, i);
                sha.update(CommandCodec.encode(c));
                sha.update(reply.getBytes(StandardCharsets.UTF_8));
                sha.update(s.stateRoot().bytes());
                reached.add("command:" + c.getClass().getSimpleName());
                reached(json.readTree(reply), reached);
            }
        }
        Set<String> missed = new TreeSet<>(MUST_REACH);
        for (Class<?> kind : Command.class.getPermittedSubclasses()) missed.add("command:" + kind.getSimpleName());
        missed.removeAll(reached);
        assertThat(missed).as("paths the venue's days no longer reach (a pin guards only what its sessions take: extend VenueSession)").isEmpty();
        String hash = HexFormat.of().formatHex(sha.digest());
        assertThat(PINNED_VENUE).as("a venue pin for the current rules").containsKey(RulesVersion.CURRENT);
        assertThat(hash).as("the outcomes of the venue's days under rules %d: if a change of rules moved them on purpose, bump"
                + " RulesVersion.CURRENT and pin this hash under the new number (docs/replication.md, \"Upgrading to new rules\")",
                RulesVersion.CURRENT).isEqualTo(PINNED_VENUE.get(RulesVersion.CURRENT));
    }

    /** What one reply shows of the paths its command took. */
    private static void reached(com.fasterxml.jackson.databind.JsonNode reply, Set<String> reached) {
        if (reply.path("duplicate").asBoolean()) reached.add("duplicate");
        if (!reply.path("liquidations").isEmpty()) reached.add("liquidation");
        if (reply.path("type").asText().equals("postingHalted")) reached.add("posting:halted");
        if (reply.path("type").asText().equals("cancelAllAfter")) for (var o : reply.path("outcomes")) if (o.has("reject")) reached.add("reject:" + o.path("reject").asText());
        for (var e : reply.path("events")) {
            String event = e.path("event").asText();
            reached.add("event:" + event);
            if (e.has("why")) reached.add("why:" + e.path("why").asText());
            if (e.has("trailBy")) reached.add("trailing:" + event);
            if (e.path("why").asText().equals("SCHEDULED")) reached.add("switch:" + event); // a fired switch took an order, a stop
            // a trailing stop that fired at another trigger than the one it was armed at: its trigger followed the mark
            String at = "trigger:" + e.path("orderHash").asText() + "=" + e.path("triggerPrice").asLong();
            if (e.has("trailBy") && event.equals("Armed")) reached.add(at);
            if (e.has("trailBy") && event.equals("Triggered") && !reached.contains(at)) reached.add("trailing:moved");
            if (e.has("reason")) reached.add("reason:" + e.path("reason").asText());
            if (event.equals("RequestApplied")) reached.add("applied:" + e.path("transitionType").asText());
        }
    }
}
