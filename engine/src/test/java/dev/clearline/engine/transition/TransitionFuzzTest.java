package dev.clearline.engine.transition;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.clearline.engine.stf.Outcome;
import dev.clearline.engine.stf.Reject;
import dev.clearline.engine.testkit.World;
import dev.clearline.engine.order.Hash32;

/**
 * Coverage-guided fuzz targets for the transition codec: the bytes of a batch on L1 that anyone
 * may post and a watcher must replay. Without JAZZER_FUZZ=1 (CI) each target replays the corpus
 * under src/test/resources/dev/clearline/engine/transition/TransitionFuzzTestInputs/&lt;method&gt;/;
 * with it, Jazzer mutates inputs for the given time (README, "Testing").
 */
class TransitionFuzzTest {

    /**
     * Any bytes decode to a transition whose encoding is exactly those bytes (one encoding per
     * transition), or are refused with {@link MalformedTransitionException} and a message; no
     * other exception escapes.
     */
    @FuzzTest(maxDuration = "60s")
    void decodeIsTotalAndAcceptedBytesReencodeToThemselves(byte[] input) {
        Transition t;
        try {
            t = TransitionCodec.decode(input);
        } catch (MalformedTransitionException e) {
            assertThat(e.getMessage()).isNotBlank();
            return;
        }
        assertThat(TransitionCodec.encode(t)).isEqualTo(input);
        assertThat(TransitionCodec.encodedLength(t)).isEqualTo(input.length);
    }

    /**
     * The STF on arbitrary calldata, over a world with a market, a price and funded accounts:
     * it answers with an outcome, never an exception; undecodable bytes are MALFORMED; a
     * rejection leaves the state root untouched.
     */
    @FuzzTest(maxDuration = "60s")
    void applyEncodedAnswersEveryInputAndARejectionChangesNothing(byte[] input) {
        World w = new World();
        w.ok(w.market(1));
        w.ok(w.deposit(World.signer(1).address(), 1_000_000));
        w.ok(w.price(1, 10_000, 0, 1));
        Hash32 before = w.state.root();
        Outcome o = w.stf.applyEncoded(w.state, input, 0);
        assertThat(o).isNotNull();
        boolean decodes;
        try {
            TransitionCodec.decode(input);
            decodes = true;
        } catch (MalformedTransitionException e) {
            decodes = false;
        }
        if (!decodes) assertThat(o).isEqualTo(new Outcome.Rejected(Reject.MALFORMED));
        if (!o.applied()) assertThat(w.state.root()).isEqualTo(before);
    }
}
