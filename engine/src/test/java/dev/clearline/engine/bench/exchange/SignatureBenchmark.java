package dev.clearline.engine.bench.exchange;

import dev.clearline.engine.order.BouncyCastleVerifier;
import dev.clearline.engine.order.Eip712;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.Signature;
import dev.clearline.engine.order.SignatureVerifier;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.engine.order.Address;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/** Signature recoveries per second on one core: Bouncy Castle (web3j) against native libsecp256k1 (ACINQ JNI). */
public final class SignatureBenchmark {
    private SignatureBenchmark() {}

    public static List<Report.Row> run(boolean full) {
        Eip712 domain = new Eip712(1, Address.fromHex("0x00000000000000000000000000000000000000aa"));
        int n = 256;
        Hash32[] digests = new Hash32[n];
        Signature[] sigs = new Signature[n];
        Address[] signers = new Address[n];
        for (int i = 0; i < n; i++) {
            Signer s = new Signer(BigInteger.valueOf(7_919L * (i + 1)));
            Order o = new Order(s.address(), 1, Side.BUY, 100, 1, 0, TimeInForce.GTC, 0, 0, i, 0);
            digests[i] = domain.orderDigest(o);
            sigs[i] = s.sign(digests[i]);
            signers[i] = s.address();
        }
        List<Report.Row> rows = new ArrayList<>();
        rows.add(measure("Bouncy Castle (web3j Sign)", new BouncyCastleVerifier(), digests, sigs, signers, full ? 20_000 : 4_000));
        rows.add(measure("native libsecp256k1 (ACINQ JNI)", new NativeSecp256k1Verifier(), digests, sigs, signers, full ? 200_000 : 40_000));
        return rows;
    }

    private static Report.Row measure(String name, SignatureVerifier v, Hash32[] d, Signature[] s, Address[] a, int count) {
        for (int i = 0; i < count / 2; i++) check(v, d, s, a, i);   // warm-up
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) check(v, d, s, a, i);
        double rate = count / ((System.nanoTime() - start) / 1e9);
        System.out.printf("sigs %s: %,.0f recoveries/s%n", name, rate);
        return new Report.Row("signature recovery", name, rate, "recoveries/s/core", "-", count + " recoveries of EIP-712 order digests, canonical-s check and address derivation included");
    }

    private static void check(SignatureVerifier v, Hash32[] d, Signature[] s, Address[] a, int i) {
        int k = i % d.length;
        if (!a[k].equals(v.recover(d[k], s[k]))) throw new AssertionError("recovery disagrees for signature " + k);
    }
}
