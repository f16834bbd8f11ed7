package dev.clearline.engine.exchange;

import dev.clearline.engine.book.FillVerdict;
import dev.clearline.engine.book.RejectReason;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.stf.Reject;

/**
 * Every outcome the exchange reports, each with the next sequence number (one counter across all
 * markets). Prices in quote units per lot and sizes in base units, as in the signed order.
 */
public sealed interface ExchangeEvent {
    long seq();

    record Accepted(long seq, long orderId, Hash32 orderHash) implements ExchangeEvent {}

    /** {@code bookReason} is set when the order book itself refused ({@link Reject#BOOK_REJECTED} and friends). */
    record Rejected(long seq, Hash32 orderHash, Reject reason, RejectReason bookReason) implements ExchangeEvent {}

    record Filled(long seq, long makerOrderId, long takerOrderId, long price, long size) implements ExchangeEvent {}

    record Rested(long seq, long orderId, long price, long openSize) implements ExchangeEvent {}

    /** {@code reason} is the STF's refusal when {@code why} is {@link Why#REFUSED}, else null. */
    record Cancelled(long seq, long orderId, long remaining, Why why, Reject reason) implements ExchangeEvent {
        public Cancelled(long seq, long orderId, long remaining, Why why) {
            this(seq, orderId, remaining, why, null);
        }
    }

    record Expired(long seq, long orderId, long remaining) implements ExchangeEvent {}

    /**
     * A resting reduce-only order (a take-profit) was cut by {@code removed} base units to {@code openSize}: its position
     * shrank below it (another fill, a deleverage), and the lots past the position could never fill. It keeps its place.
     */
    record Trimmed(long seq, long orderId, long removed, long openSize) implements ExchangeEvent {}

    record Amended(long seq, long orderId, Hash32 replacedOrderHash, Hash32 newOrderHash, boolean keptPriority) implements ExchangeEvent {}

    /**
     * A book match the STF refused with {@code reason} (the state moved since the pre-check).
     * {@code verdict} says which order was at fault: that one leaves the book (a {@link Cancelled}
     * with {@link Why#REFUSED} follows), the other one carries on.
     */
    record FillRefused(long seq, long makerOrderId, long takerOrderId, Reject reason, FillVerdict verdict) implements ExchangeEvent {}

    /** A non-order request (deposit, oracle price, allocate, ...) was applied or refused. */
    record RequestApplied(long seq, int transitionType) implements ExchangeEvent {}

    record RequestRejected(long seq, int transitionType, Reject reason) implements ExchangeEvent {}

    /**
     * The insurance fund closed {@code size} base units of its position in {@code marketId} against
     * {@code counterparty}'s at its bankruptcy {@code price} per lot (a {@code Deleverage} was
     * emitted). {@code rank} is the counterparty's place (1 = first) in the profit-and-leverage
     * ranking of the opposite positions when this round of deleveraging began.
     */
    record Deleveraged(long seq, int marketId, dev.clearline.engine.order.Address counterparty, long size, long price, int rank)
            implements ExchangeEvent {}

    /**
     * The insurance fund's worth (free balance plus the equity of its positions at the mark) is
     * {@code -amount} and no opposite position can take more of its bad debt; reported whenever the
     * amount changes, and with 0 once it is made good.
     */
    record InsuranceShortfall(long seq, long amount) implements ExchangeEvent {}

    /**
     * REFUSED: the STF refused a fill and this order was at fault. RISK: its trader was liquidated.
     * FORCED: a ForcedCancel from L1. PEG_CROSSED: a post-only pegged order its reference moved
     * onto the other side of the book. FILL_LIMIT: an incoming order made
     * {@link Exchange#MAX_FILLS_PER_ORDER} fills and still crossed; the rest is cancelled. SCHEDULED: its trader's
     * cancel-all-after deadline passed ({@link Exchange#takeOff}).
     */
    enum Why { REQUESTED, IMMEDIATE_REMAINDER, SELF_TRADE, RISK, FORCED, REFUSED, PEG_CROSSED, FILL_LIMIT, POSITION_CLOSED, SCHEDULED }
}
