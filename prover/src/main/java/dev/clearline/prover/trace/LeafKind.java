package dev.clearline.prover.trace;

import dev.clearline.engine.state.BalanceLeaf;
import dev.clearline.engine.state.GlobalLeaf;
import dev.clearline.engine.state.MarketLeaf;
import dev.clearline.engine.state.OrderHashLeaf;
import dev.clearline.engine.state.OrderLeaf;
import dev.clearline.engine.state.PositionLeaf;
import dev.clearline.engine.state.WithdrawalLeaf;

/** The kinds of state leaf (docs/protocol.md section 2.6), by the record that decodes each. */
public enum LeafKind {
    GLOBAL(GlobalLeaf.class),
    BALANCE(BalanceLeaf.class),
    POSITION(PositionLeaf.class),
    ORDER_HASH(OrderHashLeaf.class),
    ORDER(OrderLeaf.class),
    MARKET(MarketLeaf.class),
    WITHDRAWAL(WithdrawalLeaf.class),
    /** A key the step touched without a typed read or a write of a leaf record (none does today: LeafKindsProperties). */
    UNKNOWN(Void.class);

    private final Class<?> record;

    LeafKind(Class<?> record) {
        this.record = record;
    }

    static LeafKind of(Class<?> type) {
        for (LeafKind k : values()) if (k.record == type) return k;
        return UNKNOWN;
    }
}
