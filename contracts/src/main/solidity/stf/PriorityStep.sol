// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {StepFamily} from "./StepFamily.sol";
import {IStepVerifier} from "./IStepVerifier.sol";
import {Reject} from "./Reject.sol";
import {State, Witness} from "./Witness.sol";
import {
    Transitions, PriorityHeader, Deposit, MarketConfig, ForcedWithdrawal, ForcedCancel
} from "./Transitions.sol";
import {DepositRule} from "./DepositRule.sol";
import {MarketConfigRule} from "./MarketConfigRule.sol";
import {ForcedWithdrawalRule} from "./ForcedWithdrawalRule.sol";
import {ForcedCancelRule} from "./ForcedCancelRule.sol";

/// @title PriorityStep
/// @notice One step of an L1 priority op (Deposit, MarketConfig, ForcedWithdrawal, ForcedCancel).
///         A consumed op comes back with its queue index and the rolling hash after it, which the
///         caller must find equal to the L1 queue's.
contract PriorityStep is StepFamily {
    /// @inheritdoc IStepVerifier
    function step(bytes32 preRoot, bytes calldata transition, bytes calldata witness, Context calldata ctx)
        external
        pure
        override
        returns (Result memory res)
    {
        uint8 t = Transitions.typeOf(transition);
        bool ok;
        PriorityHeader memory op;
        Reject r;
        State memory s;
        if (t == Transitions.DEPOSIT) {
            Deposit memory d;
            (ok, d) = Transitions.decodeDeposit(transition);
            if (!ok) return _malformed(preRoot);
            s = Witness.parse(witness, ctx.domainSeparator, ctx.batchIndex);
            r = DepositRule.execute(s, d, transition);
            op = d.op;
        } else if (t == Transitions.MARKET_CONFIG) {
            MarketConfig memory c;
            (ok, c) = Transitions.decodeMarketConfig(transition);
            if (!ok) return _malformed(preRoot);
            s = Witness.parse(witness, ctx.domainSeparator, ctx.batchIndex);
            r = MarketConfigRule.execute(s, c, transition);
            op = c.op;
        } else if (t == Transitions.FORCED_WITHDRAWAL) {
            ForcedWithdrawal memory f;
            (ok, f) = Transitions.decodeForcedWithdrawal(transition);
            if (!ok) return _malformed(preRoot);
            s = Witness.parse(witness, ctx.domainSeparator, ctx.batchIndex);
            r = ForcedWithdrawalRule.execute(s, f, transition);
            op = f.op;
        } else if (t == Transitions.FORCED_CANCEL) {
            ForcedCancel memory f;
            (ok, f) = Transitions.decodeForcedCancel(transition);
            if (!ok) return _malformed(preRoot);
            s = Witness.parse(witness, ctx.domainSeparator, ctx.batchIndex);
            r = ForcedCancelRule.execute(s, f, transition);
            op = f.op;
        } else {
            revert NotThisFamily(t);
        }
        res = _result(s, preRoot, r);
        if (r == Reject.None) {
            res.priorityConsumed = true;
            res.priorityIndex = op.priorityIndex;
            res.priorityHash = keccak256(abi.encodePacked(Witness.global(s).priorityHash, keccak256(transition)));
        }
    }
}
