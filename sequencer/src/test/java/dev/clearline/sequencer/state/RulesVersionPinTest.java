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

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The outcome of fixed sessions, pinned per {@link RulesVersion}: every reply (the acknowledgements, fills, refusals
 * and batches a log gives) and every state root after it, hashed together with the commands' encoded bytes (the codec
 * is part of the rules: a log holds those bytes). A change that moves this hash changes what an existing log means,
 * so a member replaying its log under the new build would diverge: bump {@link RulesVersion#CURRENT} and pin the new
 * hash under it (the old pins stay, as a record). A change that only the hash of {@link StateImageTest} notices is a
 * snapshot layout, not a rule.
 */
class RulesVersionPinTest {
    /** The hash each rules version gives; the current one must be here. */
    private static final Map<Integer, String> PINNED = Map.of(
            1, "671797fbf018242e339e06bc4a99e83089bb9a9265855f822b7269dcf01d44ec");

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
}
