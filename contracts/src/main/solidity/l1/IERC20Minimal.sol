// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

/// @notice The ERC-20 calls the rollup makes on its collateral token.
interface IERC20Minimal {
    function transfer(address to, uint256 amount) external returns (bool);
    function transferFrom(address from, address to, uint256 amount) external returns (bool);
    function balanceOf(address account) external view returns (uint256);
}
