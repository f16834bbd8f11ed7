// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

/// @title IRollup
/// @notice What the dispute game and the escape hatch ask of the rollup.
interface IRollup {
    /// @notice A stored batch. `submissionId` tells a batch apart from a later one at the same index.
    struct Batch {
        bytes32 headerHash;
        bytes32 postStateRoot;
        address proposer;
        uint64 submittedAt;
        uint32 openDisputes;
        uint64 priorityOpsConsumed;
        uint64 submissionId;
        uint128 depositsConsumed;
    }

    function batch(uint64 batchIndex) external view returns (Batch memory);
    function nextBatchIndex() external view returns (uint64);
    function finalizedCount() external view returns (uint64);
    function challengePeriod() external view returns (uint64);
    function queueHashAt(uint64 count) external view returns (bytes32);
    function domainSeparator() external view returns (bytes32);
    function frozenAt() external view returns (uint64);
    function frozenRoot() external view returns (bytes32);
    function escapePool() external view returns (uint256);
    function escapeRemaining() external view returns (uint256);
    function governance() external view returns (address);
    function isLive(uint64 batchIndex, uint64 submissionId) external view returns (bool);
    function noteDispute(uint64 batchIndex, uint64 submissionId, bool opened) external;
    function rejectBatch(uint64 batchIndex, uint64 submissionId, address challenger) external;
    function releaseEscape(address to, uint256 amount) external returns (uint256 paid);
}

/// @notice The escape hatch's payout rate, which the rollup applies to withdrawals claimed after a freeze.
interface IEscapeRate {
    function scale(uint256 amount) external view returns (uint256);
}
