// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

/// @notice Test-only actor that proposes, challenges and withdraws, and on receiving ether
///         calls the payer back once (reentrancy on ether payouts), or refuses it when told to.
contract EthReentrant {
    address public immutable payer;
    bytes public reentry;
    bool public reentrySucceeded;
    bool public refuses;
    bool private _inside;

    error RefusesEther();

    constructor(address payer_) {
        payer = payer_;
    }

    function act(address target, uint256 value, bytes calldata data) external returns (bytes memory) {
        (bool ok, bytes memory ret) = target.call{value: value}(data);
        if (!ok) {
            assembly {
                revert(add(ret, 32), mload(ret))
            }
        }
        return ret;
    }

    function setReentry(bytes calldata data) external {
        reentry = data;
    }

    function setRefuses(bool refuses_) external {
        refuses = refuses_;
    }

    receive() external payable {
        if (refuses) revert RefusesEther();
        if (!_inside && reentry.length != 0) {
            _inside = true;
            (bool ok,) = payer.call(reentry);
            reentrySucceeded = ok;
            _inside = false;
        }
    }
}
