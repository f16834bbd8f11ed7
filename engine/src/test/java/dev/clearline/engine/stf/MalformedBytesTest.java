package dev.clearline.engine.stf;

import dev.clearline.engine.order.Address;
import dev.clearline.engine.testkit.World;
import dev.clearline.engine.transition.Transition.Liquidate;
import dev.clearline.engine.transition.TransitionCodec;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/** Bytes that do not decode get the code the Solidity step returns for them, and change nothing. */
class MalformedBytesTest {
    final World w = new World();

    @Test
    void emptyUnknownTruncatedAndOverlongBytesAreMalformed() {
        w.ok(w.market(1));
        byte[] good = TransitionCodec.encode(new Liquidate(new Address(new byte[20]), 1));
        var before = w.state.root();
        assertThat(w.stf.applyEncoded(w.state, new byte[0], 0)).isEqualTo(new Outcome.Rejected(Reject.MALFORMED));
        assertThat(w.stf.applyEncoded(w.state, new byte[] {(byte) 0xff}, 0)).isEqualTo(new Outcome.Rejected(Reject.MALFORMED));
        assertThat(w.stf.applyEncoded(w.state, Arrays.copyOf(good, good.length - 1), 0)).isEqualTo(new Outcome.Rejected(Reject.MALFORMED));
        assertThat(w.stf.applyEncoded(w.state, Arrays.copyOf(good, good.length + 1), 0)).isEqualTo(new Outcome.Rejected(Reject.MALFORMED));
        assertThat(w.state.root()).isEqualTo(before);
        // the well-formed bytes reach the rule (the zero address has no position: not liquidatable)
        assertThat(w.stf.applyEncoded(w.state, good, 0)).isNotEqualTo(new Outcome.Rejected(Reject.MALFORMED));
    }

    @Test
    void randomBytesAreEitherMalformedOrTheSameOutcomeAsTheDecodedTransition() {
        w.ok(w.market(1));
        Property.forAll(Gens.bytes(0, 160)).tries(500).check(bytes -> {
            Outcome viaBytes = w.stf.applyEncoded(new MemoryLeafStore(), bytes, 0);
            try {
                Outcome direct = w.stf.apply(new MemoryLeafStore(), TransitionCodec.decode(bytes));
                assertThat(viaBytes).isEqualTo(direct);
            } catch (dev.clearline.engine.transition.MalformedTransitionException e) {
                assertThat(viaBytes).isEqualTo(new Outcome.Rejected(Reject.MALFORMED));
            }
        });
    }
}
