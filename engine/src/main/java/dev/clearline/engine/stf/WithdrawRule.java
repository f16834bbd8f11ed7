package dev.clearline.engine.stf;

import dev.clearline.engine.order.Eip712;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.order.SignatureVerifier;
import dev.clearline.engine.state.BalanceLeaf;
import dev.clearline.engine.state.GlobalLeaf;
import dev.clearline.engine.state.WithdrawalLeaf;
import dev.clearline.engine.transition.Transition.Withdraw;

/** Debits the free balance into a new withdrawal leaf, claimable on L1 once final. */
final class WithdrawRule implements Rule<Withdraw> {
    private final Eip712 domain;
    private final SignatureVerifier verifier;

    WithdrawRule(Eip712 domain, SignatureVerifier verifier) {
        this.domain = domain;
        this.verifier = verifier;
    }

    @Override
    public Reject execute(StateView s, Withdraw w) {
        BalanceLeaf b = s.balance(w.owner());                           // 1. load
        GlobalLeaf g = s.global();
        Reject r = Checks.signedBy(verifier, digest(domain, w),
                w.signature(), w.owner());                              // 2. authorise
        if (r == null) r = Checks.nonce(w.nonce(), b.nonce());
        if (r == null) r = Checks.positiveAmount(w.amount());           // 3. validate
        if (r == null) r = Checks.payableRecipient(w.recipient());
        if (r == null && b.free() < w.amount()) r = Reject.INSUFFICIENT_BALANCE;
        if (r == null && g.nextWithdrawalId() == Checks.COUNTER_MAX) r = Reject.OVERFLOW;
        if (r != null) return r;
        s.put(w.owner(), new BalanceLeaf(b.free() - w.amount(), b.nonce() + 1))  // 4. apply
                .put(g.nextWithdrawalId(), new WithdrawalLeaf(w.recipient(), w.amount()))
                .put(g.withNextWithdrawalId(g.nextWithdrawalId() + 1));
        return null;
    }

    /** The EIP-712 digest the signature of {@code w} signs: from the transition alone (the replay recovers signers ahead with it). */
    static Hash32 digest(Eip712 domain, Withdraw w) {
        return domain.withdrawDigest(w.owner(), w.recipient(), w.amount(), w.nonce());
    }
}
