// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

/// @title StateKeys
/// @notice The state tree key of every leaf kind: keccak256(abi.encode(uint256 tag, fields...)),
///         identical to Java's `dev.clearline.engine.state.StateKeys` (docs/protocol.md section 2.6).
library StateKeys {
    uint256 internal constant BALANCE = 1;
    uint256 internal constant POSITION = 2;
    uint256 internal constant ORDER = 3;
    uint256 internal constant MARKET = 4;
    uint256 internal constant WITHDRAWAL = 5;
    uint256 internal constant GLOBAL = 6;
    uint256 internal constant ORDER_STATE = 7;

    /// @notice An owner's free collateral.
    function balance(address owner) internal pure returns (bytes32) {
        return keccak256(abi.encode(BALANCE, owner));
    }

    /// @notice An isolated position of `owner` in market `marketId`.
    function position(address owner, uint32 marketId) internal pure returns (bytes32) {
        return keccak256(abi.encode(POSITION, owner, marketId));
    }

    /// @notice What became of an order hash: the short id its PostOrder gave it, or a tombstone.
    function order(bytes32 orderHash) internal pure returns (bytes32) {
        return keccak256(abi.encode(ORDER, orderHash));
    }

    /// @notice A posted order's terms and fills, by its short id (1 .. 2^48 - 1).
    function orderState(uint64 orderId) internal pure returns (bytes32) {
        return keccak256(abi.encode(ORDER_STATE, orderId));
    }

    /// @notice A market's parameters and prices.
    function market(uint32 marketId) internal pure returns (bytes32) {
        return keccak256(abi.encode(MARKET, marketId));
    }

    /// @notice A withdrawal record.
    function withdrawal(uint64 withdrawalId) internal pure returns (bytes32) {
        return keccak256(abi.encode(WITHDRAWAL, withdrawalId));
    }

    /// @notice The global counters leaf.
    function global() internal pure returns (bytes32) {
        return keccak256(abi.encode(GLOBAL));
    }
}
