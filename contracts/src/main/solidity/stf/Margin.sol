// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {Fixed} from "./Fixed.sol";

/// @title Margin
/// @notice Isolated-margin rules of docs/protocol.md section 4, twin of Java's
///         `dev.clearline.engine.risk.Margin`, operation for operation.
library Margin {
    enum Verdict {
        OK,
        INSUFFICIENT,
        OVERFLOW
    }

    /// @notice quote - (size / lot) * (F_market - F_position).
    function settleFunding(int256 size, int256 quote, int256 positionIndex, int256 marketIndex, int256 lotSize)
        internal
        pure
        returns (int256)
    {
        return Fixed.sub(quote, Fixed.mul(size / lotSize, Fixed.sub(marketIndex, positionIndex)));
    }

    /// @notice quote + (size / lot) * mark.
    function equity(int256 size, int256 quote, int256 lotSize, int256 mark) internal pure returns (int256) {
        return Fixed.add(quote, Fixed.notional(size, lotSize, mark));
    }

    /// @notice ceil(|size / lot * mark| * fractionPpm / 1e6).
    function requirement(int256 size, int256 lotSize, int256 mark, int256 fractionPpm) internal pure returns (int256) {
        return Fixed.mulPpmUp(Fixed.abs(Fixed.notional(size, lotSize, mark)), fractionPpm);
    }

    /// @notice A fill "reduces" when the position keeps its sign (or closes) and |size| does not grow.
    function reduces(int256 before, int256 afterSize) internal pure returns (bool) {
        if (afterSize == 0) return true;
        return _sign(afterSize) == _sign(before) && Fixed.abs(afterSize) <= Fixed.abs(before);
    }

    /// @notice Growing (or flipping) needs equity >= IM; reducing needs the excess over MM not to fall
    ///         below min(0, excess before). Both positions already settled to the market's index.
    function checkFill(
        int256 sizeBefore,
        int256 quoteBefore,
        int256 sizeAfter,
        int256 quoteAfter,
        int256 lotSize,
        int256 mark,
        int256 imfPpm,
        int256 mmfPpm
    ) internal pure returns (Verdict) {
        int256 eqAfter = equity(sizeAfter, quoteAfter, lotSize, mark);
        if (!reduces(sizeBefore, sizeAfter)) {
            int256 im = requirement(sizeAfter, lotSize, mark, imfPpm);
            if (eqAfter == Fixed.OVERFLOW || im == Fixed.OVERFLOW) return Verdict.OVERFLOW;
            return eqAfter >= im ? Verdict.OK : Verdict.INSUFFICIENT;
        }
        int256 excessAfter = Fixed.sub(eqAfter, requirement(sizeAfter, lotSize, mark, mmfPpm));
        int256 excessBefore =
            Fixed.sub(equity(sizeBefore, quoteBefore, lotSize, mark), requirement(sizeBefore, lotSize, mark, mmfPpm));
        if (excessAfter == Fixed.OVERFLOW || excessBefore == Fixed.OVERFLOW) return Verdict.OVERFLOW;
        return excessAfter >= (excessBefore < 0 ? excessBefore : int256(0)) ? Verdict.OK : Verdict.INSUFFICIENT;
    }

    /// @notice Below maintenance at the mark: size != 0 and equity < ceil(|notional| * mmf).
    function liquidatable(int256 size, int256 quote, int256 lotSize, int256 mark, int256 mmfPpm)
        internal
        pure
        returns (Verdict)
    {
        int256 eq = equity(size, quote, lotSize, mark);
        int256 mm = requirement(size, lotSize, mark, mmfPpm);
        if (eq == Fixed.OVERFLOW || mm == Fixed.OVERFLOW) return Verdict.OVERFLOW;
        return size != 0 && eq < mm ? Verdict.OK : Verdict.INSUFFICIENT;
    }

    function _sign(int256 a) private pure returns (int256) {
        return a > 0 ? int256(1) : (a < 0 ? int256(-1) : int256(0));
    }
}
