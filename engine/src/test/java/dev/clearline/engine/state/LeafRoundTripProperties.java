package dev.clearline.engine.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.order.Peg;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Every leaf reads back as the record that was written: {@code decode(encode(x))} equals {@code x} over each
 * field's whole range, values crowded at the range's ends. The leaf stores hand the written record to the next
 * read of its key instead of decoding the bytes again ({@code LeafStore.Write.decoded}), which is the same only
 * because of this.
 */
class LeafRoundTripProperties {
    @Test
    void everyLeafDecodesToTheRecordThatWasEncoded() {
        Property.forAll(Gens.seeds()).tries(2_000).check(seed -> {
            SplittableRandom r = new SplittableRandom(seed);
            BalanceLeaf b = new BalanceLeaf(u63(r), u63(r));
            assertThat(BalanceLeaf.decode(b.encode())).isEqualTo(b);
            PositionLeaf p = new PositionLeaf(i64(r), i64(r), i64(r));
            assertThat(PositionLeaf.decode(p.encode())).isEqualTo(p);
            GlobalLeaf g = new GlobalLeaf(u63(r), u63(r), hash(r), u63(r), u63(r));
            assertThat(GlobalLeaf.decode(g.encode())).isEqualTo(g);
            MarketLeaf m = new MarketLeaf(u63(r), u63(r), u31(r), u31(r), u31(r), u31(r), u31(r), address(r), u63(r), i64(r), u63(r), u63(r));
            assertThat(MarketLeaf.decode(m.encode())).isEqualTo(m);
            OrderHashLeaf h = r.nextBoolean() ? OrderHashLeaf.posted(u63(r), (int) edge(r, 0, 0xffff_ffffL), u63(r)) : OrderHashLeaf.tombstone(address(r));
            assertThat(OrderHashLeaf.decode(h.encode())).isEqualTo(h);
            WithdrawalLeaf w = new WithdrawalLeaf(address(r), u63(r));
            assertThat(WithdrawalLeaf.decode(w.encode())).isEqualTo(w);
            Peg[] pegs = Peg.values();
            TimeInForce[] tifs = TimeInForce.values();
            OrderLeaf o = new OrderLeaf(address(r), (int) edge(r, 0, 0xffff_ffffL), r.nextBoolean(), u63(r), u63(r), (int) edge(r, 0, 255),
                    pegs[r.nextInt(pegs.length)], (int) edge(r, Integer.MIN_VALUE, Integer.MAX_VALUE), tifs[r.nextInt(tifs.length)],
                    u63(r), u63(r), u63(r), r.nextBoolean());
            assertThat(OrderLeaf.decode(o.encode())).isEqualTo(o);
        });
    }

    /** A value in [lo, hi], at an end or next to one a third of the time. */
    private static long edge(SplittableRandom r, long lo, long hi) {
        return switch (r.nextInt(6)) {
            case 0 -> lo;
            case 1 -> hi;
            case 2 -> r.nextBoolean() ? Math.min(hi, lo + 1) : Math.max(lo, hi - 1);
            default -> r.nextLong(lo, hi);
        };
    }

    private static long u63(SplittableRandom r) {
        return edge(r, 0, Long.MAX_VALUE);
    }

    private static int u31(SplittableRandom r) {
        return (int) edge(r, 0, Integer.MAX_VALUE);
    }

    private static long i64(SplittableRandom r) {
        return edge(r, Long.MIN_VALUE, Long.MAX_VALUE);
    }

    private static Address address(SplittableRandom r) {
        byte[] a = new byte[20];
        if (r.nextInt(4) != 0) for (int i = 0; i < a.length; i++) a[i] = (byte) r.nextInt();
        return new Address(a);
    }

    private static Hash32 hash(SplittableRandom r) {
        byte[] h = new byte[32];
        for (int i = 0; i < h.length; i++) h[i] = (byte) r.nextInt();
        return new Hash32(h);
    }
}
