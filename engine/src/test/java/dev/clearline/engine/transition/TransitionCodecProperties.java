package dev.clearline.engine.transition;

import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Peg;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.Signature;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.engine.transition.Transition.*;
import net.jqwik.api.*;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TransitionCodecProperties {
    private static final int[] LENGTHS = {0, 45, 73, 45, 69, 94, 146, 73, 118, 106, 106, 122, 25, 81};

    @Property(tries = 500)
    void everyTransitionRoundTripsThroughItsEncoding(@ForAll("transitions") Transition t) throws Exception {
        byte[] bytes = TransitionCodec.encode(t);
        assertThat(bytes).hasSize(LENGTHS[t.type()]);
        assertThat(bytes[0] & 0xff).isEqualTo(t.type());
        Transition back = TransitionCodec.decode(bytes);
        assertThat(back).isEqualTo(t);
        assertThat(TransitionCodec.encode(back)).isEqualTo(bytes);
    }

    @Property(tries = 2000)
    void randomBytesEitherDecodeCanonicallyOrAreRefusedAsMalformed(@ForAll("noise") byte[] bytes) {
        try {
            Transition t = TransitionCodec.decode(bytes);
            assertThat(TransitionCodec.encode(t)).isEqualTo(bytes);
        } catch (MalformedTransitionException e) {
            assertThat(e.getMessage()).isNotBlank();
        }
    }

    @Property(tries = 300)
    void flippingOneByteOfAnEncodingNeverDecodesToTheSameTransition(@ForAll("transitions") Transition t,
                                                                    @ForAll int where, @ForAll byte mask) {
        Assume.that(mask != 0);
        byte[] bytes = TransitionCodec.encode(t);
        bytes[Math.floorMod(where, bytes.length)] ^= mask;
        try {
            assertThat(TransitionCodec.decode(bytes)).isNotEqualTo(t);
        } catch (MalformedTransitionException expected) {
            // refused outright is fine too
        }
    }

    @Provide
    Arbitrary<byte[]> noise() {
        Arbitrary<byte[]> typed = Arbitraries.integers().between(1, LENGTHS.length - 1).flatMap(type -> {
            int len = LENGTHS[type];
            return Arbitraries.bytes().array(byte[].class).ofSize(len - 1).map(rest -> {
                byte[] b = new byte[len];
                b[0] = type.byteValue();
                System.arraycopy(rest, 0, b, 1, rest.length);
                return b;
            });
        });
        return Arbitraries.oneOf(typed, Arbitraries.bytes().array(byte[].class).ofMaxSize(160));
    }

    record Head(Address trader, int market, Side side, long price, long size, long display) {}

    record Tail(TimeInForce tif, int flags, long expiry, long nonce, long margin) {}

    record PegTerms(Peg peg, int offset) {}

    record Params(long index, long time, int market, long tick, long lot, int imf, int mmf, int makerFee) {}

    @Provide
    Arbitrary<Transition> transitions() {
        Arbitrary<Long> u63 = Arbitraries.longs().between(0, Long.MAX_VALUE);
        Arbitrary<Integer> u31 = Arbitraries.integers().between(0, Integer.MAX_VALUE);
        Arbitrary<Integer> u32 = Arbitraries.integers();
        Arbitrary<Address> addr = Arbitraries.bytes().array(byte[].class).ofSize(20).map(Address::new);
        Arbitrary<Hash32> hash = Arbitraries.bytes().array(byte[].class).ofSize(32).map(Hash32::new);
        Arbitrary<Signature> sig = Arbitraries.bytes().array(byte[].class).ofSize(65).map(Signature::new);
        Arbitrary<Head> head = Combinators.combine(addr, u32, Arbitraries.of(Side.values()), u63, u63, u63).as(Head::new);
        Arbitrary<Tail> tail = Combinators.combine(Arbitraries.of(TimeInForce.values()), Arbitraries.integers().between(0, 255),
                u63, u63, u63).as(Tail::new);
        Arbitrary<PegTerms> peg = Combinators.combine(Arbitraries.of(Peg.values()), Arbitraries.integers()).as(PegTerms::new);
        Arbitrary<Order> order = Combinators.combine(head, tail, peg).as((h, t, p) -> new Order(h.trader(), h.market(), h.side(),
                h.price(), h.size(), h.display(), t.tif(), t.flags(), p.peg(), p.offset(), t.expiry(), t.nonce(), t.margin()));
        Arbitrary<Params> params = Combinators.combine(u63, u63, u32, u63, u63, u31, u31, u31).as(Params::new);
        Arbitrary<MarketConfig> config = Combinators.combine(params, u31, addr).as((p, takerFee, oracle) -> new MarketConfig(
                p.index(), p.time(), p.market(), p.tick(), p.lot(), p.imf(), p.mmf(), p.makerFee(), takerFee, oracle));
        return Arbitraries.oneOf(List.of(
                Combinators.combine(u63, u63, addr, u63).as(Deposit::new),
                config,
                Combinators.combine(u63, u63, addr, u63).as(ForcedWithdrawal::new),
                Combinators.combine(u63, u63, addr, hash).as(ForcedCancel::new),
                Combinators.combine(u32, u63, Arbitraries.longs(), u63, sig).as(OraclePrice::new),
                Combinators.combine(order, sig).as(PostOrder::new),
                Combinators.combine(hash, hash, u63).as(Trade::new),
                Combinators.combine(addr, hash, sig).as(Cancel::new),
                Combinators.combine(addr, u32, u63, u63, sig).as(Allocate::new),
                Combinators.combine(addr, u32, u63, u63, sig).as(Release::new),
                Combinators.combine(addr, addr, u63, u63, sig).as(Withdraw::new),
                Combinators.combine(addr, u32).as(Liquidate::new),
                Combinators.combine(hash, hash, u63, u63).as(TradeAtPrice::new)));
    }
}
