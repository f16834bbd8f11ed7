package dev.clearline.sequencer.command;

import dev.clearline.engine.exchange.VerifiedCancel;
import dev.clearline.engine.exchange.VerifiedOrder;
import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.transition.Transition;

import java.util.List;

/**
 * One entry of the sequencer's ordered log: everything that changes the sequencer's state arrives
 * as one of these, so replaying the log rebuilds the state. {@code clientId} and {@code clientSeq}
 * name the gateway that sent it and its running number there: a resend after a lost commit is
 * recognised by that pair and answered with the first outcome, never applied twice.
 *
 * <p>Orders and cancels are already verified: the gateway checked their signatures before the log,
 * and only gateways write to the log.
 */
public sealed interface Command {
    long clientId();

    long clientSeq();

    record Place(long clientId, long clientSeq, VerifiedOrder order) implements Command {}

    record Cancel(long clientId, long clientSeq, VerifiedCancel cancel) implements Command {}

    /** Replaces {@code replaced.orderHash()} by {@code replacement} (same trader, market and side). */
    record Amend(long clientId, long clientSeq, VerifiedCancel replaced, VerifiedOrder replacement) implements Command {}

    /** Several cancels of one trader, applied in order; each gets its own outcome. */
    record BatchCancel(long clientId, long clientSeq, List<VerifiedCancel> cancels) implements Command {
        public BatchCancel {
            cancels = List.copyOf(cancels);
        }
    }

    /**
     * An L1 priority operation the sequencer consumes (deposit credited, market listed, forced
     * withdrawal or cancel), as the L1 queue holds it.
     */
    record L1Op(long clientId, long clientSeq, Transition.PriorityOp op) implements Command {}

    /** A signed oracle price and funding index for one market. */
    record Oracle(long clientId, long clientSeq, Transition.OraclePrice price) implements Command {}

    /** Time passes: {@code unixSeconds} drives batch sealing; it never moves backwards in effect. */
    record TimeTick(long clientId, long clientSeq, long unixSeconds) implements Command {}

    /**
     * A read through the log: answered from the state at this position, changes nothing.
     * {@code market} is used by {@link QueryKind#DEPTH}, {@code trader} by ACCOUNT, {@code orderHash} by ORDER.
     */
    record Query(long clientId, long clientSeq, QueryKind kind, int market, Address trader, Hash32 orderHash) implements Command {}

    /** HISTORY returns the encoded command history with the state root and seq it leads to (audits, durability tests). */
    enum QueryKind { STATE, ORDER, ACCOUNT, DEPTH, HISTORY }
}
