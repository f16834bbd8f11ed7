package dev.clearline.sequencer.command;

import dev.clearline.engine.exchange.VerifiedCancel;
import dev.clearline.engine.exchange.VerifiedOrder;
import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.order.Signature;
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

    /**
     * Arms {@code order} as a stop: the node holds it off the book until its market's mark reaches the trigger (a sell's
     * falls to it, a buy's rises to it), then places it ({@code StopOrders}). The trigger is a price, or a distance it
     * trails the mark by ({@link StopTrigger}).
     */
    record PlaceStop(long clientId, long clientSeq, VerifiedOrder order, StopTrigger trigger) implements Command {
        public PlaceStop {
            java.util.Objects.requireNonNull(trigger, "trigger");
        }

        /** A stop at a fixed trigger price. */
        public PlaceStop(long clientId, long clientSeq, VerifiedOrder order, long triggerPrice) {
            this(clientId, clientSeq, order, new StopTrigger.At(triggerPrice));
        }
    }

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
     * A trader's dead man's switch, signed as {@code CancelAllAfter(owner, deadline, nonce)} (the gateway checked the
     * signature): once the log's clock reaches {@code deadline} (unix seconds) every open order of {@code owner}, resting or
     * armed, is taken off, unless a later one moved the deadline first; 0 turns it off. {@code nonce} only rises, so an old
     * message sent again cannot bring back an earlier deadline.
     */
    record CancelAllAfter(long clientId, long clientSeq, Address owner, long deadline, long nonce, Signature signature) implements Command {
        public CancelAllAfter {
            java.util.Objects.requireNonNull(owner, "owner");
            java.util.Objects.requireNonNull(signature, "signature");
            if (deadline < 0 || nonce < 0) throw new IllegalArgumentException("a deadline and a nonce are uint64s under 2^63, got " + deadline + " and " + nonce);
        }
    }

    /**
     * An L1 priority operation the sequencer consumes (deposit credited, market listed, forced
     * withdrawal or cancel), as the L1 queue holds it.
     */
    record L1Op(long clientId, long clientSeq, Transition.PriorityOp op) implements Command {}

    /** A signed oracle price and funding index for one market. */
    record Oracle(long clientId, long clientSeq, Transition.OraclePrice price) implements Command {}

    /**
     * A request signed by a trader that is not an order: {@code Allocate}, {@code Release} or
     * {@code Withdraw}. The STF checks its signature and nonce (nothing trusts the gateway for it).
     */
    record Signed(long clientId, long clientSeq, Transition request) implements Command {
        public Signed {
            if (!(request instanceof Transition.Allocate || request instanceof Transition.Release || request instanceof Transition.Withdraw)) {
                throw new IllegalArgumentException("a signed request is an Allocate, Release or Withdraw, got type " + request.type());
            }
        }
    }

    /**
     * L1 accepted sealed batch {@code index} in a block of time {@code postedAt}; unless a dispute
     * holds it, it becomes final at L1 time {@code finalAt} (posting time plus the challenge
     * period). The L1 loop reports each posted batch once, in index order; the state then tells
     * every fill and withdrawal of that batch as posted.
     */
    record BatchPosted(long clientId, long clientSeq, long index, long postedAt, long finalAt) implements Command {}

    /**
     * The rollup finalized its first {@code count} batches: their fills and withdrawals are final
     * and the state drops those batches from memory (L1 holds them for good).
     */
    record BatchesFinal(long clientId, long clientSeq, long count) implements Command {}

    /**
     * The leader's batch poster stopped for an operator to fix ({@code why}: a divergence, a batch the rollup
     * cannot take, the role handed away): nothing taken now would reach L1, so every member's trader API
     * halts new orders, amendments, withdrawals and margin moves until {@link PostingResumed}. In the log
     * because only the leader posts: a follower's API learned of it no other way. The state keeps the
     * reason (in its snapshots too), so a member that restarts is halted again; it changes no leaf or root.
     */
    record PostingHalted(long clientId, long clientSeq, String why) implements Command {
        /** The most bytes of the reason the log keeps (UTF-8); a longer one is cut. */
        public static final int MAX_WHY_BYTES = 2_000;

        public PostingHalted {
            java.util.Objects.requireNonNull(why, "why");
        }
    }

    /** A poster started on the leader: the halt of {@link PostingHalted}, if any, lifts on every member. */
    record PostingResumed(long clientId, long clientSeq) implements Command {}

    /** Time passes: {@code unixSeconds} drives batch sealing; it never moves backwards in effect. */
    record TimeTick(long clientId, long clientSeq, long unixSeconds) implements Command {}

    /**
     * A read through the log: answered from the state at this position, changes nothing.
     * {@code market} is used by {@link QueryKind#DEPTH}, {@code trader} by ACCOUNT, {@code orderHash} by ORDER.
     */
    record Query(long clientId, long clientSeq, QueryKind kind, int market, Address trader, Hash32 orderHash, long index) implements Command {
        public Query(long clientId, long clientSeq, QueryKind kind, int market, Address trader, Hash32 orderHash) {
            this(clientId, clientSeq, kind, market, trader, orderHash, 0);
        }
    }

    /**
     * HISTORY returns a page of the encoded command history from byte {@code index}, with the state
     * root and seq the whole leads to (audits, durability tests; {@code HistoryPages} reads them all); BATCH returns sealed batch {@code index} (header and calldata), what the L1
     * batch poster posts.
     */
    /** What a query reads; the codec writes the ordinal, so a new kind goes last. BALANCES: an account's balance and positions alone (the account channel's pushes). */
    enum QueryKind { STATE, ORDER, ACCOUNT, DEPTH, HISTORY, BATCH, BALANCES }
}
