package dev.clearline.sequencer;

import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.engine.order.Hash32;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class FastSignerTest {
    static final java.util.List<FastSigner> SIGNERS = java.util.stream.IntStream.range(0, 4).mapToObj(FastSigner::dev).toList();

    @Test
    void itsSignaturesAreCanonicalAndRecoverToTheDevAccountsAddress() {
        for (int i = 0; i < SIGNERS.size(); i++) assertThat(SIGNERS.get(i).address()).isEqualTo(DevAccounts.trader(i).address());
        Property.forAll(Gens.ints(0, 3), Gens.bytes(32)).tries(50).check((i, digest) -> {
            FastSigner s = SIGNERS.get(i);
            var sig = s.sign(new Hash32(digest));
            assertThat(sig.isCanonical()).isTrue();
            assertThat(new NativeSecp256k1Verifier().recover(new Hash32(digest), sig)).isEqualTo(s.address());
        });
    }
}
