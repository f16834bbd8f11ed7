// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {IStepVerifier} from "./IStepVerifier.sol";
import {Reject} from "./Reject.sol";
import {State, Witness} from "./Witness.sol";

/// @title StepFamily
/// @notice What every per-family step contract shares: the result of a rule, with the witness
///         checked (and the root updated) by one multi-proof. A family handles some transition
///         types; `StepVerifier` routes each type to its family, so no bytecode passes 24 KiB.
abstract contract StepFamily is IStepVerifier {
    /// @notice The dispatcher sent a type this family does not execute.
    error NotThisFamily(uint8 transitionType);

    /// @notice The result of a transition whose bytes do not decode: nothing read, nothing written.
    function _malformed(bytes32 preRoot) internal pure returns (Result memory res) {
        res.postRoot = preRoot;
        res.reject = uint8(Reject.MALFORMED);
    }

    /// @notice The rule's verdict, with the post-root after its writes (or the pre-root when it
    ///         rejected); reverts unless the witness is proven under `preRoot`.
    function _result(State memory s, bytes32 preRoot, Reject r) internal pure returns (Result memory res) {
        res.reject = uint8(r);
        res.postRoot = Witness.finish(s, preRoot, r == Reject.None);
    }
}
