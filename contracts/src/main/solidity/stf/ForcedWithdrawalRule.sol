// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {Reject} from "./Reject.sol";
import {Checks} from "./Checks.sol";
import {State, Witness} from "./Witness.sol";
import {BalanceLeaf, GlobalLeaf, WithdrawalLeaf} from "./Leaves.sol";
import {ForcedWithdrawal} from "./Transitions.sol";

/// @title ForcedWithdrawalRule
/// @notice A censored user's withdrawal from L1: paid from the free balance if it suffices, else
///         recorded as a forced rejection.
library ForcedWithdrawalRule {
    function execute(State memory s, ForcedWithdrawal memory f, bytes calldata encoded) internal pure returns (Reject) {
        GlobalLeaf memory g = Witness.global(s); // 1. load
        BalanceLeaf memory b = Witness.balance(s, f.owner);
        Reject r = Checks.nextPriorityOp(g, f.op); // 2. authorise
        if (r != Reject.None) return r;
        if (f.amount == 0 || b.free < f.amount) {
            // 3. validate
            Witness.putGlobal(s, Checks.consume(g, encoded, true));
            return Reject.None;
        }
        GlobalLeaf memory consumed = Checks.consume(g, encoded, false); // 4. apply
        Witness.putBalance(s, f.owner, BalanceLeaf(b.free - f.amount, b.nonce));
        Witness.putWithdrawal(s, g.nextWithdrawalId, WithdrawalLeaf(f.owner, f.amount));
        consumed.nextWithdrawalId = g.nextWithdrawalId + 1;
        Witness.putGlobal(s, consumed);
        return Reject.None;
    }
}
