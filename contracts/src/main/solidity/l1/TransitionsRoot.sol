// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

/// @title TransitionsRoot
/// @notice The Merkle root over a batch's transitions (docs/protocol.md section 6): leaves
///         `keccak(encoded transition)`, padded with zero words to the next power of two,
///         node `keccak(left || right)`; one transition: its leaf; no transitions: zero.
library TransitionsRoot {
    /// @notice Folds `leaves` (length n >= 1) into the root. Overwrites `leaves`. The padding
    ///         leaves are zero words, so a missing right child at level i is the root of an
    ///         all-zero subtree of height i (`z_0 = 0`, `z_(i+1) = keccak(z_i || z_i)`).
    function root(bytes32[] memory leaves) internal pure returns (bytes32) {
        uint256 n = leaves.length;
        if (n == 0) return bytes32(0);
        bytes32 zero;
        while (n > 1) {
            uint256 half = (n + 1) / 2;
            for (uint256 i = 0; i < half; i++) {
                bytes32 left = leaves[2 * i];
                bytes32 right = 2 * i + 1 < n ? leaves[2 * i + 1] : zero;
                leaves[i] = _node(left, right);
            }
            zero = _node(zero, zero);
            n = half;
        }
        return leaves[0];
    }

    /// @notice The root reached from `leaf` at `index` with `siblings` bottom-up (bit i of
    ///         `index` set: level i's sibling is on the left).
    function rootFrom(bytes32 leaf, uint256 index, bytes32[] calldata siblings) internal pure returns (bytes32 h) {
        h = leaf;
        for (uint256 i = 0; i < siblings.length; i++) {
            h = (index >> i) & 1 == 1 ? _node(siblings[i], h) : _node(h, siblings[i]);
        }
    }

    /// @notice Levels above the leaves for `count` transitions: ceil(log2(count)).
    function depth(uint256 count) internal pure returns (uint256 d) {
        while ((uint256(1) << d) < count) d++;
    }

    function _node(bytes32 a, bytes32 b) private pure returns (bytes32 h) {
        assembly ("memory-safe") {
            mstore(0x00, a)
            mstore(0x20, b)
            h := keccak256(0x00, 0x40)
        }
    }
}
