package dev.clearline.engine.stf;

import dev.clearline.engine.order.Eip712;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.SignatureVerifier;
import dev.clearline.engine.order.SignedDigest;
import dev.clearline.engine.transition.MalformedTransitionException;
import dev.clearline.engine.transition.Transition;
import dev.clearline.engine.transition.TransitionCodec;
import dev.clearline.engine.transition.Transition.*;

import java.util.function.Function;

/**
 * The Java state transition function: applies one transition to a {@link LeafStore}, or returns a
 * typed rejection and leaves the store untouched. Pure apart from the store; the new root is the
 * tree's ({@link TreeLeafStore#root()}) after the writes. One instance per thread (it caches keys).
 */
public final class Stf {
    private final DepositRule deposit = new DepositRule();
    private final MarketConfigRule marketConfig = new MarketConfigRule();
    private final ForcedWithdrawalRule forcedWithdrawal = new ForcedWithdrawalRule();
    private final ForcedCancelRule forcedCancel = new ForcedCancelRule();
    private final OraclePriceRule oraclePrice;
    private final PostOrderRule postOrder;
    private final TradeRule trade = new TradeRule();
    private final TradeAtPriceRule tradeAtPrice = new TradeAtPriceRule();
    private final CancelRule cancel;
    private final AllocateRule allocate;
    private final ReleaseRule release;
    private final WithdrawRule withdraw;
    private final LiquidateRule liquidate = new LiquidateRule();
    private final DeleverageRule deleverage = new DeleverageRule();
    private final PruneOrderRule pruneOrder = new PruneOrderRule();
    private final PruneOrderHashRule pruneOrderHash = new PruneOrderHashRule();
    private final KeyCache keys = new KeyCache(1 << 16);
    private final Eip712 domain;
    private final SignatureVerifier verifier;
    private final Function<Order, Hash32> orderDigests;

    public Stf(Eip712 domain, SignatureVerifier verifier) {
        this(domain, verifier, domain::orderDigest);
    }

    /**
     * @param orderDigests must return exactly {@link Eip712#orderDigest} of the order; lets a caller
     *     that already hashed the order at submission (the exchange) skip hashing it again
     */
    public Stf(Eip712 domain, SignatureVerifier verifier, Function<Order, Hash32> orderDigests) {
        this.domain = domain;
        this.verifier = verifier;
        this.orderDigests = orderDigests;
        this.oraclePrice = new OraclePriceRule(domain, verifier);
        this.postOrder = new PostOrderRule(orderDigests, verifier);
        this.cancel = new CancelRule(domain, verifier);
        this.allocate = new AllocateRule(domain, verifier);
        this.release = new ReleaseRule(domain, verifier);
        this.withdraw = new WithdrawRule(domain, verifier);
    }

    /** The verifier every signed transition's rule asks. */
    public SignatureVerifier verifier() {
        return verifier;
    }

    /**
     * The digest and signature {@code t}'s rule hands the verifier, computed from {@code t} alone
     * (null: {@code t} carries no signature). A replay recovers a batch's signers with it on other
     * threads before the STF asks for them. Safe on any thread when the constructor's order digests are.
     */
    public SignedDigest signedDigest(Transition t) {
        return switch (t) {
            case PostOrder p -> new SignedDigest(orderDigests.apply(p.order()), p.signature());
            case OraclePrice o -> new SignedDigest(OraclePriceRule.digest(domain, o), o.signature());
            case Cancel c -> new SignedDigest(CancelRule.digest(domain, c), c.signature());
            case Allocate a -> new SignedDigest(AllocateRule.digest(domain, a), a.signature());
            case Release rel -> new SignedDigest(ReleaseRule.digest(domain, rel), rel.signature());
            case Withdraw w -> new SignedDigest(WithdrawRule.digest(domain, w), w.signature());
            case Deposit d -> null;
            case MarketConfig c -> null;
            case ForcedWithdrawal f -> null;
            case ForcedCancel f -> null;
            case Trade tr -> null;
            case Liquidate l -> null;
            case TradeAtPrice tr -> null;
            case Deleverage d -> null;
            case PruneOrder p -> null;
            case PruneOrderHash p -> null;
        };
    }

    /**
     * The static checks an order must pass against its market (fields, tick, lot), in the STF's
     * order; the exchange runs them before matching so the STF never meets a bad order.
     */
    public static Reject checkOrderFields(dev.clearline.engine.order.Order order, dev.clearline.engine.state.MarketLeaf market) {
        return PostOrderRule.fields(order, market);
    }

    /**
     * Decodes and applies one transition as L1 calldata carries it. Bytes that do not decode are
     * rejected with {@link Reject#MALFORMED}, the code the Solidity step returns for them.
     */
    public Outcome applyEncoded(LeafStore store, byte[] encoded, long batchIndex) {
        Transition t;
        try {
            t = TransitionCodec.decode(encoded);
        } catch (MalformedTransitionException e) {
            return new Outcome.Rejected(Reject.MALFORMED);
        }
        return apply(store, t, batchIndex);
    }

    /**
     * Applies {@code t} outside any batch (batch index 0): for the exchange's mirror and for tests,
     * which never split an IOC/FOK order's PostOrder and its fills across batches.
     */
    public Outcome apply(LeafStore store, Transition t) {
        return apply(store, t, 0);
    }

    /**
     * Applies {@code t} as a transition of batch {@code batchIndex}: the context parameter the
     * Solidity step receives as {@code IStepVerifier.Context.batchIndex}. PostOrder records it in
     * the ORDER leaf; a fill of an IOC/FOK order in another batch is TIME_IN_FORCE_OVER.
     */
    public Outcome apply(LeafStore store, Transition t, long batchIndex) {
        StateView view = new StateView(store, keys, batchIndex);
        Reject r = switch (t) {
            case Deposit d -> deposit.execute(view, d);
            case MarketConfig c -> marketConfig.execute(view, c);
            case ForcedWithdrawal f -> forcedWithdrawal.execute(view, f);
            case ForcedCancel f -> forcedCancel.execute(view, f);
            case OraclePrice o -> oraclePrice.execute(view, o);
            case PostOrder p -> postOrder.execute(view, p);
            case Trade tr -> trade.execute(view, tr);
            case Cancel c -> cancel.execute(view, c);
            case Allocate a -> allocate.execute(view, a);
            case Release rel -> release.execute(view, rel);
            case Withdraw w -> withdraw.execute(view, w);
            case Liquidate l -> liquidate.execute(view, l);
            case TradeAtPrice tr -> tradeAtPrice.execute(view, tr);
            case Deleverage d -> deleverage.execute(view, d);
            case PruneOrder p -> pruneOrder.execute(view, p);
            case PruneOrderHash p -> pruneOrderHash.execute(view, p);
        };
        if (r != null) return new Outcome.Rejected(r);
        store.putAll(view.writes());
        return Outcome.APPLIED;
    }
}
