// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {SparseMerkleProof} from "./SparseMerkleProof.sol";

/// @title SparseMerkleProofHarness
/// @notice Exposes the `SparseMerkleProof` library's internal functions so the conformance suite
///         can run them in the embedded EVM and measure their gas. Holds no state; not deployed
///         by the rollup.
contract SparseMerkleProofHarness {
    /// @notice `SparseMerkleProof.verify`; returns the error code (0 = the proof holds).
    /// @param root the expected root
    /// @param keys strictly ascending keys
    /// @param valueHashes keccak256 of each key's value, zero to claim absence
    /// @param proof the compressed proof
    function verify(bytes32 root, bytes32[] calldata keys, bytes32[] calldata valueHashes, bytes calldata proof)
        external
        pure
        returns (uint8)
    {
        return uint8(SparseMerkleProof.verify(root, keys, valueHashes, proof));
    }

    /// @notice `SparseMerkleProof.update`; returns the error code and the root after the new values.
    /// @param root the expected root before the update
    /// @param keys strictly ascending keys
    /// @param oldValueHashes the claimed values before (zero = absent)
    /// @param newValueHashes the values after (zero is not allowed where a value existed)
    /// @param proof the compressed proof of the old claims
    function update(
        bytes32 root,
        bytes32[] calldata keys,
        bytes32[] calldata oldValueHashes,
        bytes32[] calldata newValueHashes,
        bytes calldata proof
    ) external pure returns (uint8, bytes32) {
        (SparseMerkleProof.ProofError e, bytes32 newRoot) =
            SparseMerkleProof.update(root, keys, oldValueHashes, newValueHashes, proof);
        return (uint8(e), newRoot);
    }

    /// @notice `SparseMerkleProof.requireValid`: reverts with `InvalidProof(code)` unless the proof holds.
    /// @param root the expected root
    /// @param keys strictly ascending keys
    /// @param valueHashes keccak256 of each key's value, zero to claim absence
    /// @param proof the compressed proof
    function requireValid(bytes32 root, bytes32[] calldata keys, bytes32[] calldata valueHashes, bytes calldata proof)
        external
        pure
    {
        SparseMerkleProof.requireValid(root, keys, valueHashes, proof);
    }
}
