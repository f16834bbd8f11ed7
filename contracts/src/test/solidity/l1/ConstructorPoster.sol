// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

/// @notice Test-only poster that calls the rollup from its constructor: a contract that has no
///         code yet while it runs, so only the origin check tells its call from a direct one.
contract ConstructorPoster {
    constructor(address rollup, bytes memory post) {
        (bool ok, bytes memory ret) = rollup.call(post);
        if (!ok) {
            assembly {
                revert(add(ret, 32), mload(ret))
            }
        }
    }
}
