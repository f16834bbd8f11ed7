// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

// Every revert of the dispute game, with the offending values.

/// The header given does not hash to the batch's stored header.
error HeaderMismatch(uint64 batchIndex, bytes32 stored, bytes32 given);
/// The batch is final, rejected, replaced, frozen or past its challenge period.
error NotChallengeable(uint64 batchIndex, uint64 submissionId);
/// The challenge period of the batch is over.
error ChallengePeriodOver(uint64 batchIndex, uint256 endedAt);
/// The ether sent is not exactly the challenge bond.
error WrongBond(uint256 given, uint256 required);
/// No such game, or it is over.
error GameNotActive(uint256 gameId);
/// The sender is not the side whose turn it is.
error NotYourTurn(uint256 gameId, address caller, address expected);
/// The side to move ran out of time.
error ClockExpired(uint256 gameId, uint8 side);
/// The side to move still has time.
error ClockNotExpired(uint256 gameId, uint256 secondsLeft);
/// The move does not fit the game's phase (bisect on a single step, one-step on a segment).
error WrongPhase(uint256 gameId, uint32 segmentLength);
/// A dissection with the wrong number of roots.
error WrongRootCount(uint256 expected, uint256 given);
/// The roots repeated by the challenger are not the ones the proposer posted.
error RootsMismatch(bytes32 committed, bytes32 given);
/// A segment index outside the dissection.
error SegmentOutOfRange(uint256 segment, uint256 parts);
/// The transition is not the one at the disputed index of the batch.
error NotInBatch(uint32 index, bytes32 transitionsRoot, bytes32 computed);
/// The inclusion proof has the wrong number of levels for the batch.
error WrongProofDepth(uint256 expected, uint256 given);
/// The game's batch is still live: it cannot be settled as obsolete.
error StillLive(uint256 gameId);
/// Nothing is owed to the caller.
error NoCredit(address account);
/// Sending ether failed.
error PayoutFailed(address to, uint256 amount);
/// A constructor parameter out of its range.
error BadGameParameter(string name);
