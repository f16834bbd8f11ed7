package dev.clearline.engine.transition;

import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Peg;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.Signature;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.engine.transition.Transition.*;
import dev.clearline.testkit.property.Gen;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

public class TransitionCodecProperties {
    private static final int[] LENGTHS = {0, 45, 77, 45, 69, 94, 146, 21, 118, 106, 106, 122, 25, 29, 33, 7, 33};

    @Test
    void everyTransitionRoundTripsThroughItsEncoding() {
        Property.forAll(TRANSITIONS).tries(500).check(t -> {
            byte[] bytes = TransitionCodec.encode(t);
            assertThat(bytes).hasSize(LENGTHS[t.type()]);
            assertThat(bytes[0] & 0xff).isEqualTo(t.type());
            Transition back = TransitionCodec.decode(bytes);
            assertThat(back).isEqualTo(t);
            assertThat(TransitionCodec.encode(back)).isEqualTo(bytes);
        });
    }

    @Test
    void randomBytesEitherDecodeCanonicallyOrAreRefusedAsMalformed() {
        Property.forAll(NOISE).tries(2000).check(bytes -> {
            try {
                Transition t = TransitionCodec.decode(bytes);
                assertThat(TransitionCodec.encode(t)).isEqualTo(bytes);
            } catch (MalformedTransitionException e) {
                assertThat(e.getMessage()).isNotBlank();
            }
        });
    }

    @Test
    void flippingOneByteOfAnEncodingNeverDecodesToTheSameTransition() {
        Property.forAll(TRANSITIONS, Gens.allOf(Gens.ints(0, Integer.MAX_VALUE), Gens.ints(1, 255))).tries(300).check((t, flip) -> {
            int where = flip.get(0);
            byte mask = (byte) (int) flip.get(1);
            byte[] bytes = TransitionCodec.encode(t);
            bytes[Math.floorMod(where, bytes.length)] ^= mask;
            try {
                assertThat(TransitionCodec.decode(bytes)).isNotEqualTo(t);
            } catch (MalformedTransitionException expected) {
                // refused outright is fine too
            }
        });
    }

    @Test
    void tradeIsAtMost24BytesAndOrderIdsUseAll48Bits() throws Exception {
        Trade widest = new Trade(TransitionCodec.U48_MAX, TransitionCodec.U48_MAX - 1, Long.MAX_VALUE);
        byte[] bytes = TransitionCodec.encode(widest);
        assertThat(bytes).hasSize(21);
        assertThat(TransitionCodec.decode(bytes)).isEqualTo(widest);
        assertThat(TransitionCodec.encode(new TradeAtPrice(1, 2, 3, 4))).hasSize(29);
        PruneOrder prune = new PruneOrder(TransitionCodec.U48_MAX);
        assertThat(TransitionCodec.encode(prune)).hasSize(7).startsWith(15, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
        assertThat(TransitionCodec.decode(TransitionCodec.encode(prune))).isEqualTo(prune);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TransitionCodec.encode(new Trade(TransitionCodec.U48_MAX + 1, 1, 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("48 bits");
    }

    @Test
    void unknownPegIsMalformed() {
        byte[] bytes = TransitionCodec.encode(TRANSITIONS.filter(t -> t instanceof PostOrder).next(new java.util.Random(7)));
        bytes[1 + 20 + 4 + 1 + 8 + 8 + 8 + 1 + 1] = 3;               // the peg byte
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TransitionCodec.decode(bytes))
                .isInstanceOf(MalformedTransitionException.class).hasMessageContaining("peg");
    }

    /** Well-typed frames full of noise, or any bytes at all: both must decode canonically or be refused. */
    static final Gen<byte[]> NOISE = Gens.oneOf(
            Gens.ints(1, LENGTHS.length - 1).flatMap(type -> Gens.bytes(LENGTHS[type] - 1).map(rest -> {
                byte[] b = new byte[LENGTHS[type]];
                b[0] = type.byteValue();
                System.arraycopy(rest, 0, b, 1, rest.length);
                return b;
            })),
            Gens.bytes(0, 160));

    private static final Gen<Long> U63 = Gens.longs(0, Long.MAX_VALUE);
    private static final Gen<Long> ANY_LONG = Gens.longs();
    private static final Gen<Long> U48 = Gens.longs(0, TransitionCodec.U48_MAX);
    private static final Gen<Integer> U31 = Gens.ints(0, Integer.MAX_VALUE);
    private static final Gen<Integer> U32 = Gens.ints(Integer.MIN_VALUE, Integer.MAX_VALUE);
    private static final Gen<Integer> FLAGS = Gens.ints(0, 255);
    private static final Gen<Side> SIDE = Gens.elements(Side.values());
    private static final Gen<TimeInForce> TIF = Gens.elements(TimeInForce.values());
    private static final Gen<Peg> PEG = Gens.elements(Peg.values());
    private static final Gen<Integer> I32 = Gens.ints(Integer.MIN_VALUE, Integer.MAX_VALUE);
    private static final Gen<Address> ADDR = Gens.bytes(20).map(Address::new);
    private static final Gen<Hash32> HASH = Gens.bytes(32).map(Hash32::new);
    private static final Gen<Signature> SIG = Gens.bytes(65).map(Signature::new);

    /**
     * Every transition type with every field drawn over its full encodable range, bounds
     * favoured. Built with {@code Gen.of}: a failing transition is reported whole, not shrunk.
     */
    public static final Gen<Transition> TRANSITIONS = Gens.ints(1, LENGTHS.length - 1).flatMap(type -> Gen.of(r -> switch (type) {
        case 1 -> new Deposit(U63.next(r), U63.next(r), ADDR.next(r), U63.next(r));
        case 2 -> new MarketConfig(U63.next(r), U63.next(r), U32.next(r), U63.next(r), U63.next(r), U31.next(r),
                U31.next(r), U31.next(r), U31.next(r), U31.next(r), ADDR.next(r));
        case 3 -> new ForcedWithdrawal(U63.next(r), U63.next(r), ADDR.next(r), U63.next(r));
        case 4 -> new ForcedCancel(U63.next(r), U63.next(r), ADDR.next(r), HASH.next(r));
        case 5 -> new OraclePrice(U32.next(r), U63.next(r), ANY_LONG.next(r), U63.next(r), SIG.next(r));
        case 6 -> new PostOrder(new Order(ADDR.next(r), U32.next(r), SIDE.next(r), U63.next(r), U63.next(r), U63.next(r),
                TIF.next(r), FLAGS.next(r), PEG.next(r), I32.next(r), U63.next(r), U63.next(r), U63.next(r)), SIG.next(r));
        case 7 -> new Trade(U48.next(r), U48.next(r), U63.next(r));
        case 8 -> new Cancel(ADDR.next(r), HASH.next(r), SIG.next(r));
        case 9 -> new Allocate(ADDR.next(r), U32.next(r), U63.next(r), U63.next(r), SIG.next(r));
        case 10 -> new Release(ADDR.next(r), U32.next(r), U63.next(r), U63.next(r), SIG.next(r));
        case 11 -> new Withdraw(ADDR.next(r), ADDR.next(r), U63.next(r), U63.next(r), SIG.next(r));
        case 12 -> new Liquidate(ADDR.next(r), U32.next(r));
        case 13 -> new TradeAtPrice(U48.next(r), U48.next(r), U63.next(r), U63.next(r));
        case 15 -> new PruneOrder(U48.next(r));
        case 16 -> new PruneOrderHash(HASH.next(r));
        default -> new Deleverage(U32.next(r), ADDR.next(r), U63.next(r));
    }));
}
