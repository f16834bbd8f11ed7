package dev.clearline.prover.report;

import dev.clearline.engine.order.Address;
import dev.clearline.engine.state.BalanceLeaf;
import dev.clearline.engine.state.GlobalLeaf;
import dev.clearline.engine.state.MarketLeaf;
import dev.clearline.engine.state.OrderHashLeaf;
import dev.clearline.engine.state.OrderLeaf;
import dev.clearline.engine.state.PositionLeaf;
import dev.clearline.engine.state.StateKeys;
import dev.clearline.engine.state.WithdrawalLeaf;
import dev.clearline.engine.order.Hash32;
import dev.clearline.tree.Bytes32;
import dev.clearline.prover.trace.LeafKind;
import dev.clearline.prover.trace.StepCase;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The leaves of a one-step proof as people read them: each leaf's kind and whose it is (the owner,
 * market, order or withdrawal its key was derived from, when the step names it), and its value
 * field by field in human units, before and after the step. Amounts of collateral are in units of
 * 1e-6 (shown with six decimals), fee and margin fractions in parts per million (shown as %), times
 * as UTC; a field that changed is marked.
 */
final class LeafView {
    private LeafView() {}

    /** One field of a leaf: its name, its value before and after the step ({@code null} when the leaf is absent then). */
    record Field(String name, String before, String after) {
        boolean changed() {
            return before == null ? after != null : !before.equals(after);
        }
    }

    /** One leaf decoded: its kind, whose it is, and its fields. */
    record Decoded(String key, LeafKind kind, String label, boolean written, boolean absentBefore, boolean absentAfter, List<Field> fields) {}

    static List<Decoded> of(StepCase c, List<Map.Entry<String, String>> transitionFields) {
        List<StepCase.Leaf> leaves = c.leaves();
        Map<String, String> labels = labels(leaves, transitionFields);
        List<Decoded> out = new ArrayList<>();
        for (StepCase.Leaf l : leaves) {
            Map<String, String> before = l.before().map(v -> fields(l.kind(), v)).orElse(Map.of());
            Map<String, String> after = l.after().map(v -> fields(l.kind(), v)).orElse(Map.of());
            Set<String> names = new LinkedHashSet<>(before.keySet());
            names.addAll(after.keySet());
            List<Field> fields = new ArrayList<>();
            for (String n : names) fields.add(new Field(n, before.get(n), after.get(n)));
            out.add(new Decoded(l.key(), l.kind(), labels.getOrDefault(l.key(), ""), l.written(), l.before().isEmpty(), l.after().isEmpty(),
                    fields));
        }
        return out;
    }

    /** A value's fields by name, in the leaf's ABI order; a value that does not decode as its kind is shown as hex. */
    static Map<String, String> fields(LeafKind kind, String hex) {
        byte[] v = HexFormat.of().parseHex(hex.startsWith("0x") ? hex.substring(2) : hex);
        Map<String, String> f = new LinkedHashMap<>();
        try {
            switch (kind) {
                case GLOBAL -> {
                    GlobalLeaf g = GlobalLeaf.decode(v);
                    f.put("nextWithdrawalId", Long.toString(g.nextWithdrawalId()));
                    f.put("priorityOpsConsumed", Long.toString(g.priorityOpsConsumed()));
                    f.put("priorityHash", g.priorityHash().toString());
                    f.put("forcedRejections", Long.toString(g.forcedRejections()));
                    f.put("orderCount", Long.toString(g.orderCount()));
                }
                case BALANCE -> {
                    BalanceLeaf b = BalanceLeaf.decode(v);
                    f.put("free", collateral(b.free()));
                    f.put("nonce", Long.toString(b.nonce()));
                }
                case POSITION -> {
                    PositionLeaf p = PositionLeaf.decode(v);
                    f.put("size", p.size() + " base units" + (p.size() > 0 ? " (long)" : p.size() < 0 ? " (short)" : ""));
                    f.put("quote", collateral(p.quote()));
                    f.put("fundingIndex", collateral(p.fundingIndex()) + " per lot");
                }
                case MARKET -> {
                    MarketLeaf m = MarketLeaf.decode(v);
                    f.put("tickSize", collateral(m.tickSize()) + " per lot");
                    f.put("lotSize", m.lotSize() + " base units");
                    f.put("initialMargin", ppm(m.imfPpm()));
                    f.put("maintenanceMargin", ppm(m.mmfPpm()));
                    f.put("makerFee", ppm(m.makerFeePpm()));
                    f.put("takerFee", ppm(m.takerFeePpm()));
                    f.put("liquidationFee", ppm(m.liquidationFeePpm()));
                    f.put("oracle", m.oracle().toString());
                    f.put("markPrice", collateral(m.markPrice()) + " per lot");
                    f.put("fundingIndex", collateral(m.fundingIndex()) + " per lot");
                    f.put("lastOracleTs", time(m.lastOracleTs()));
                    f.put("feesAccrued", collateral(m.feesAccrued()));
                }
                case ORDER_HASH -> {
                    OrderHashLeaf h = OrderHashLeaf.decode(v);
                    f.put("orderId", h.orderId() == 0 ? "0 (never posted: a tombstone)" : Long.toString(h.orderId()));
                    f.put("cancelledBy", h.cancelledBy().toString());
                    if (!h.isTombstone()) {
                        f.put("market", Integer.toUnsignedString(h.marketId()));
                        f.put("expiry", h.expiry() == 0 ? "never (the hash stays for good)" : time(h.expiry()));
                    }
                }
                case ORDER -> {
                    OrderLeaf o = OrderLeaf.decode(v);
                    f.put("trader", o.trader().toString());
                    f.put("market", Integer.toUnsignedString(o.marketId()));
                    f.put("side", o.isBuy() ? "buy" : "sell");
                    f.put("price", collateral(o.price()) + " per lot");
                    f.put("size", o.size() + " base units");
                    f.put("filled", o.filled() + " base units");
                    f.put("flags", "0x" + Integer.toHexString(o.flags()));
                    f.put("peg", o.peg() + (o.pegOffset() != 0 ? " offset " + o.pegOffset() : ""));
                    f.put("timeInForce", o.timeInForce().toString());
                    f.put("expiry", o.expiry() == 0 ? "none" : time(o.expiry()));
                    f.put("batchIndex", Long.toString(o.batchIndex()));
                    f.put("cancelled", Boolean.toString(o.cancelled()));
                }
                case WITHDRAWAL -> {
                    WithdrawalLeaf w = WithdrawalLeaf.decode(v);
                    f.put("recipient", w.recipient().toString());
                    f.put("amount", collateral(w.amount()));
                }
                case UNKNOWN -> f.put("value", hex);
            }
        } catch (RuntimeException e) {
            f.clear();
            f.put("value", hex + " (does not decode as " + kind + ": " + e.getMessage() + ")");
        }
        return f;
    }

