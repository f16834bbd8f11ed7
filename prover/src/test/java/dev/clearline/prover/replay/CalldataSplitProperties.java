package dev.clearline.prover.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.stf.Reject;
import dev.clearline.engine.transition.Transition.Deposit;
import dev.clearline.engine.transition.Transition.Trade;
import dev.clearline.engine.transition.TransitionCodec;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The replay package's small pieces a CLI reads: calldata cut into its transitions (verify-batch's
 * helper), where a verdict points a one-step proof, and the replay settings a watcher starts with.
 */
class CalldataSplitProperties {
    @Test
    void calldataSplitsIntoItsTransitionsOrSaysWhereItBreaks() {
        Property.forAll(Gens.seeds()).tries(200).check(seed -> {
            Random r = new Random(seed);
            List<byte[]> pieces = new ArrayList<>();
            ByteArrayOutputStream calldata = new ByteArrayOutputStream();
            int n = r.nextInt(8);
            for (int i = 0; i < n; i++) {
                byte[] p = r.nextBoolean()
                        ? TransitionCodec.encode(new Deposit(r.nextInt(1_000), r.nextInt(3), Address.fromHex(String.format("0x%040x", r.nextInt())),
                                1 + r.nextInt(1_000_000)))
                        : TransitionCodec.encode(new Trade(r.nextInt(100), r.nextInt(100), 1 + r.nextInt(50)));
                pieces.add(p);
                calldata.writeBytes(p);
            }
            int whole = calldata.size();
            switch (r.nextInt(3)) {
                case 0 -> {
                    Calldata.Split s = Calldata.split(calldata.toByteArray());
                    assertThat(s).isInstanceOf(Calldata.Pieces.class);
                    List<byte[]> got = ((Calldata.Pieces) s).transitions();
                    assertThat(got).hasSameSizeAs(pieces);
                    for (int i = 0; i < got.size(); i++) assertThat(got.get(i)).as("piece %d", i).isEqualTo(pieces.get(i));
                }
                case 1 -> { // a type byte no transition has
                    calldata.write(0xee);
                    assertThat(Calldata.split(calldata.toByteArray())).isEqualTo(new Calldata.Broken(whole, "unknown transition type 238"));
                }
                default -> { // the last transition cut short
                    byte[] trade = TransitionCodec.encode(new Trade(1, 2, 3));
                    int kept = 1 + r.nextInt(trade.length - 1);
                    calldata.write(trade, 0, kept);
                    assertThat(Calldata.split(calldata.toByteArray())).isEqualTo(new Calldata.Broken(whole,
                            "transition type " + (trade[0] & 0xff) + " needs " + trade.length + " bytes, " + kept + " left"));
                }
            }
        });
    }

    @Test
    void aVerdictPointsAOneStepProofAtTheStepItBlamesAndOnlyThen() {
        Hash32 root = Hash32.fromHex("0x" + "11".repeat(32));
        Hash32 other = Hash32.fromHex("0x" + "22".repeat(32));
        assertThat(new Verdict.Undecodable(4, 7, 300, "unknown transition type 238").firstSuspectStep()).isEqualTo(7);
        assertThat(new Verdict.RejectedStep(4, 9, Reject.PRIORITY_OUT_OF_ORDER).firstSuspectStep()).isEqualTo(9);
        // the others are found by bisection
        assertThat(new Verdict.Honest(4, root).firstSuspectStep()).isEqualTo(-1);
        assertThat(new Verdict.WrongPostRoot(4, root, other).firstSuspectStep()).isEqualTo(-1);
        assertThat(new Verdict.WrongPrevRoot(4, root, other).firstSuspectStep()).isEqualTo(-1);
        assertThat(new Verdict.HeaderMismatch(4, "transitionCount", "3", "4").firstSuspectStep()).isEqualTo(-1);
    }

    @Test
    void replaySettingsRefuseWhatCouldNotWorkAndDefaultToTheCliOnes() {
        assertThat(Replayer.Settings.from(7)).isEqualTo(new Replayer.Settings(7, 2_000, 128));
        assertThat(new Replayer.Settings(0, 1, 1).reorgDepth()).as("one block back is a reorg it can follow").isEqualTo(1);
        assertThatThrownBy(() -> new Replayer.Settings(0, 2_000, 0)).hasMessage("reorgDepth must be 1 or more, got 0");
        assertThatThrownBy(() -> new Replayer.Settings(0, 0, 128)).hasMessage("chunkBlocks must be 1 or more, got 0");
        assertThatThrownBy(() -> new Replayer.Settings(-1, 2_000, 128)).hasMessage("startBlock must be 0 or more, got -1");
        assertThat(Arrays.asList(SignaturesAhead.onOtherCores().threads()))
                .as("every core but the replay's, one at least")
                .containsExactly(Math.max(1, Runtime.getRuntime().availableProcessors() - 1));
    }
}
