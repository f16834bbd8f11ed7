package dev.clearline.engine.exchange;

import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.engine.order.Signature;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.engine.stf.Reject;
import dev.clearline.engine.stf.Stf;
import dev.clearline.engine.transition.Transition;
import dev.clearline.engine.transition.TransitionCodecProperties;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import dev.clearline.engine.testkit.World;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SignatureStageTest {
    final World w = new World();
    final SignatureStage stage = new SignatureStage(w.domain, new NativeSecp256k1Verifier());

    @Test
    void parallelVerificationKeepsInputOrderAndRefusesForgeries() throws Exception {
        List<SignedOrder> in = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            Signer s = World.signer(i % 5);
            Signer signs = i % 7 == 3 ? World.signer(99) : s;  // every 7th (from 3) is signed by the wrong key
            Order o = new Order(s.address(), 1, Side.BUY, 100, 1_000, 0, TimeInForce.GTC, 0, 0, i, 0);
            in.add(new SignedOrder(o, World.CHAIN_ID, World.ROLLUP, signs.sign(w.domain.orderDigest(o))));
        }
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Verification> out = stage.verifyAll(in, pool, 6).get();
            assertThat(out).hasSize(in.size());
            for (int i = 0; i < in.size(); i++) {
                if (i % 7 == 3) {
                    assertThat(out.get(i)).isEqualTo(new Verification.Refused(Reject.BAD_SIGNATURE));
                } else {
                    VerifiedOrder v = (VerifiedOrder) out.get(i);
                    assertThat(v.order()).isEqualTo(in.get(i).order());
                    assertThat(v.hash()).isEqualTo(w.domain.orderDigest(in.get(i).order()));
                }
            }
        } finally {
            pool.shutdown();
        }
    }

    /**
     * A dead man's switch passes the stage exactly when its owner signed that owner, deadline and nonce (seeded over keys and
     * values); a negative deadline or nonce, which no uint64 encodes as a Java long under 2^63, never does.
     */
    @Test
    void aCancelAllAfterPassesExactlyWhenItsOwnerSignedItsDeadlineAndNonce() {
        Property.forAll(Gens.ints(0, 15), Gens.longs(0, Long.MAX_VALUE)).tries(60).check((keys, deadline) -> {
            long nonce = Long.rotateLeft(deadline, 17) & Long.MAX_VALUE;
            Signer owner = World.signer(keys / 4), signer = World.signer(keys % 4);
            Signature sig = signer.sign(w.domain.cancelAllAfterDigest(owner.address(), deadline, nonce));
            assertThat(stage.cancelAllAfterSignedBy(owner.address(), deadline, nonce, sig)).isEqualTo(keys / 4 == keys % 4);
            assertThat(stage.cancelAllAfterSignedBy(owner.address(), deadline ^ 1, nonce, sig)).as("another deadline").isFalse();
            assertThat(stage.cancelAllAfterSignedBy(owner.address(), deadline, nonce ^ 1, sig)).as("another nonce").isFalse();
        });
        Signer s = World.signer(1);
        assertThat(stage.cancelAllAfterSignedBy(s.address(), -1, 1, s.sign(w.domain.cancelAllAfterDigest(s.address(), 0, 1)))).isFalse();
        assertThat(stage.cancelAllAfterSignedBy(s.address(), 1, -1, s.sign(w.domain.cancelAllAfterDigest(s.address(), 1, 0)))).isFalse();
    }

    /**
     * A withdrawal or margin move passes the stage exactly when its named owner signed the digest the
     * STF checks (Stf.signedDigest), so the API refuses only what the log would refuse; any other
     * transition is not an account request.
     */
    @Test
    void anAccountRequestPassesExactlyWhenItsOwnerSignedWhatTheStfChecks() {
        Stf stf = new Stf(w.domain, new NativeSecp256k1Verifier());
        Property.forAll(TransitionCodecProperties.TRANSITIONS, Gens.ints(0, 15)).tries(400).check((t, keys) -> {
            int ownerIndex = keys / 4, signerIndex = keys % 4;
            Address owner = World.signer(ownerIndex).address();
            Transition unsigned = switch (t) {
                case Transition.Withdraw x -> new Transition.Withdraw(owner, x.recipient(), x.amount(), x.nonce(), x.signature());
                case Transition.Allocate x -> new Transition.Allocate(owner, x.marketId(), x.amount(), x.nonce(), x.signature());
                case Transition.Release x -> new Transition.Release(owner, x.marketId(), x.amount(), x.nonce(), x.signature());
                default -> null;
            };
            if (unsigned == null) {
                assertThatThrownBy(() -> stage.signedOwner(t)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not an account request");
                return;
            }
            Signature sig = World.signer(signerIndex).sign(stf.signedDigest(unsigned).digest());
            Transition signed = switch (unsigned) {
                case Transition.Withdraw x -> new Transition.Withdraw(owner, x.recipient(), x.amount(), x.nonce(), sig);
                case Transition.Allocate x -> new Transition.Allocate(owner, x.marketId(), x.amount(), x.nonce(), sig);
                case Transition.Release x -> new Transition.Release(owner, x.marketId(), x.amount(), x.nonce(), sig);
                default -> throw new IllegalStateException();
            };
            assertThat(stage.signedOwner(signed)).isEqualTo(ownerIndex == signerIndex ? Optional.of(owner) : Optional.empty());
        });
    }
}
