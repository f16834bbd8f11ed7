package dev.clearline.engine.transition;

import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Signature;

/**
 * One step of the state transition function (docs/protocol.md section 5). The codec's type byte
 * is {@link #type()}; never renumber.
 */
public sealed interface Transition {
    int type();

    /** An L1 priority operation: must be the queue entry at index {@code priorityOpsConsumed}. */
    sealed interface PriorityOp extends Transition {
        long priorityIndex();

        long enqueueTime();
    }

    record Deposit(long priorityIndex, long enqueueTime, Address owner, long amount) implements PriorityOp {
        public int type() { return 1; }
    }

    /** @param liquidationFeePpm share of a liquidated position's notional (at the mark) paid into the insurance fund */
    record MarketConfig(long priorityIndex, long enqueueTime, int marketId, long tickSize, long lotSize, int imfPpm,
                        int mmfPpm, int makerFeePpm, int takerFeePpm, int liquidationFeePpm, Address oracle) implements PriorityOp {
        /** A market without a liquidation fee. */
        public MarketConfig(long priorityIndex, long enqueueTime, int marketId, long tickSize, long lotSize, int imfPpm,
                            int mmfPpm, int makerFeePpm, int takerFeePpm, Address oracle) {
            this(priorityIndex, enqueueTime, marketId, tickSize, lotSize, imfPpm, mmfPpm, makerFeePpm, takerFeePpm, 0, oracle);
        }

        public int type() { return 2; }
    }

    record ForcedWithdrawal(long priorityIndex, long enqueueTime, Address owner, long amount) implements PriorityOp {
        public int type() { return 3; }
    }

    record ForcedCancel(long priorityIndex, long enqueueTime, Address owner, Hash32 orderHash) implements PriorityOp {
        public int type() { return 4; }
    }

    record OraclePrice(int marketId, long price, long fundingIndex, long timestamp, Signature signature) implements Transition {
        public int type() { return 5; }
    }

    /**
     * Brings a signed order into the tree and gives it the next short id ({@code GLOBAL.orderCount + 1});
     * later fills name it by that id, cancels by its EIP-712 digest.
     */
    record PostOrder(Order order, Signature signature) implements Transition {
        public int type() { return 6; }
    }

    /**
     * {@code size} base units of the maker order filled by the taker order, both named by the short
     * id their PostOrder gave them (1..2^48-1), at the maker's price (its
     * fixed price, or its mark-pegged price); a book-pegged maker fills only by {@link TradeAtPrice}.
     */
    record Trade(long makerId, long takerId, long size) implements Transition {
        public int type() { return 7; }
    }

    /** Signed by {@code owner}; cancels a posted order, or records a never-posted one as cancelled. */
    record Cancel(Address owner, Hash32 orderHash, Signature signature) implements Transition {
        public int type() { return 8; }
    }

    record Allocate(Address owner, int marketId, long amount, long nonce, Signature signature) implements Transition {
        public int type() { return 9; }
    }

    record Release(Address owner, int marketId, long amount, long nonce, Signature signature) implements Transition {
        public int type() { return 10; }
    }

    record Withdraw(Address owner, Address recipient, long amount, long nonce, Signature signature) implements Transition {
        public int type() { return 11; }
    }

    record Liquidate(Address owner, int marketId) implements Transition {
        public int type() { return 12; }
    }

    /**
     * A fill of a book-pegged maker (its price follows the book, which the tree does not hold) at an
     * explicit {@code price}, checked only against the maker's and the taker's limits.
     */
    /**
     * Closes {@code size} base units of the insurance fund's position in {@code marketId} (its equity
     * is negative) against {@code counterparty}'s opposite position, at the fund's bankruptcy price.
     */
    record Deleverage(int marketId, Address counterparty, long size) implements Transition {
        public int type() { return 14; }
    }

    record TradeAtPrice(long makerId, long takerId, long size, long price) implements Transition {
        public int type() { return 13; }
    }

    /**
     * Deletes the ORDER leaf of the order with short id {@code orderId}: the operator's word that
     * the order is done (filled, cancelled, expired, or taken off the book). Its ORDER_HASH leaf
     * stays, so the signed order can never be posted again; without its ORDER leaf no fill or
     * cancel can name it. What keeps the state from growing with every order ever filled.
     */
    record PruneOrder(long orderId) implements Transition {
        public int type() { return 15; }
    }

    /**
     * Deletes the ORDER_HASH leaf of a posted order whose expiry its market's oracle time has passed:
     * a re-post of the signed order is refused as EXPIRED from then on (that clock only moves
     * forward), so the leaf no longer guards anything. What keeps the state from growing with every
     * order ever posted, for orders that expire.
     */
    record PruneOrderHash(Hash32 orderHash) implements Transition {
        public int type() { return 16; }
    }
}
