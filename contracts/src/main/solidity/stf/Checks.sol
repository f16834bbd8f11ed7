// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {Reject} from "./Reject.sol";
import {Fixed} from "./Fixed.sol";
import {Margin} from "./Margin.sol";
import {PositionLeaf, OrderLeaf, MarketLeaf, GlobalLeaf} from "./Leaves.sol";
import {PriorityHeader, Sig} from "./Transitions.sol";

/// @title Checks
/// @notice The checks several rules share, twin of Java's `dev.clearline.engine.stf.Checks`; each
///         returns `Reject.None` when it passes.
library Checks {
    /// @dev secp256k1 group order n, and n / 2 (the largest canonical s).
    uint256 internal constant N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;
    uint256 internal constant HALF_N = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0;

    /// @notice BAD_SIGNATURE unless `sig` is canonical (v 27/28, 0 < r < n, 0 < s <= n/2) and
    ///         `ecrecover` gives `signer`; a recovery of address(0) never matches.
    function signedBy(bytes32 digest, Sig memory sig, address signer) internal pure returns (Reject) {
        uint256 r = uint256(sig.r);
        uint256 s = uint256(sig.s);
        if ((sig.v != 27 && sig.v != 28) || r == 0 || r >= N || s == 0 || s > HALF_N) return Reject.BAD_SIGNATURE;
        address recovered = ecrecover(digest, sig.v, sig.r, sig.s);
        return recovered != address(0) && recovered == signer ? Reject.None : Reject.BAD_SIGNATURE;
    }

    /// @notice The largest value of a counter (a request nonce, the next withdrawal id, the priority
    ///         ops consumed, the forced rejections): 2^63 - 1, as in Java (`Checks.COUNTER_MAX`). A step
    ///         that would advance a counter past it is refused with OVERFLOW.
    uint64 internal constant COUNTER_MAX = uint64(type(int64).max);

    /// @notice PRIORITY_OUT_OF_ORDER unless `op` is the next priority op; OVERFLOW if a GLOBAL counter
    ///         a priority op may advance (ops consumed, forced rejections, next withdrawal id) is at its maximum.
    function nextPriorityOp(GlobalLeaf memory g, PriorityHeader memory op) internal pure returns (Reject) {
        if (op.priorityIndex != g.priorityOpsConsumed) return Reject.PRIORITY_OUT_OF_ORDER;
        bool full = g.priorityOpsConsumed == COUNTER_MAX || g.forcedRejections == COUNTER_MAX
            || g.nextWithdrawalId == COUNTER_MAX;
        return full ? Reject.OVERFLOW : Reject.None;
    }

    /// @notice The global leaf after consuming the priority op whose encoding is `encoded`:
    ///         priorityHash = keccak(priorityHash || keccak(encoded)).
    function consume(GlobalLeaf memory g, bytes calldata encoded, bool rejected)
        internal
        pure
        returns (GlobalLeaf memory next)
    {
        next.nextWithdrawalId = g.nextWithdrawalId;
        next.priorityOpsConsumed = g.priorityOpsConsumed + 1;
        next.priorityHash = keccak256(abi.encodePacked(g.priorityHash, keccak256(encoded)));
        next.forcedRejections = g.forcedRejections + (rejected ? 1 : 0);
        next.orderCount = g.orderCount;
    }

    function marketExists(bool exists) internal pure returns (Reject) {
        return exists ? Reject.None : Reject.UNKNOWN_MARKET;
    }

    function hasMark(MarketLeaf memory m) internal pure returns (Reject) {
        return m.markPrice > 0 ? Reject.None : Reject.NO_MARK_PRICE;
    }

    /// @notice Expired when an expiry is set and the market's oracle time has passed it.
    function expired(uint64 expiry, MarketLeaf memory m) internal pure returns (bool) {
        return expiry != 0 && m.lastOracleTs > expiry;
    }

    function live(OrderLeaf memory o, MarketLeaf memory m) internal pure returns (Reject) {
        if (o.cancelled) return Reject.ORDER_CANCELLED;
        if (expired(o.expiry, m)) return Reject.EXPIRED;
        return Reject.None;
    }

    function positiveAmount(uint64 amount) internal pure returns (Reject) {
        return amount > 0 ? Reject.None : Reject.BAD_AMOUNT;
    }

    /// @dev A withdrawal leaf is paid by a token transfer to its recipient, which tokens refuse for the
    ///      zero address: such a leaf could never be claimed, so the withdrawal is refused instead.
    function payableRecipient(address recipient) internal pure returns (Reject) {
        return recipient != address(0) ? Reject.None : Reject.BAD_RECIPIENT;
    }

    function nonce(uint64 given, uint64 expected) internal pure returns (Reject) {
        if (given != expected) return Reject.BAD_NONCE;
        return expected == COUNTER_MAX ? Reject.OVERFLOW : Reject.None;
    }

    /// @notice The position with funding settled to the market's index; ok = false on overflow.
    function settled(PositionLeaf memory p, MarketLeaf memory m)
        internal
        pure
        returns (bool ok, PositionLeaf memory out)
    {
        int256 quote = Margin.settleFunding(p.size, p.quote, p.fundingIndex, m.fundingIndex, int256(uint256(m.lotSize)));
        if (quote == Fixed.OVERFLOW) return (false, out);
        out = PositionLeaf(p.size, int64(quote), m.fundingIndex);
        ok = true;
    }

    function verdict(Margin.Verdict v) internal pure returns (Reject) {
        if (v == Margin.Verdict.OK) return Reject.None;
        if (v == Margin.Verdict.INSUFFICIENT) return Reject.INSUFFICIENT_MARGIN;
        return Reject.OVERFLOW;
    }
}
