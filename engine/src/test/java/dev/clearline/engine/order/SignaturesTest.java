package dev.clearline.engine.order;

import dev.clearline.engine.testkit.World;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.StructuredDataEncoder;

import java.math.BigInteger;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

class SignaturesTest {
    final Eip712 domain = new Eip712(World.CHAIN_ID, World.ROLLUP);
    final Signer alice = World.signer(1);
    final Order order = new Order(alice.address(), 7, Side.SELL, 123_400, 5_000, 1_000, TimeInForce.GTC,
            Order.POST_ONLY, Peg.MARK, -3, 1_700_000_000L, 42, 250_000);

    @Test
    void orderDigestMatchesWeb3jsIndependentEip712Encoder() throws Exception {
        String json = """
            {"types":{"EIP712Domain":[{"name":"name","type":"string"},{"name":"version","type":"string"},
              {"name":"chainId","type":"uint256"},{"name":"verifyingContract","type":"address"}],
             "Order":[{"name":"trader","type":"address"},{"name":"market","type":"uint32"},{"name":"isBuy","type":"bool"},
              {"name":"price","type":"uint64"},{"name":"size","type":"uint64"},{"name":"displaySize","type":"uint64"},
              {"name":"timeInForce","type":"uint8"},{"name":"flags","type":"uint8"},{"name":"peg","type":"uint8"},{"name":"pegOffset","type":"int32"},
              {"name":"expiry","type":"uint64"},
              {"name":"nonce","type":"uint64"},{"name":"margin","type":"uint64"}]},
             "primaryType":"Order",
             "domain":{"name":"Clearline","version":"1","chainId":%d,"verifyingContract":"%s"},
             "message":{"trader":"%s","market":7,"isBuy":false,"price":123400,"size":5000,"displaySize":1000,
              "timeInForce":0,"flags":1,"peg":1,"pegOffset":-3,"expiry":1700000000,"nonce":42,"margin":250000}}
            """.formatted(World.CHAIN_ID, World.ROLLUP, alice.address());
        byte[] expected = new StructuredDataEncoder(json).hashStructuredData();
        assertThat(domain.orderDigest(order).bytes()).isEqualTo(expected);
    }

    @Test
    void bouncyCastleAndNativeRecoverTheSameSigner() {
        Hash32 digest = domain.orderDigest(order);
        Signature sig = alice.sign(digest);
        assertThat(new BouncyCastleVerifier().recover(digest, sig)).isEqualTo(alice.address());
        assertThat(new NativeSecp256k1Verifier().recover(digest, sig)).isEqualTo(alice.address());
    }

    @Test
    void signatureForAnotherChainRecoversSomeoneElse() {
        Eip712 otherChain = new Eip712(World.CHAIN_ID + 1, World.ROLLUP);
        Signature sig = alice.sign(otherChain.orderDigest(order));
        Hash32 ours = domain.orderDigest(order);
        assertThat(new BouncyCastleVerifier().signedBy(ours, sig, alice.address())).isFalse();
        assertThat(new NativeSecp256k1Verifier().signedBy(ours, sig, alice.address())).isFalse();
    }

    @Test
    void highSTwinOfAValidSignatureIsRefusedByBoth() {
        Hash32 digest = domain.orderDigest(order);
        Signature sig = alice.sign(digest);
        BigInteger n = Signature.HALF_N.shiftLeft(1).add(BigInteger.ONE);
        BigInteger highS = n.subtract(new BigInteger(1, sig.s()));
        byte[] s32 = org.web3j.utils.Numeric.toBytesPadded(highS, 32);
        Signature twin = Signature.of(sig.r(), s32, sig.v() == 27 ? 28 : 27);
        assertThat(twin.isCanonical()).isFalse();
        assertThat(new BouncyCastleVerifier().recover(digest, twin)).isNull();
        assertThat(new NativeSecp256k1Verifier().recover(digest, twin)).isNull();
    }

    @Test
    void garbageSignaturesRecoverNobodyOnBothBackends() {
        Hash32 digest = domain.orderDigest(order);
        byte[] bytes = alice.sign(digest).encoded();
        for (int i = 0; i < 64; i += 7) {
            byte[] bad = Arrays.copyOf(bytes, 65);
            bad[i] ^= 0x5a;
            Signature s = new Signature(bad);
            Address bc = new BouncyCastleVerifier().recover(digest, s);
            Address nat = new NativeSecp256k1Verifier().recover(digest, s);
            assertThat(bc).isEqualTo(nat);
            assertThat(bc).isNotEqualTo(alice.address());
        }
    }
}
