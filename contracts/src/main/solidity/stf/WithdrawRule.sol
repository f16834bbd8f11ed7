// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {Reject} from "./Reject.sol";
import {Checks} from "./Checks.sol";
import {Eip712} from "./Eip712.sol";
import {State, Witness} from "./Witness.sol";
import {BalanceLeaf, GlobalLeaf, WithdrawalLeaf} from "./Leaves.sol";
import {Withdraw} from "./Transitions.sol";

/// @title WithdrawRule
/// @notice Debits the free balance into a new withdrawal leaf, claimable on L1 once final.
library WithdrawRule {
    function execute(State memory s, Withdraw memory w) internal pure returns (Reject) {
        BalanceLeaf memory b = Witness.balance(s, w.owner); // 1. load
        GlobalLeaf memory g = Witness.global(s);
        Reject r = Checks.signedBy( // 2. authorise
            Eip712.withdrawDigest(s.domainSeparator, w.owner, w.recipient, w.amount, w.nonce),
            w.sig,
            w.owner
        );
        if (r == Reject.None) r = Checks.nonce(w.nonce, b.nonce);
        if (r == Reject.None) r = Checks.positiveAmount(w.amount); // 3. validate
        if (r == Reject.None) r = Checks.payableRecipient(w.recipient);
        if (r == Reject.None && b.free < w.amount) r = Reject.INSUFFICIENT_BALANCE;
        if (r == Reject.None && g.nextWithdrawalId == Checks.COUNTER_MAX) r = Reject.OVERFLOW;
        if (r != Reject.None) return r;
        Witness.putBalance(s, w.owner, BalanceLeaf(b.free - w.amount, b.nonce + 1)); // 4. apply
        Witness.putWithdrawal(s, g.nextWithdrawalId, WithdrawalLeaf(w.recipient, w.amount));
        g.nextWithdrawalId += 1;
        Witness.putGlobal(s, g);
        return Reject.None;
    }
}
