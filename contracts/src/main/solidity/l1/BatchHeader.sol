// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

/// @title BatchHeader
/// @notice The header of a batch and its one encoding (docs/protocol.md section 6, "Header
///         encoding"): 116 bytes, `abi.encodePacked(uint64 batchIndex, bytes32 prevStateRoot,
///         bytes32 postStateRoot, uint32 transitionCount, bytes32 transitionsRoot,
///         uint64 priorityOpsConsumed)`; the header hash is keccak256 of those bytes.
struct BatchHeader {
    uint64 batchIndex;
    bytes32 prevStateRoot;
    bytes32 postStateRoot;
    uint32 transitionCount;
    bytes32 transitionsRoot;
    uint64 priorityOpsConsumed;
}

library BatchHeaderCodec {
    /// @notice The 116-byte encoding of `h`.
    function encode(BatchHeader memory h) internal pure returns (bytes memory) {
        return abi.encodePacked(
            h.batchIndex, h.prevStateRoot, h.postStateRoot, h.transitionCount, h.transitionsRoot, h.priorityOpsConsumed
        );
    }

    /// @notice keccak256 of the encoding: what the rollup stores and the dispute game checks.
    function hash(BatchHeader memory h) internal pure returns (bytes32) {
        return keccak256(encode(h));
    }
}
