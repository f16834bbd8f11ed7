package dev.clearline.engine.stf;

import dev.clearline.engine.order.Address;
import dev.clearline.engine.state.BalanceLeaf;
import dev.clearline.engine.state.MarketLeaf;
import dev.clearline.engine.state.PositionLeaf;
import dev.clearline.engine.state.StateKeys;
import dev.clearline.engine.transition.Transition;
import dev.clearline.tree.Bytes32;
import java.util.List;
import java.util.TreeMap;

/**
 * States made to reach the int64 exits of the two rules that move positions into and out of the
 * insurance fund (docs/protocol.md section 4: every step checked against the int64 bound), and the
 * equality edges of a deleverage. Random cases seldom come near 2^63 or land on an equity of exactly
 * 0, so each exit gets a state of its own that passes every check before it, and beside some of them
 * the same step with room to spare (or one unit the other way), which applies. The engine's
 * {@code RiskOverflowRulesTest} runs them through the Java STF; conformance's {@code CounterAtMaximumTest}
 * through the Solidity step as well.
 */
public final class RiskOverflowCases {
    private static final long MAX = Long.MAX_VALUE;
    private static final int MARKET = 1;
    private static final Address FUND = Address.INSURANCE_FUND;
    private static final Address TRADER = Address.fromHex("0x00000000000000000000000000000000000a11ce");

    private RiskOverflowCases() {}

    /** A pre-state, a step, and the refusal it must get ({@code null}: it applies). */
    public record Case(String name, TreeMap<Bytes32, byte[]> leaves, Transition transition, Reject expected) {}

    public static List<Case> all() {
        Transition deleverage = new Transition.Deleverage(MARKET, TRADER, 10);
        Transition liquidate = new Transition.Liquidate(TRADER, MARKET);
        return List.of(
                // 2^62 lots at 4 a lot: the fund's notional, and so its equity, is 2^64
                new Case("a fund whose equity leaves int64 is not deleveraged",
                        with(with(market(4), FUND, new PositionLeaf(1L << 62, -10, 0)), TRADER, new PositionLeaf(-10, 100, 0)),
                        deleverage, Reject.OVERFLOW),
                // the fund: 10 lots long, quote -20, mark 1: equity -10, bankruptcy price 2, so the 10 lots are
                // worth 20; the counterparty's short holds a quote 5 above the int64 floor and would pay 20 more
                new Case("a deleverage taking the counterparty's quote below int64",
                        with(with(market(1), FUND, new PositionLeaf(10, -20, 0)), TRADER, new PositionLeaf(-10, Long.MIN_VALUE + 5, 0)),
                        deleverage, Reject.OVERFLOW),
                new Case("the same deleverage with room for the 20",
                        with(with(market(1), FUND, new PositionLeaf(10, -20, 0)), TRADER, new PositionLeaf(-10, 1_000, 0)),
                        deleverage, null),
                // the fund: 10 lots long, quote -50, mark 4: equity -10, bankruptcy price 5; the counterparty's short
                // of 2^62 lots stays 2^62 - 10 lots short, about 2^64 at the mark
                new Case("a counterparty whose equity after the deleverage leaves int64",
                        with(with(market(4), FUND, new PositionLeaf(10, -50, 0)), TRADER, new PositionLeaf(-(1L << 62), 0, 0)),
                        deleverage, Reject.OVERFLOW),
                // 10 lots long at mark 100 with quote -995: equity 5 under maintenance 50, fee min(10, 5) = 5
                new Case("a liquidation fee taking the fund's balance past int64",
                        balance(with(market(100), TRADER, new PositionLeaf(10, -995, 0)), FUND, MAX - 2), liquidate, Reject.OVERFLOW),
                new Case("a liquidation fee filling the fund's balance to exactly 2^63 - 1",
                        balance(with(market(100), TRADER, new PositionLeaf(10, -995, 0)), FUND, MAX - 5), liquidate, null),
                new Case("a liquidation growing the fund's position past int64",
                        with(with(market(100), TRADER, new PositionLeaf(10, -995, 0)), FUND, new PositionLeaf(MAX - 5, -(MAX / 100), 0)),
                        liquidate, Reject.OVERFLOW),
                // the equality edges of a deleverage, where random states never land exactly: a fund at equity 0
                // has no loss to share, one at -1 has; a counterparty left exactly at maintenance may take it
                new Case("a fund whose equity is exactly 0 is not deleveraged",
                        with(with(market(1), FUND, new PositionLeaf(10, -10, 0)), TRADER, new PositionLeaf(-10, 1_000, 0)),
                        deleverage, Reject.NOT_DELEVERAGEABLE),
                new Case("a fund whose equity is -1 is",
                        with(with(market(1), FUND, new PositionLeaf(10, -11, 0)), TRADER, new PositionLeaf(-10, 1_000, 0)),
                        deleverage, null),
                // the fund's 10 lots at bankruptcy price 2 cost the counterparty 20: its short of 20 lots keeps 10
                // with quote 11, equity 1, and maintenance ceil(10 * 5 %) = 1
                new Case("a deleverage leaving the counterparty exactly at maintenance",
                        with(with(market(1), FUND, new PositionLeaf(10, -20, 0)), TRADER, new PositionLeaf(-20, 31, 0)),
                        deleverage, null),
                // 10 lots long at mark 100: notional 1,000, maintenance 5 % = 50; equity 50 is not below it, 49 is
                new Case("a position exactly at maintenance is not liquidated",
                        with(market(100), TRADER, new PositionLeaf(10, -950, 0)), liquidate, Reject.NOT_LIQUIDATABLE),
                new Case("a position 1 under maintenance is",
                        balance(with(market(100), TRADER, new PositionLeaf(10, -951, 0)), FUND, 0), liquidate, null),
                new Case("a deleverage leaving the counterparty 1 under maintenance",
                        with(with(market(1), FUND, new PositionLeaf(10, -20, 0)), TRADER, new PositionLeaf(-20, 30, 0)),
                        deleverage, Reject.INSUFFICIENT_MARGIN));
    }

    /** Lot 1 base unit, mark {@code mark} per lot, maintenance 5 %, liquidation fee 1 %, funding index 0. */
    private static TreeMap<Bytes32, byte[]> market(long mark) {
        TreeMap<Bytes32, byte[]> leaves = new TreeMap<>();
        leaves.put(StateKeys.market(MARKET), new MarketLeaf(1, 1, 100_000, 50_000, 0, 0, 10_000,
                Address.fromHex("0x000000000000000000000000000000000000000f"), mark, 0, 1, 0).encode());
        return leaves;
    }

    private static TreeMap<Bytes32, byte[]> with(TreeMap<Bytes32, byte[]> leaves, Address owner, PositionLeaf p) {
        leaves.put(StateKeys.position(owner, MARKET), p.encode());
        return leaves;
    }

    private static TreeMap<Bytes32, byte[]> balance(TreeMap<Bytes32, byte[]> leaves, Address owner, long free) {
        leaves.put(StateKeys.balance(owner), new BalanceLeaf(free, 0).encode());
        return leaves;
    }
}
