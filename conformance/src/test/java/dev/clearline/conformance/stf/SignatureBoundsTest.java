package dev.clearline.conformance.stf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.conformance.DeployedOnce;
import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.engine.order.Signature;
import dev.clearline.engine.state.MarketLeaf;
import dev.clearline.engine.state.StateKeys;
import dev.clearline.engine.stf.Reject;
import dev.clearline.engine.transition.Transition;
import dev.clearline.engine.transition.TransitionCodec;
import dev.clearline.tree.Bytes32;
import java.math.BigInteger;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Signatures on the bounds of canonical form (0 < r < n, 0 < s <= n/2), where random cases never
 * land: the largest canonical s is taken by both sides, one above it refused by both. No key signs
 * with s exactly n/2, but a signature over a digest that names no signer (an oracle price) recovers to
 * some address for any (r, s, v): that address is made the market's oracle.
 */
@ExtendWith(DeployedOnce.class)
class SignatureBoundsTest {
    private static final BigInteger N = new BigInteger("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", 16);
    private static final BigInteger HALF_N = N.shiftRight(1);

    /** The generator's x-coordinate: an r that is some point's x, so recovery succeeds. */
    private static final BigInteger GX = new BigInteger("79BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798", 16);
    private static final int MARKET = 1;

    private final Differential differential;

    SignatureBoundsTest(Differential differential) {
        this.differential = differential;
    }

    private static Signature signature(BigInteger r, BigInteger s) {
        return Signature.of(word(r), word(s), 27);
    }

    private static byte[] word(BigInteger v) {
        byte[] raw = v.toByteArray(), w = new byte[32];
        int n = Math.min(raw.length, 32);
        System.arraycopy(raw, raw.length - n, w, 32 - n, n);
        return w;
    }

    private static Transition.OraclePrice price(Signature sig) {
        return new Transition.OraclePrice(MARKET, 5_000, 0, 10, sig);
    }

    /** A market whose oracle is whoever {@code sig} recovers to over {@link #price}'s digest. */
    private static TreeMap<Bytes32, byte[]> marketSignedFor(Signature sig) {
        Transition.OraclePrice o = price(sig);
        Address oracle = new NativeSecp256k1Verifier().recover(
                Differential.DOMAIN.oraclePriceDigest(o.marketId(), o.price(), o.fundingIndex(), o.timestamp()), sig);
        assertThat(oracle).as("(Gx, n/2, 27) recovers to some address").isNotNull();
        TreeMap<Bytes32, byte[]> leaves = new TreeMap<>();
        leaves.put(StateKeys.market(MARKET), new MarketLeaf(1, 1, 100_000, 50_000, 0, 0, 0, oracle, 4_000, 0, 1, 0).encode());
        return leaves;
    }

    private Differential.Comparison run(TreeMap<Bytes32, byte[]> leaves, Signature sig) {
        Differential.Comparison c = differential.run(new StepCase(1, leaves, TransitionCodec.encode(price(sig)), 0));
        assertThat(c.agree()).as(c.describe()).isTrue();
        return c;
    }

    @Test
    void theLargestCanonicalSIsAcceptedByBothSides() {
        Signature atBound = signature(GX, HALF_N);
        Differential.Comparison c = run(marketSignedFor(atBound), atBound);
        assertThat(c.javaCode()).as(c.describe()).isZero();
    }

    @Test
    void anSAboveHalfTheOrderOrAnRAtTheOrderIsRefusedByBothSides() {
        TreeMap<Bytes32, byte[]> leaves = marketSignedFor(signature(GX, HALF_N));
        for (Signature off : new Signature[] {signature(GX, HALF_N.add(BigInteger.ONE)), signature(N, HALF_N), signature(BigInteger.ZERO, HALF_N),
                signature(GX, BigInteger.ZERO)}) {
            Differential.Comparison c = run(leaves, off);
            assertThat(c.javaCode()).as(c.describe()).isEqualTo(Reject.BAD_SIGNATURE.code());
        }
    }
}
