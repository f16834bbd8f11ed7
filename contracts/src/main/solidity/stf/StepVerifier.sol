// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {IStepVerifier} from "./IStepVerifier.sol";
import {Reject} from "./Reject.sol";
import {Transitions} from "./Transitions.sol";

/// @title StepVerifier
/// @notice The Solidity twin of the Java STF for one transition (docs/protocol.md sections 4, 5 and
///         "Witness"): routes the transition by its type byte to the step contract of its family
///         (priority ops, account requests, trading), each of which re-executes the rule against
///         the witnessed leaves and proves the post-state root. Holds no state.
contract StepVerifier is IStepVerifier {
    /// @notice A family address given to the constructor has no code.
    error FamilyWithoutCode(address family);

    IStepVerifier public immutable priority;
    IStepVerifier public immutable account;
    IStepVerifier public immutable trading;

    /// @param priority_ the `PriorityStep` contract (types 1-4)
    /// @param account_ the `AccountStep` contract (types 5, 8-11, 14-16)
    /// @param trading_ the `TradingStep` contract (types 6, 7, 12, 13)
    constructor(IStepVerifier priority_, IStepVerifier account_, IStepVerifier trading_) {
        if (address(priority_).code.length == 0) revert FamilyWithoutCode(address(priority_));
        if (address(account_).code.length == 0) revert FamilyWithoutCode(address(account_));
        if (address(trading_).code.length == 0) revert FamilyWithoutCode(address(trading_));
        priority = priority_;
        account = account_;
        trading = trading_;
    }

    /// @inheritdoc IStepVerifier
    function step(bytes32 preRoot, bytes calldata transition, bytes calldata witness, Context calldata ctx)
        external
        view
        returns (Result memory res)
    {
        uint8 t = Transitions.typeOf(transition);
        if (t == 0) {
            res.postRoot = preRoot;
            res.reject = uint8(Reject.MALFORMED);
            return res;
        }
        return family(t).step(preRoot, transition, witness, ctx);
    }

    /// @notice The step contract that executes transitions of type `t` (1..16).
    function family(uint8 t) public view returns (IStepVerifier) {
        if (t <= Transitions.FORCED_CANCEL) return priority;
        if (
            t == Transitions.POST_ORDER || t == Transitions.TRADE || t == Transitions.LIQUIDATE
                || t == Transitions.TRADE_AT_PRICE
        ) return trading;
        return account;
    }
}
