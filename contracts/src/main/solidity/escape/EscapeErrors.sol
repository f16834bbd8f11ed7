// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

// Every revert of the escape hatch, with the offending values.

/// The rollup is not frozen: escapes open only after `freeze()`.
error NotFrozen();
/// Escapes pay only after the claim window closes (bad debt is reported during it).
error ClaimWindowOpen(uint256 closesAt);
/// Bad debt is reported only during the claim window.
error ClaimWindowClosed(uint256 closedAt);
/// The leaf was escaped or reported before.
error LeafAlreadyUsed(bytes32 key);
/// The leaves are not proven under the frozen root (code: SparseMerkleProof.ProofError).
error InvalidEscapeProof(uint8 code);
/// The position's equity is not negative: there is no bad debt to report.
error NotBadDebt(int256 equity);
/// The market leaf has lot size zero (no such market).
error NoSuchMarket(uint32 market);
/// Only the rollup's own payout path may be used.
error BadHatchParameter(string name);
/// The leaf belongs to the insurance fund: it is reported as fund credit, never escaped as a claim.
error InsuranceFundLeaf(bytes32 key);
/// The insurance fund's position has no positive equity: there is no fund credit to report.
error NotFundCredit(int256 equity);
/// The remainder is swept only after the final deadline.
error SweepNotOpen(uint256 opensAt);
/// The remainder was swept before.
error RemainderAlreadySwept();
