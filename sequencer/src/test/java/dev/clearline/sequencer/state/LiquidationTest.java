package dev.clearline.sequencer.state;

import com.fasterxml.jackson.databind.JsonNode;
import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.sequencer.Market;
import dev.clearline.sequencer.command.Command;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A mark that moves a position below maintenance makes the sequencer liquidate it into the insurance fund. */
class LiquidationTest {
    static final Market M = new Market(3);

    /** Trader 0 buys 10 lots at 10,000 with {@code margin}; trader 1 sells them with plenty. */
    static List<Command> opening(long margin) {
        List<Command> cs = new ArrayList<>(M.opening(1));
        Signer buyer = M.traders.get(0), seller = M.traders.get(1);
        cs.add(new Command.Place(1, cs.size() + 1, M.order(seller, new Order(seller.address(), Market.MARKET, Side.SELL, 10_000, 10 * Market.LOT, 0,
                TimeInForce.GTC, 0, 0, 1, 1_000_000))));
        cs.add(new Command.Place(1, cs.size() + 1, M.order(buyer, new Order(buyer.address(), Market.MARKET, Side.BUY, 10_000, 10 * Market.LOT, 0,
                TimeInForce.GTC, 0, 0, 1, margin))));
        return cs;
    }

    static JsonNode account(SequencerState s, Address a) {
        return FinalityTest.json(s.apply(new Command.Query(9, 0, Command.QueryKind.ACCOUNT, 0, a, null), 0)).path("account");
    }

    @Test
    void aPositionBelowMaintenanceGoesToTheInsuranceFundOnTheNextMark() {
        SequencerState s = new SequencerState(Market.GENESIS, new NativeSecp256k1Verifier());
        List<Command> cs = opening(11_000);
        for (Command c : cs) s.apply(c, Market.START * 1000);
        Address buyer = M.traders.get(0).address();
        assertThat(account(s, buyer).path("positions").get(0).path("size").asLong()).isEqualTo(10 * Market.LOT);

        // 2 % down: equity still above 5 % maintenance, nothing happens
        var calm = FinalityTest.json(s.apply(new Command.Oracle(1, cs.size() + 1, M.price(9_800, Market.START + 1)), Market.START * 1000));
        assertThat(calm.has("liquidations")).isFalse();
        // 10 % down: the buyer's 11,000 minus 10,000 of loss is under 5 % of 90,000
        var crash = FinalityTest.json(s.apply(new Command.Oracle(1, cs.size() + 2, M.price(9_000, Market.START + 2)), Market.START * 1000));
        assertThat(crash.path("liquidations")).hasSize(1);
        assertThat(crash.path("liquidations").get(0).path("trader").asText()).isEqualTo(buyer.toString());
        assertThat(account(s, buyer).path("positions")).isEmpty();
        JsonNode fund = account(s, Address.INSURANCE_FUND);
        assertThat(fund.path("positions").get(0).path("size").asLong()).isEqualTo(10 * Market.LOT);
        assertThat(account(s, M.traders.get(1).address()).path("positions").get(0).path("size").asLong()).isEqualTo(-10 * Market.LOT);

        // the next mark finds nothing more to do; the fund itself is never liquidated
        var after = FinalityTest.json(s.apply(new Command.Oracle(1, cs.size() + 3, M.price(8_000, Market.START + 3)), Market.START * 1000));
        assertThat(after.has("liquidations")).isFalse();
    }

    @Test
    void aWellMarginedPositionSurvivesTheSameMove() {
        SequencerState s = new SequencerState(Market.GENESIS, new NativeSecp256k1Verifier());
        List<Command> cs = opening(60_000);
        for (Command c : cs) s.apply(c, Market.START * 1000);
        var crash = FinalityTest.json(s.apply(new Command.Oracle(1, cs.size() + 1, M.price(9_000, Market.START + 2)), Market.START * 1000));
        assertThat(crash.has("liquidations")).isFalse();
        assertThat(account(s, M.traders.get(0).address()).path("positions").get(0).path("size").asLong()).isEqualTo(10 * Market.LOT);
    }
}