    /**
     * Whose each leaf is, where the step names it: keys derived from the addresses, markets, order
     * ids and hashes in the transition and in the leaves' own values are matched against the
     * witnessed keys (two rounds, so an order's trader labels that trader's balance and position).
     */
    static Map<String, String> labels(List<StepCase.Leaf> leaves, List<Map.Entry<String, String>> transitionFields) {
        Set<Address> addresses = new LinkedHashSet<>(List.of(Address.INSURANCE_FUND));
        Set<Long> markets = new LinkedHashSet<>();
        Set<Long> orderIds = new LinkedHashSet<>();
        Set<String> hashes = new LinkedHashSet<>();
        Set<Long> withdrawals = new LinkedHashSet<>();
        for (Map.Entry<String, String> e : transitionFields) {
            String name = e.getKey().toLowerCase();
            String value = e.getValue();
            try {
                if (value.matches("0x[0-9a-fA-F]{40}")) addresses.add(Address.fromHex(value));
                else if (name.endsWith("market") || name.endsWith("marketid")) markets.add(Long.parseLong(value) & 0xffffffffL);
                else if (name.endsWith("makerid") || name.endsWith("takerid") || name.equals("orderid")) orderIds.add(Long.parseLong(value));
                else if (name.endsWith("orderhash")) hashes.add(Hash32.fromHex(value).toString());
            } catch (RuntimeException ignored) {
                // a malformed transition's field names nothing
            }
        }
        Map<String, String> labels = new LinkedHashMap<>();
        for (int round = 0; round < 2; round++) {
            for (StepCase.Leaf l : leaves) {
                for (Optional<String> value : List.of(l.before(), l.after())) {
                    if (value.isEmpty()) continue;
                    byte[] v = HexFormat.of().parseHex(value.get().substring(2));
                    try {
                        switch (l.kind()) {
                            case ORDER -> {
                                OrderLeaf o = OrderLeaf.decode(v);
                                addresses.add(o.trader());
                                markets.add(Integer.toUnsignedLong(o.marketId()));
                            }
                            case ORDER_HASH -> {
                                OrderHashLeaf h = OrderHashLeaf.decode(v);
                                if (h.orderId() > 0) orderIds.add(h.orderId());
                                addresses.add(h.cancelledBy());
                            }
                            case GLOBAL -> {
                                GlobalLeaf g = GlobalLeaf.decode(v);
                                orderIds.add(g.orderCount() + 1);
                                withdrawals.add(g.nextWithdrawalId());
                            }
                            case WITHDRAWAL -> addresses.add(WithdrawalLeaf.decode(v).recipient());
                            default -> { }
                        }
                    } catch (RuntimeException ignored) {
                        // shown as undecodable in its fields; it names nothing
                    }
                }
            }
            labels.put(key(StateKeys.global()), "");
            for (Address a : addresses) {
                labels.put(key(StateKeys.balance(a)), name(a));
                for (long m : markets) labels.put(key(StateKeys.position(a, m)), name(a) + ", market " + m);
            }
            for (long m : markets) labels.put(key(StateKeys.market(m)), "market " + m);
            for (long id : orderIds) labels.put(key(StateKeys.orderState(id)), "order " + id);
            for (String h : hashes) labels.put(key(StateKeys.order(Bytes32.of(Hash32.fromHex(h).bytes()))), "order hash " + h);
            for (long id : withdrawals) labels.put(key(StateKeys.withdrawal(id)), "withdrawal " + id);
        }
        return labels;
    }

    private static String name(Address a) {
        return a.equals(Address.INSURANCE_FUND) ? "insurance fund" : a.toString();
    }

    private static String key(Bytes32 k) {
        return "0x" + HexFormat.of().formatHex(k.toArray());
    }

    /** 1e-6 collateral units with six decimals: 49995000 is 49.995000. */
    static String collateral(long units) {
        return BigDecimal.valueOf(units, 6).toPlainString();
    }

    static String ppm(int ppm) {
        return BigDecimal.valueOf(ppm, 4).stripTrailingZeros().toPlainString() + "% (" + ppm + " ppm)";
    }

    static String time(long unixSeconds) {
        return unixSeconds + " (" + Instant.ofEpochSecond(unixSeconds) + ")";
    }
}
