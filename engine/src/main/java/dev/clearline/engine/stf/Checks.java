package dev.clearline.engine.stf;

import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.order.Signature;
import dev.clearline.engine.order.SignatureVerifier;
import dev.clearline.engine.risk.Fixed;
import dev.clearline.engine.risk.Margin;
import dev.clearline.engine.state.GlobalLeaf;
import dev.clearline.engine.state.MarketLeaf;
import dev.clearline.engine.state.OrderHashLeaf;
import dev.clearline.engine.state.OrderLeaf;
import dev.clearline.engine.state.PositionLeaf;
import dev.clearline.engine.transition.PriorityQueueHash;
import dev.clearline.engine.transition.Transition.PriorityOp;

/** The checks several rules share, each returning a rejection or null. */
final class Checks {
    private Checks() {}

    static Reject signedBy(SignatureVerifier verifier, Hash32 digest, Signature sig, Address signer) {
        return verifier.signedBy(digest, sig, signer) ? null : Reject.BAD_SIGNATURE;
    }

    /**
     * PRIORITY_OUT_OF_ORDER unless {@code op} is the next priority op; OVERFLOW if a GLOBAL counter a
     * priority op may advance (ops consumed, forced rejections, next withdrawal id) is at its maximum.
     */
    static Reject nextPriorityOp(GlobalLeaf g, PriorityOp op) {
        if (op.priorityIndex() != g.priorityOpsConsumed()) return Reject.PRIORITY_OUT_OF_ORDER;
        boolean full = g.priorityOpsConsumed() == COUNTER_MAX || g.forcedRejections() == COUNTER_MAX
                || g.nextWithdrawalId() == COUNTER_MAX;
        return full ? Reject.OVERFLOW : null;
    }

    static GlobalLeaf consume(GlobalLeaf g, PriorityOp op, boolean rejected) {
        return new GlobalLeaf(g.nextWithdrawalId(), g.priorityOpsConsumed() + 1,
                PriorityQueueHash.roll(g.priorityHash(), op), g.forcedRejections() + (rejected ? 1 : 0), g.orderCount());
    }

    static Reject marketExists(MarketLeaf m) {
        return m == null ? Reject.UNKNOWN_MARKET : null;
    }

    static Reject hasMark(MarketLeaf m) {
        return m.markPrice() > 0 ? null : Reject.NO_MARK_PRICE;
    }

    /** Expired when an expiry is set and the market's oracle time has passed it. */
    static boolean expired(long expiry, MarketLeaf m) {
        return expiry != 0 && m.lastOracleTs() > expiry;
    }

    static Reject live(OrderLeaf o, MarketLeaf m) {
        if (o.cancelled()) return Reject.ORDER_CANCELLED;
        if (expired(o.expiry(), m)) return Reject.EXPIRED;
        return null;
    }

    /**
     * Whose the hash is: a posted order's trader, or a tombstone's canceller. Nobody's once its
     * ORDER leaf was pruned ({@code posted} null; Solidity reads the absent leaf as zeros, trader 0).
     */
    static boolean cancellableBy(OrderHashLeaf h, OrderLeaf posted, Address who) {
        if (h.isTombstone()) return h.cancelledBy().equals(who);
        return posted != null && posted.trader().equals(who);
    }

    /** A tombstone, or a posted order already cancelled (a pruned one reads as not cancelled, as in Solidity). */
    static boolean cancelled(OrderHashLeaf h, OrderLeaf posted) {
        return h.isTombstone() || posted != null && posted.cancelled();
    }

    static Reject positiveAmount(long amount) {
        return amount > 0 ? null : Reject.BAD_AMOUNT;
    }

    /**
     * A withdrawal leaf is paid on L1 by a token transfer to its recipient, and tokens refuse the zero
     * address: a leaf naming it could never be claimed, nor paid by the escape hatch, so the money
     * would stay locked in the rollup for good. Refused here, it stays in the free balance.
     */
    static Reject payableRecipient(Address recipient) {
        return Address.ZERO.equals(recipient) ? Reject.BAD_RECIPIENT : null;
    }

    /**
     * The largest value of a counter (a request nonce, the next withdrawal id, the priority ops
     * consumed, the forced rejections): leaves carry them as uint64, Java longs bound them to
     * 2^63 - 1. A step that would advance a counter past it is refused with OVERFLOW, on both sides.
     */
    static final long COUNTER_MAX = Long.MAX_VALUE;

    /** BAD_NONCE unless {@code given} is the expected nonce; OVERFLOW if that nonce cannot advance. */
    static Reject nonce(long given, long expected) {
        if (given != expected) return Reject.BAD_NONCE;
        return expected == COUNTER_MAX ? Reject.OVERFLOW : null;
    }

    /** The position with funding settled to the market's index, or null on overflow. */
    static PositionLeaf settled(PositionLeaf p, MarketLeaf m) {
        long quote = Margin.settleFunding(p.size(), p.quote(), p.fundingIndex(), m.fundingIndex(), m.lotSize());
        return quote == Fixed.OVERFLOW ? null : new PositionLeaf(p.size(), quote, m.fundingIndex());
    }

    static Reject verdict(Margin.Verdict v) {
        return switch (v) {
            case OK -> null;
            case INSUFFICIENT -> Reject.INSUFFICIENT_MARGIN;
            case OVERFLOW -> Reject.OVERFLOW;
        };
    }
}
