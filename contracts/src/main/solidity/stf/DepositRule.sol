// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {Reject} from "./Reject.sol";
import {Fixed} from "./Fixed.sol";
import {Checks} from "./Checks.sol";
import {State, Witness} from "./Witness.sol";
import {BalanceLeaf, GlobalLeaf, WithdrawalLeaf} from "./Leaves.sol";
import {Deposit} from "./Transitions.sol";

/// @title DepositRule
/// @notice Credits the free balance from the next L1 priority op. A deposit that would overflow the
///         balance is still consumed (refusing it would stall the priority queue): it counts as a
///         forced rejection and its amount goes into a withdrawal leaf for the owner.
library DepositRule {
    function execute(State memory s, Deposit memory d, bytes calldata encoded) internal pure returns (Reject) {
        GlobalLeaf memory g = Witness.global(s); // 1. load
        BalanceLeaf memory b = Witness.balance(s, d.owner);
        Reject r = Checks.nextPriorityOp(g, d.op); // 2. authorise
        if (r != Reject.None) return r;
        int256 free = Fixed.add(int256(uint256(b.free)), int256(uint256(d.amount))); // 4. apply
        if (free == Fixed.OVERFLOW) {
            GlobalLeaf memory consumed = Checks.consume(g, encoded, true);
            Witness.putWithdrawal(s, g.nextWithdrawalId, WithdrawalLeaf(d.owner, d.amount));
            consumed.nextWithdrawalId = g.nextWithdrawalId + 1;
            Witness.putGlobal(s, consumed);
            return Reject.None;
        }
        Witness.putBalance(s, d.owner, BalanceLeaf(uint64(uint256(free)), b.nonce));
        Witness.putGlobal(s, Checks.consume(g, encoded, false));
        return Reject.None;
    }
}
