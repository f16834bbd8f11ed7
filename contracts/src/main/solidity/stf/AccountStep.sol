// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {StepFamily} from "./StepFamily.sol";
import {IStepVerifier} from "./IStepVerifier.sol";
import {Reject} from "./Reject.sol";
import {State, Witness} from "./Witness.sol";
import {Transitions, OraclePrice, Cancel, MarginMove, Withdraw, Deleverage, PruneOrder, PruneOrderHash} from "./Transitions.sol";
import {DeleverageRule} from "./DeleverageRule.sol";
import {PruneOrderRule} from "./PruneOrderRule.sol";
import {PruneOrderHashRule} from "./PruneOrderHashRule.sol";
import {OraclePriceRule} from "./OraclePriceRule.sol";
import {CancelRule} from "./CancelRule.sol";
import {AllocateRule} from "./AllocateRule.sol";
import {ReleaseRule} from "./ReleaseRule.sol";
import {WithdrawRule} from "./WithdrawRule.sol";

/// @title AccountStep
/// @notice One step of a signed account request or oracle report (OraclePrice, Cancel, Allocate,
///         Release, Withdraw), and Deleverage, PruneOrder and PruneOrderHash (kept here for bytecode size).
contract AccountStep is StepFamily {
    /// @inheritdoc IStepVerifier
    function step(bytes32 preRoot, bytes calldata transition, bytes calldata witness, Context calldata ctx)
        external
        pure
        override
        returns (Result memory)
    {
        uint8 t = Transitions.typeOf(transition);
        bool ok;
        Reject r;
        State memory s;
        if (t == Transitions.ORACLE_PRICE) {
            OraclePrice memory o;
            (ok, o) = Transitions.decodeOraclePrice(transition);
            if (!ok) return _malformed(preRoot);
            s = Witness.parse(witness, ctx.domainSeparator, ctx.batchIndex);
            r = OraclePriceRule.execute(s, o);
        } else if (t == Transitions.CANCEL) {
            Cancel memory c;
            (ok, c) = Transitions.decodeCancel(transition);
            if (!ok) return _malformed(preRoot);
            s = Witness.parse(witness, ctx.domainSeparator, ctx.batchIndex);
            r = CancelRule.execute(s, c);
        } else if (t == Transitions.ALLOCATE || t == Transitions.RELEASE) {
            MarginMove memory m;
            (ok, m) = Transitions.decodeMarginMove(transition);
            if (!ok) return _malformed(preRoot);
            s = Witness.parse(witness, ctx.domainSeparator, ctx.batchIndex);
            r = t == Transitions.ALLOCATE ? AllocateRule.execute(s, m) : ReleaseRule.execute(s, m);
        } else if (t == Transitions.WITHDRAW) {
            Withdraw memory w;
            (ok, w) = Transitions.decodeWithdraw(transition);
            if (!ok) return _malformed(preRoot);
            s = Witness.parse(witness, ctx.domainSeparator, ctx.batchIndex);
            r = WithdrawRule.execute(s, w);
        } else if (t == Transitions.DELEVERAGE) {
            Deleverage memory d;
            (ok, d) = Transitions.decodeDeleverage(transition);
            if (!ok) return _malformed(preRoot);
            s = Witness.parse(witness, ctx.domainSeparator, ctx.batchIndex);
            r = DeleverageRule.execute(s, d);
        } else if (t == Transitions.PRUNE_ORDER) {
            PruneOrder memory p;
            (ok, p) = Transitions.decodePruneOrder(transition);
            if (!ok) return _malformed(preRoot);
            s = Witness.parse(witness, ctx.domainSeparator, ctx.batchIndex);
            r = PruneOrderRule.execute(s, p);
        } else if (t == Transitions.PRUNE_ORDER_HASH) {
            PruneOrderHash memory h;
            (ok, h) = Transitions.decodePruneOrderHash(transition);
            if (!ok) return _malformed(preRoot);
            s = Witness.parse(witness, ctx.domainSeparator, ctx.batchIndex);
            r = PruneOrderHashRule.execute(s, h);
        } else {
            revert NotThisFamily(t);
        }
        return _result(s, preRoot, r);
    }
}
