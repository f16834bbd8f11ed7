// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {StepFamily} from "./StepFamily.sol";
import {IStepVerifier} from "./IStepVerifier.sol";
import {Reject} from "./Reject.sol";
import {State, Witness} from "./Witness.sol";
import {Transitions, PostOrder, Trade, TradeAtPrice, Liquidate} from "./Transitions.sol";
import {PostOrderRule} from "./PostOrderRule.sol";
import {TradeRule} from "./TradeRule.sol";
import {LiquidateRule} from "./LiquidateRule.sol";

/// @title TradingStep
/// @notice One step of the order flow and risk (PostOrder, Trade, TradeAtPrice, Liquidate).
contract TradingStep is StepFamily {
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
        if (t == Transitions.POST_ORDER) {
            PostOrder memory p;
            (ok, p) = Transitions.decodePostOrder(transition);
            if (!ok) return _malformed(preRoot);
            s = Witness.parse(witness, ctx.domainSeparator, ctx.batchIndex);
            r = PostOrderRule.execute(s, p);
        } else if (t == Transitions.TRADE) {
            Trade memory tr;
            (ok, tr) = Transitions.decodeTrade(transition);
            if (!ok) return _malformed(preRoot);
            s = Witness.parse(witness, ctx.domainSeparator, ctx.batchIndex);
            r = TradeRule.execute(s, tr);
        } else if (t == Transitions.TRADE_AT_PRICE) {
            TradeAtPrice memory tp;
            (ok, tp) = Transitions.decodeTradeAtPrice(transition);
            if (!ok) return _malformed(preRoot);
            s = Witness.parse(witness, ctx.domainSeparator, ctx.batchIndex);
            r = TradeRule.fill(s, TradeRule.Request(tp.makerId, tp.takerId, tp.size, tp.price, true));
        } else if (t == Transitions.LIQUIDATE) {
            Liquidate memory l;
            (ok, l) = Transitions.decodeLiquidate(transition);
            if (!ok) return _malformed(preRoot);
            s = Witness.parse(witness, ctx.domainSeparator, ctx.batchIndex);
            r = LiquidateRule.execute(s, l);
        } else {
            revert NotThisFamily(t);
        }
        return _result(s, preRoot, r);
    }
}
