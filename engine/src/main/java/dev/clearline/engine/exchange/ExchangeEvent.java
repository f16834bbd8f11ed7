package dev.clearline.engine.exchange;

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

    record Cancelled(long seq, long orderId, long remaining, Why why) implements ExchangeEvent {}

    record Expired(long seq, long orderId, long remaining) implements ExchangeEvent {}

    record Amended(long seq, long orderId, Hash32 newOrderHash, boolean keptPriority) implements ExchangeEvent {}

    /** A book match the STF refused (the state moved since the pre-check); both orders leave the book. */
    record FillRefused(long seq, long makerOrderId, long takerOrderId, Reject reason) implements ExchangeEvent {}

    /** A non-order request (deposit, oracle price, allocate, ...) was applied or refused. */
    record RequestApplied(long seq, int transitionType) implements ExchangeEvent {}

    record RequestRejected(long seq, int transitionType, Reject reason) implements ExchangeEvent {}

    enum Why { REQUESTED, IMMEDIATE_REMAINDER, SELF_TRADE, RISK, FORCED }
}
