package dev.clearline.sequencer.state;

import com.fasterxml.jackson.databind.JsonNode;
import dev.clearline.engine.exchange.VerifiedOrder;
import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.sequencer.Market;
import dev.clearline.sequencer.command.Command;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.clearline.sequencer.Market.LOT;
import static dev.clearline.sequencer.Market.MARKET;
import static dev.clearline.sequencer.Market.TICK;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A take-profit as a trader sees it through the node: the command that shrinks its position replies with a
 * {@code Trimmed} event naming the order and its trader, and a depth delta that takes the cut lots off its level; the
 * order reads {@code trimmed} and {@code open} beside its signed size; once its open lots fill it reads {@code filled},
 * not open, and leaves the account's open orders; and all of it survives a snapshot (one of the former format 6 still
 * reads).
 */
class TakeProfitViewTest {
    private static final Market M = new Market(3);
    /** Reads come from a client of their own, unsequenced (as the API's reads do). */
    private static final long READER = 8;
    private final Signer alice = M.traders.get(0), bob = M.traders.get(1), carol = M.traders.get(2);
    private SequencerState s = new SequencerState(Market.GENESIS, new NativeSecp256k1Verifier());
    private long seq;
    private long nonce = 1_000;
    /** The hash of the order {@link #place} placed last. */
    private String lastHash;

    private JsonNode apply(Command c) throws Exception {
        return SequencerStateTest.json(s.apply(c, Market.START * 1000 + seq));
    }

    private JsonNode place(Signer t, Side side, long price, long lots, TimeInForce tif, int flags) throws Exception {
        VerifiedOrder v = M.order(t, new Order(t.address(), MARKET, side, price, lots * LOT, 0, tif, flags, 0, nonce++, flags == 0 ? 1_000_000 : 0));
        lastHash = v.hash().toString();
        JsonNode reply = apply(new Command.Place(7, ++seq, v));
        assertThat(reply.path("outcomes").path(0).path("accepted").asBoolean()).as("%s", reply).isTrue();
        return reply;
    }

    private JsonNode order(String hash) throws Exception {
        return apply(new Command.Query(READER, 0, Command.QueryKind.ORDER, 0, null, dev.clearline.engine.order.Hash32.fromHex(hash))).path("order");
    }

    private JsonNode account(Signer t) throws Exception {
        return apply(new Command.Query(READER, 0, Command.QueryKind.ACCOUNT, 0, t.address(), null)).path("account");
    }

    @Test
    void aTakeProfitIsTrimmedWithItsPositionThenReadsFilledOnceItsOpenLotsFill() throws Exception {
        for (Command c : M.opening(7)) apply(c);
        seq = M.opening(7).size();
        // Alice long 3 lots from Bob; her take-profit of 3 rests at 10,500
        place(bob, Side.SELL, 10_000, 3, TimeInForce.GTC, 0);
        place(alice, Side.BUY, 10_000, 3, TimeInForce.IOC, 0);
        place(alice, Side.SELL, 10_500, 3, TimeInForce.GTC, Order.REDUCE_ONLY);
        String tp = lastHash;

        // she sells 2 of them into Carol's bid: the take-profit is cut to the 1 lot she holds, in that command
        place(carol, Side.BUY, 9_900, 2, TimeInForce.GTC, 0);
        JsonNode cut = place(alice, Side.SELL, 9_900, 2, TimeInForce.IOC, Order.REDUCE_ONLY);
        JsonNode trimmed = null;
        for (JsonNode e : cut.path("events")) if (e.path("event").asText().equals("Trimmed")) trimmed = e;
        assertThat(trimmed).as("a Trimmed event in %s", cut).isNotNull();
        assertThat(trimmed.path("orderHash").asText()).isEqualTo(tp);
        assertThat(trimmed.path("trader").asText()).isEqualTo(alice.address().toString());
        assertThat(trimmed.path("removed").asLong()).isEqualTo(2 * LOT);
        assertThat(trimmed.path("openSize").asLong()).isEqualTo(LOT);
        assertThat(levelDelta(cut, "SELL", 10_500)).as("its level loses the cut lots").isEqualTo(LOT);
        JsonNode read = order(tp);
        assertThat(List.of(read.path("size").asLong(), read.path("filled").asLong(), read.path("trimmed").asLong(), read.path("open").asLong()))
                .isEqualTo(List.of(3 * LOT, 0L, 2 * LOT, LOT));
        assertThat(read.path("status").asText()).isEqualTo("open");

        // a snapshot of format 6 (rules 2, before trims) still reads: the same state, its orders never trimmed
        byte[] six = Snapshot.writeWithoutTrims(s, 2);
        assertThat(Snapshot.format(six)).isEqualTo(6);
        SequencerState former = Snapshot.read(six, Market.GENESIS, new NativeSecp256k1Verifier());
        assertThat(former.stateRoot()).isEqualTo(s.stateRoot());
        JsonNode then = SequencerStateTest.json(former.apply(new Command.Query(READER, 0, Command.QueryKind.ORDER, 0, null,
                dev.clearline.engine.order.Hash32.fromHex(tp)), Market.START * 1000 + seq)).path("order");
        assertThat(then.has("trimmed")).as("%s", then).isFalse();
        assertThat(then.path("open").asLong()).as("what rests is the book's").isEqualTo(LOT);
        former.close();

        // a snapshot keeps what was cut
        byte[] image = Snapshot.write(s);
        s.close();
        s = Snapshot.read(image, Market.GENESIS, new NativeSecp256k1Verifier());
        assertThat(order(tp).path("trimmed").asLong()).as("after a snapshot").isEqualTo(2 * LOT);

        // Bob lifts it: its one open lot fills, which closes Alice's position and the order
        place(bob, Side.BUY, 10_500, 1, TimeInForce.IOC, 0);
        read = order(tp);
        assertThat(read.path("status").asText()).as("%s", read).isEqualTo("filled");
        assertThat(List.of(read.path("filled").asLong(), read.path("trimmed").asLong(), read.path("open").asLong())).isEqualTo(List.of(LOT, 2 * LOT, 0L));
        assertThat(account(alice).path("openOrders")).isEmpty();
        s.close();
    }

    /** The size a reply's depth delta gives the level {@code side@price} (-1 when the reply names no such level). */
    private static long levelDelta(JsonNode reply, String side, long price) {
        for (JsonNode d : reply.path("depth")) {
            if (d.path("side").asText().equals(side) && d.path("price").asLong() == price) return d.path("size").asLong();
        }
        return -1;
    }

    static {
        assertThat(TICK).isEqualTo(100); // the prices above are whole ticks
    }
}
