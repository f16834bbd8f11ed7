// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {IStepVerifier} from "../stf/IStepVerifier.sol";

/// @notice Test-only one-step verifier over a toy state: root = keccak(abi.encode(chain,
///         consumed, priorityHash)), witness = that preimage. A priority op (types 1-4) must carry
///         the next queue index (else reject 25) and folds the rolling hash; any transition whose
///         last byte is 0xEE is rejected (code 27); every applied transition extends `chain`.
contract ToyStepVerifier is IStepVerifier {
    error BadWitness(bytes32 preRoot, bytes32 witnessRoot);

    function step(bytes32 preRoot, bytes calldata transition, bytes calldata witness, Context calldata)
        external
        pure
        returns (Result memory r)
    {
        if (keccak256(witness) != preRoot) revert BadWitness(preRoot, keccak256(witness));
        (bytes32 chain, uint64 consumed, bytes32 ph) = abi.decode(witness, (bytes32, uint64, bytes32));
        r.postRoot = preRoot;
        uint8 t = uint8(transition[0]);
        if (uint8(transition[transition.length - 1]) == 0xEE) {
            r.reject = 27;
            return r;
        }
        if (t >= 1 && t <= 4) {
            uint64 index = uint64(bytes8(transition[1:9]));
            if (index != consumed) {
                r.reject = 25;
                return r;
            }
            ph = keccak256(abi.encodePacked(ph, keccak256(transition)));
            consumed += 1;
            r.priorityConsumed = true;
            r.priorityIndex = index;
            r.priorityHash = ph;
        }
        chain = keccak256(abi.encodePacked(chain, keccak256(transition)));
        r.postRoot = keccak256(abi.encode(chain, consumed, ph));
    }
}
