// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {StateKeys} from "../state/StateKeys.sol";

/// @title StateKeysHarness
/// @notice Exposes the `StateKeys` library so the conformance suite can compare it with Java's
///         `StateKeys` in the embedded EVM. Holds no state; not deployed by the rollup.
contract StateKeysHarness {
    /// @notice `StateKeys.balance(owner)`.
    /// @param owner the account
    function balance(address owner) external pure returns (bytes32) {
        return StateKeys.balance(owner);
    }

    /// @notice `StateKeys.position(owner, marketId)`.
    /// @param owner the account
    /// @param marketId the market
    function position(address owner, uint32 marketId) external pure returns (bytes32) {
        return StateKeys.position(owner, marketId);
    }

    /// @notice `StateKeys.order(orderHash)`.
    /// @param orderHash the EIP-712 hash of the order
    function order(bytes32 orderHash) external pure returns (bytes32) {
        return StateKeys.order(orderHash);
    }

    /// @notice `StateKeys.orderState(orderId)`.
    /// @param orderId the short id the order's PostOrder gave it
    function orderState(uint64 orderId) external pure returns (bytes32) {
        return StateKeys.orderState(orderId);
    }

    /// @notice `StateKeys.market(marketId)`.
    /// @param marketId the market
    function market(uint32 marketId) external pure returns (bytes32) {
        return StateKeys.market(marketId);
    }

    /// @notice `StateKeys.withdrawal(withdrawalId)`.
    /// @param withdrawalId the withdrawal
    function withdrawal(uint64 withdrawalId) external pure returns (bytes32) {
        return StateKeys.withdrawal(withdrawalId);
    }

    /// @notice `StateKeys.global()`.
    function global() external pure returns (bytes32) {
        return StateKeys.global();
    }
}
