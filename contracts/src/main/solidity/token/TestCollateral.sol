// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

/// @title TestCollateral
/// @notice A USDC-like ERC-20 (6 decimals) that the devnet deploys as the collateral token.
/// @dev Minting is restricted to one minter fixed at construction (the devnet's deployer key),
///      so test balances only appear where a deployment script put them. Not for production:
///      the minter can mint without limit. Allowances of `type(uint256).max` are never
///      decreased, as with most production tokens, so the rollup can be approved once.
contract TestCollateral {
    /// @notice Thrown when `account` tries to move more than it holds.
    error InsufficientBalance(address account, uint256 balance, uint256 needed);
    /// @notice Thrown when `spender` tries to move more than it was approved for.
    error InsufficientAllowance(address spender, uint256 allowance, uint256 needed);
    /// @notice Thrown when someone other than the minter calls `mint`.
    error NotMinter(address caller);
    /// @notice Thrown when tokens would be sent to, or approved for, the zero address.
    error ZeroAddress();

    /// @notice Emitted on every balance change; `from` is zero for a mint.
    event Transfer(address indexed from, address indexed to, uint256 value);
    /// @notice Emitted when `owner` sets `spender`'s allowance to `value`.
    event Approval(address indexed owner, address indexed spender, uint256 value);

    /// @notice ERC-20 metadata: the token's name.
    string public constant name = "Clearline Test USD";
    /// @notice ERC-20 metadata: the token's ticker.
    string public constant symbol = "tUSD";
    /// @notice ERC-20 metadata: amounts are in millionths of a token, like USDC.
    uint8 public constant decimals = 6;

    /// @notice The only account allowed to mint.
    address public immutable minter;

    /// @notice Sum of all balances.
    uint256 public totalSupply;
    /// @notice Tokens held by each account.
    mapping(address account => uint256) public balanceOf;
    /// @notice How much `spender` may still move out of `owner`'s balance.
    mapping(address owner => mapping(address spender => uint256)) public allowance;

    /// @param minter_ The account allowed to mint; must not be zero.
    constructor(address minter_) {
        if (minter_ == address(0)) revert ZeroAddress();
        minter = minter_;
    }

    /// @notice Creates `value` tokens for `to`. Only the minter may call this.
    /// @param to Receiver of the new tokens; must not be zero.
    /// @param value Amount in the token's smallest unit (6 decimals).
    function mint(address to, uint256 value) external {
        if (msg.sender != minter) revert NotMinter(msg.sender);
        if (to == address(0)) revert ZeroAddress();
        totalSupply += value;
        // Cannot overflow: every balance is at most totalSupply, which was checked above.
        unchecked {
            balanceOf[to] += value;
        }
        emit Transfer(address(0), to, value);
    }

    /// @notice Moves `value` tokens from the caller to `to`.
    /// @return Always true; failures revert with a custom error.
    function transfer(address to, uint256 value) external returns (bool) {
        _move(msg.sender, to, value);
        return true;
    }

    /// @notice Lets `spender` move up to `value` of the caller's tokens.
    /// @return Always true; failures revert with a custom error.
    function approve(address spender, uint256 value) external returns (bool) {
        if (spender == address(0)) revert ZeroAddress();
        allowance[msg.sender][spender] = value;
        emit Approval(msg.sender, spender, value);
        return true;
    }

    /// @notice Moves `value` tokens from `from` to `to` using the caller's allowance from `from`.
    /// @return Always true; failures revert with a custom error.
    function transferFrom(address from, address to, uint256 value) external returns (bool) {
        uint256 allowed = allowance[from][msg.sender];
        if (allowed != type(uint256).max) {
            if (allowed < value) revert InsufficientAllowance(msg.sender, allowed, value);
            unchecked {
                allowance[from][msg.sender] = allowed - value;
            }
        }
        _move(from, to, value);
        return true;
    }

    function _move(address from, address to, uint256 value) private {
        if (to == address(0)) revert ZeroAddress();
        uint256 balance = balanceOf[from];
        if (balance < value) revert InsufficientBalance(from, balance, value);
        // Cannot overflow or underflow: checked above, and the sum of balances is totalSupply.
        unchecked {
            balanceOf[from] = balance - value;
            balanceOf[to] += value;
        }
        emit Transfer(from, to, value);
    }
}
