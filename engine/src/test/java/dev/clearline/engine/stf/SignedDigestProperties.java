package dev.clearline.engine.stf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.BouncyCastleVerifier;
import dev.clearline.engine.order.Eip712;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.order.Signature;
import dev.clearline.engine.order.SignatureVerifier;
import dev.clearline.engine.order.SignedDigest;
import dev.clearline.engine.state.MarketLeaf;
import dev.clearline.engine.state.StateKeys;
import dev.clearline.engine.transition.Transition;
import dev.clearline.engine.transition.TransitionCodecProperties;
import dev.clearline.testkit.property.Property;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link Stf#signedDigest} names exactly what the transition's rule hands the verifier: a replay
 * recovers signers ahead with it, and a recovery made for anything else would be wasted (the
 * lookup falls back) or, worse, the two could drift apart unnoticed. Every transition type, every
 * field over its range.
 */
class SignedDigestProperties {
    private static final Eip712 DOMAIN = new Eip712(31337, Address.fromHex("0x5FbDB2315678afecb367f032d93F642f64180aa3"));

    /** What the STF asked, answered by a real recovery. */
    private static final class Recording implements SignatureVerifier {
        final List<SignedDigest> asked = new ArrayList<>();
        private final SignatureVerifier real = new BouncyCastleVerifier();

        @Override
        public Address recover(Hash32 digest, Signature signature) {
            asked.add(new SignedDigest(digest, signature));
            return real.recover(digest, signature);
        }
    }

    @Test
    void theRuleChecksTheSignedDigestTheTransitionNamesAndNoOther() {
        Property.forAll(TransitionCodecProperties.TRANSITIONS).tries(600).check(t -> {
            Recording verifier = new Recording();
            Stf stf = new Stf(DOMAIN, verifier);
            MemoryLeafStore store = new MemoryLeafStore();
            // an oracle price is checked against its market's oracle: the market must exist for the check to be reached
            if (t instanceof Transition.OraclePrice o) {
                store.putAll(List.of(new LeafStore.Write(StateKeys.market(Integer.toUnsignedLong(o.marketId())).toArray(), new MarketLeaf(1, 1, 100_000, 50_000, 100, 200, 0,
                        Address.fromHex("0x00000000000000000000000000000000000000bb"), 10_000, 0, 1, 0).encode())));
            }
            SignedDigest named = stf.signedDigest(t);
            stf.apply(store, t, 1);
            if (named == null) assertThat(verifier.asked).as("%s carries no signature", t).isEmpty();
            else assertThat(verifier.asked).as("what the rule of %s asked", t).containsExactly(named);
        });
    }
}
