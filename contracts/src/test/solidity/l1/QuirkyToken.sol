// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

/// @notice Test-only collateral with the quirks of real tokens the rollup must survive: in mode
///         NO_RETURN its transfers return nothing (older tokens), in mode RETURNS_FALSE they move
///         nothing and return false instead of reverting, in mode REFUSES_ZERO a transfer of zero
///         reverts (some tokens do), in mode FEE_ON_TRANSFER a transferFrom burns 1% (at least one
///         unit) of what it moves, as a token whose fee switch was turned on.
contract QuirkyToken {
    uint8 public constant STANDARD = 0;
    uint8 public constant NO_RETURN = 1;
    uint8 public constant RETURNS_FALSE = 2;
    uint8 public constant REFUSES_ZERO = 3;
    uint8 public constant FEE_ON_TRANSFER = 4;

    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;
    uint8 public mode;

    function setMode(uint8 mode_) external {
        mode = mode_;
    }

    function mint(address to, uint256 amount) external {
        balanceOf[to] += amount;
    }

    function approve(address spender, uint256 amount) external returns (bool) {
        allowance[msg.sender][spender] = amount;
        return true;
    }

    function transfer(address to, uint256 amount) external {
        if (mode == RETURNS_FALSE) _returnFalse();
        require(mode != REFUSES_ZERO || amount != 0, "zero");
        require(balanceOf[msg.sender] >= amount, "balance");
        balanceOf[msg.sender] -= amount;
        balanceOf[to] += amount;
        _returnTrueUnlessNoReturn();
    }

    function transferFrom(address from, address to, uint256 amount) external {
        if (mode == RETURNS_FALSE) _returnFalse();
        require(mode != REFUSES_ZERO || amount != 0, "zero");
        require(balanceOf[from] >= amount && allowance[from][msg.sender] >= amount, "allowance");
        allowance[from][msg.sender] -= amount;
        balanceOf[from] -= amount;
        uint256 fee = mode == FEE_ON_TRANSFER ? amount / 100 + 1 : 0;
        balanceOf[to] += amount - fee;
        _returnTrueUnlessNoReturn();
    }

    function _returnFalse() private pure {
        assembly {
            mstore(0, 0)
            return(0, 32)
        }
    }

    function _returnTrueUnlessNoReturn() private view {
        if (mode == NO_RETURN) {
            assembly {
                return(0, 0)
            }
        }
        assembly {
            mstore(0, 1)
            return(0, 32)
        }
    }
}
