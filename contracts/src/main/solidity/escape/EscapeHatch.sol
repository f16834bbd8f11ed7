// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {SparseMerkleProof} from "../tree/SparseMerkleProof.sol";
import {StateKeys} from "../state/StateKeys.sol";
import {IRollup, IEscapeRate} from "../rollup/IRollup.sol";
import "./EscapeErrors.sol";

/// @title EscapeHatch
/// @notice How everyone leaves a frozen rollup with only the last finalized root and Merkle
///         proofs (docs/protocol.md section 7.5, "Freeze and escape"). After `freeze()` a claim
///         window of `claimWindow` seconds opens in which anyone reports underwater positions (bad
///         debt) and the insurance fund's free balance and positive-equity positions (fund credit,
///         which absorbs bad debt first). When it closes, each user's free balance and each
///         position's equity (clamped at zero) is paid in one transaction per leaf, scaled by
///         `pool / (pool + max(0, badDebt - fundCredit))` so that the loss left after the fund is
///         shared pro rata and the last to escape is paid like the first. What is left of the pool
///         after `SWEEP_DELAY_WINDOWS` more windows is swept to the rollup's governance.
contract EscapeHatch is IEscapeRate {
    IRollup public immutable rollup;
    uint64 public immutable claimWindow;

    /// The insurance fund's owner (docs/protocol.md section 3); nobody holds its key.
    address public constant INSURANCE_FUND = 0x00000000000000000000000000000000000000f1;
    /// Claim windows after the claim window closes before the remainder may be swept.
    uint64 public constant SWEEP_DELAY_WINDOWS = 52;

    /// The POSITION leaf value (docs/protocol.md section 3).
    struct PositionLeaf {
        int64 size;
        int64 quote;
        int64 fundingIndex;
    }

    /// The MARKET leaf value (docs/protocol.md section 3).
    struct MarketLeaf {
        uint64 tickSize;
        uint64 lotSize;
        uint32 imfPpm;
        uint32 mmfPpm;
        uint32 makerFeePpm;
        uint32 takerFeePpm;
        uint32 liquidationFeePpm;
        address oracle;
        uint64 markPrice;
        int64 fundingIndex;
        uint64 lastOracleTs;
        uint64 feesAccrued;
    }

    /// Sum of the negative equities reported during the claim window.
    uint256 public badDebt;
    /// Sum of the insurance fund's free balance and positive equities reported during the claim window.
    uint256 public fundCredit;
    /// Whether the remainder of the escape pool was swept to governance.
    bool public remainderSwept;
    /// Leaves (by state key) already escaped or reported.
    mapping(bytes32 => bool) public leafUsed;

    event BadDebtReported(address indexed owner, uint32 indexed market, uint256 debt, uint256 totalBadDebt);
    event BalanceEscaped(address indexed owner, uint64 free, uint256 paid);
    event PositionEscaped(address indexed owner, uint32 indexed market, int256 equity, uint256 paid);
    event FundBalanceCredited(uint64 free, uint256 totalFundCredit);
    event FundPositionCredited(uint32 indexed market, uint256 equity, uint256 totalFundCredit);
    event RemainderSwept(address indexed to, uint256 paid);

    /// @param rollup_ the rollup whose frozen state is escaped.
    /// @param claimWindow_ seconds after the freeze during which bad debt is reported.
    constructor(address rollup_, uint64 claimWindow_) {
        if (claimWindow_ == 0) revert BadHatchParameter("claimWindow");
        rollup = IRollup(rollup_);
        claimWindow = claimWindow_;
    }

    /// @notice During the claim window, records the negative equity of `owner`'s position in
    ///         `market` as bad debt; proven by the position and market leaves under the frozen root.
    function reportBadDebt(
        address owner,
        uint32 market,
        PositionLeaf calldata position,
        MarketLeaf calldata marketLeaf,
        bytes calldata proof
    ) external {
        _requireWindowOpen();
        bytes32 key = StateKeys.position(owner, market);
        if (leafUsed[key]) revert LeafAlreadyUsed(key);
        _provePosition(owner, market, position, marketLeaf, proof);
        int256 equity = equityOf(position, marketLeaf);
        if (equity >= 0) revert NotBadDebt(equity);
        leafUsed[key] = true;
        badDebt += uint256(-equity);
        emit BadDebtReported(owner, market, uint256(-equity), badDebt);
    }

    /// @notice During the claim window, records the insurance fund's free balance (its BALANCE
    ///         leaf `(free, nonce)` under the frozen root) as fund credit, which absorbs bad debt.
    function reportFundBalance(uint64 free, uint64 nonce, bytes calldata proof) external {
        _requireWindowOpen();
        bytes32 key = StateKeys.balance(INSURANCE_FUND);
        if (leafUsed[key]) revert LeafAlreadyUsed(key);
        _proveBalance(key, free, nonce, proof);
        leafUsed[key] = true;
        fundCredit += free;
        emit FundBalanceCredited(free, fundCredit);
    }

    /// @notice During the claim window, records the positive equity of the insurance fund's
    ///         position in `market` as fund credit; proven like `escapePosition`.
    function reportFundPosition(
        uint32 market,
        PositionLeaf calldata position,
        MarketLeaf calldata marketLeaf,
        bytes calldata proof
    ) external {
        _requireWindowOpen();
        bytes32 key = StateKeys.position(INSURANCE_FUND, market);
        if (leafUsed[key]) revert LeafAlreadyUsed(key);
        _provePosition(INSURANCE_FUND, market, position, marketLeaf, proof);
        int256 equity = equityOf(position, marketLeaf);
        if (equity <= 0) revert NotFundCredit(equity);
        leafUsed[key] = true;
        fundCredit += uint256(equity);
        emit FundPositionCredited(market, uint256(equity), fundCredit);
    }

    /// @notice After the claim window, pays `owner`'s free balance (BALANCE leaf `(free, nonce)`
    ///         under the frozen root) scaled by the escape rate. Anyone may call; `owner` is paid.
    ///         The insurance fund's leaf is not a claim (`InsuranceFundLeaf`).
    function escapeBalance(address owner, uint64 free, uint64 nonce, bytes calldata proof) external {
        _requireWindowClosed();
        bytes32 key = StateKeys.balance(owner);
        if (owner == INSURANCE_FUND) revert InsuranceFundLeaf(key);
        if (leafUsed[key]) revert LeafAlreadyUsed(key);
        _proveBalance(key, free, nonce, proof);
        leafUsed[key] = true;
        uint256 paid = rollup.releaseEscape(owner, scale(free));
        emit BalanceEscaped(owner, free, paid);
    }

    /// @notice After the claim window, pays the equity of `owner`'s isolated position in `market`
    ///         (clamped at zero, valued at the market leaf's mark and funding index) scaled by the
    ///         escape rate; proven by one multi-proof of the position and market leaves. The
    ///         insurance fund's positions are not claims (`InsuranceFundLeaf`).
    function escapePosition(
        address owner,
        uint32 market,
        PositionLeaf calldata position,
        MarketLeaf calldata marketLeaf,
        bytes calldata proof
    ) external {
        _requireWindowClosed();
        bytes32 key = StateKeys.position(owner, market);
        if (owner == INSURANCE_FUND) revert InsuranceFundLeaf(key);
        if (leafUsed[key]) revert LeafAlreadyUsed(key);
        _provePosition(owner, market, position, marketLeaf, proof);
        leafUsed[key] = true;
        int256 equity = equityOf(position, marketLeaf);
        uint256 paid = rollup.releaseEscape(owner, equity > 0 ? scale(uint256(equity)) : 0);
        emit PositionEscaped(owner, market, equity, paid);
    }

    /// @notice What an escape or a post-freeze withdrawal of `amount` pays:
    ///         `amount * pool / (pool + max(0, badDebt - fundCredit))`, rounded down (never more
    ///         than `amount`). Only after the claim window.
    function scale(uint256 amount) public view returns (uint256) {
        _requireWindowClosed();
        uint256 pool = rollup.escapePool();
        uint256 debt = badDebt;
        uint256 credit = fundCredit;
        if (debt <= credit) return amount;
        return amount * pool / (pool + (debt - credit));
    }

    /// @notice After the final deadline (`remainderSweepAt`), sends what is left of the escape
    ///         pool (fund credit the bad debt did not need, fees, rounding dust, unclaimed leaves)
    ///         to the rollup's governance, once. Anyone may call. Claims made later pay nothing.
    function sweepRemainder() external {
        uint256 opensAt = _frozenWindowEnd() + uint256(claimWindow) * SWEEP_DELAY_WINDOWS;
        if (block.timestamp < opensAt) revert SweepNotOpen(opensAt);
        if (remainderSwept) revert RemainderAlreadySwept();
        remainderSwept = true;
        address to = rollup.governance();
        uint256 paid = rollup.releaseEscape(to, rollup.escapeRemaining());
        emit RemainderSwept(to, paid);
    }

    /// @notice When the remainder may be swept (zero while the rollup is not frozen).
    function remainderSweepAt() external view returns (uint256) {
        uint64 frozenAt = rollup.frozenAt();
        return frozenAt == 0 ? 0 : uint256(frozenAt) + uint256(claimWindow) * (1 + uint256(SWEEP_DELAY_WINDOWS));
    }

    /// @notice A position's equity at its market leaf: funding settled
    ///         (`quote - (size/lot) * (F_market - F_position)`), then `+ (size/lot) * mark`.
    function equityOf(PositionLeaf calldata p, MarketLeaf calldata m) public pure returns (int256) {
        if (m.lotSize == 0) return int256(p.quote);
        int256 lots = int256(p.size) / int256(uint256(m.lotSize));
        int256 settled = int256(p.quote) - lots * (int256(m.fundingIndex) - int256(p.fundingIndex));
        return settled + lots * int256(uint256(m.markPrice));
    }

    /// @notice When the claim window closes (zero while the rollup is not frozen).
    function claimWindowEnd() external view returns (uint256) {
        uint64 frozenAt = rollup.frozenAt();
        return frozenAt == 0 ? 0 : uint256(frozenAt) + claimWindow;
    }

    /// @notice Why `escapeBalance` would revert now, as the error's selector (zero: it would pay).
    function checkBalanceEscape(address owner, uint64 free, uint64 nonce, bytes calldata proof)
        external
        view
        returns (bytes4)
    {
        uint64 frozenAt = rollup.frozenAt();
        if (frozenAt == 0) return NotFrozen.selector;
        if (block.timestamp < uint256(frozenAt) + claimWindow) return ClaimWindowOpen.selector;
        if (owner == INSURANCE_FUND) return InsuranceFundLeaf.selector;
        bytes32 key = StateKeys.balance(owner);
        if (leafUsed[key]) return LeafAlreadyUsed.selector;
        bytes32[] memory keys = new bytes32[](1);
        bytes32[] memory hashes = new bytes32[](1);
        keys[0] = key;
        hashes[0] = keccak256(abi.encode(free, nonce));
        if (SparseMerkleProof.verify(rollup.frozenRoot(), keys, hashes, proof) != SparseMerkleProof.ProofError.OK) {
            return InvalidEscapeProof.selector;
        }
        return bytes4(0);
    }

    // ---------------------------------------------------------------- internals

    function _frozenWindowEnd() private view returns (uint256) {
        uint64 frozenAt = rollup.frozenAt();
        if (frozenAt == 0) revert NotFrozen();
        return uint256(frozenAt) + claimWindow;
    }

    function _requireWindowOpen() private view {
        uint256 closesAt = _frozenWindowEnd();
        if (block.timestamp >= closesAt) revert ClaimWindowClosed(closesAt);
    }

    function _proveBalance(bytes32 key, uint64 free, uint64 nonce, bytes calldata proof) private view {
        bytes32[] memory keys = new bytes32[](1);
        bytes32[] memory hashes = new bytes32[](1);
        keys[0] = key;
        hashes[0] = keccak256(abi.encode(free, nonce));
        _verify(keys, hashes, proof);
    }

    function _requireWindowClosed() private view {
        uint256 closesAt = _frozenWindowEnd();
        if (block.timestamp < closesAt) revert ClaimWindowOpen(closesAt);
    }

    function _provePosition(
        address owner,
        uint32 market,
        PositionLeaf calldata position,
        MarketLeaf calldata marketLeaf,
        bytes calldata proof
    ) private view {
        if (marketLeaf.lotSize == 0) revert NoSuchMarket(market);
        bytes32 pk = StateKeys.position(owner, market);
        bytes32 mk = StateKeys.market(market);
        bytes32 ph = keccak256(abi.encode(position));
        bytes32 mh = keccak256(abi.encode(marketLeaf));
        bytes32[] memory keys = new bytes32[](2);
        bytes32[] memory hashes = new bytes32[](2);
        bool positionFirst = uint256(pk) < uint256(mk);
        (keys[0], hashes[0], keys[1], hashes[1]) = positionFirst ? (pk, ph, mk, mh) : (mk, mh, pk, ph);
        _verify(keys, hashes, proof);
    }

    function _verify(bytes32[] memory keys, bytes32[] memory hashes, bytes calldata proof) private view {
        SparseMerkleProof.ProofError e = SparseMerkleProof.verify(rollup.frozenRoot(), keys, hashes, proof);
        if (e != SparseMerkleProof.ProofError.OK) revert InvalidEscapeProof(uint8(e));
    }
}
