package dev.clearline.sequencer.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.engine.exchange.CancelRequest;
import dev.clearline.engine.exchange.SignedOrder;
import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Eip712;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Peg;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.Signature;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * What a program writes with {@link RequestJson#write} the API reads back to the same request: every field of the
 * signed order (a market id above 2^31, a pegged price with a negative offset, the largest values), its domain (written
 * out, so a node of another domain refuses it rather than reading its own in), and the signature's 65 bytes.
 */
class RequestJsonRoundTripProperties {
    /** A node's own domain, different from every order's: the written domain must be the one read. */
    private static final Eip712 NODE = new Eip712(1, new Address(new byte[20]));

    @Test
    void aWrittenOrderReadsBackToTheSameSignedOrder() {
        Property.forAll(Gens.seeds()).tries(300).check(seed -> {
            Random r = new Random(seed);
            SignedOrder s = new SignedOrder(order(r), 2 + r.nextLong(Long.MAX_VALUE - 2), new Address(bytes(r, 20)), new Signature(bytes(r, 65)));
            assertThat(RequestJson.order(RequestJson.write(s), NODE)).isEqualTo(s);
        });
    }

    @Test
    void aWrittenCancelReadsBackToTheSameCancel() {
        Property.forAll(Gens.seeds()).tries(100).check(seed -> {
            Random r = new Random(seed);
            CancelRequest c = new CancelRequest(new Address(bytes(r, 20)), new Hash32(bytes(r, 32)), new Signature(bytes(r, 65)));
            assertThat(RequestJson.cancel(RequestJson.write(c))).isEqualTo(c);
        });
    }

    @Test
    void aWrittenCancelAllAfterReadsBackToTheSameSwitch() {
        Property.forAll(Gens.seeds()).tries(100).check(seed -> {
            Random r = new Random(seed);
            CancelAllAfterRequest c = new CancelAllAfterRequest(new Address(bytes(r, 20)), unsigned(r), unsigned(r), new Signature(bytes(r, 65)));
            CancelAllAfterRequest back = RequestJson.cancelAllAfter(RequestJson.write(c));
            assertThat(back.owner()).isEqualTo(c.owner());
            assertThat(back.deadline()).isEqualTo(c.deadline());
            assertThat(back.nonce()).isEqualTo(c.nonce());
            assertThat(back.signature()).isEqualTo(c.signature());
        });
    }

    private static Order order(Random r) {
        Peg peg = Peg.values()[r.nextInt(Peg.values().length)];
        return new Order(new Address(bytes(r, 20)), edgy(r, r.nextInt()), r.nextBoolean() ? Side.BUY : Side.SELL, unsigned(r), unsigned(r),
                unsigned(r), TimeInForce.values()[r.nextInt(TimeInForce.values().length)], r.nextInt(Order.KNOWN_FLAGS + 1), peg,
                peg == Peg.NONE ? 0 : edgy(r, r.nextInt()), unsigned(r), unsigned(r), unsigned(r));
    }

    /** A value, or one of the ends of its range, which a JSON writer or reader gets wrong first. */
    private static int edgy(Random r, int value) {
        return switch (r.nextInt(4)) {
            case 0 -> Integer.MIN_VALUE;
            case 1 -> Integer.MAX_VALUE;
            case 2 -> -1;
            default -> value;
        };
    }

    private static long unsigned(Random r) {
        return switch (r.nextInt(4)) {
            case 0 -> 0;
            case 1 -> Long.MAX_VALUE;
            default -> r.nextLong(Long.MAX_VALUE);
        };
    }

    private static byte[] bytes(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }
}
