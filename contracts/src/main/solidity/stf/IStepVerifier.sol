// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

/// @title IStepVerifier
/// @notice The one-step re-execution of a single transition that the dispute game calls: the
///         Solidity twin of the Java STF (docs/protocol.md sections 4 and 5). It reads no storage;
///         everything it needs arrives as arguments, and the L1 facts it cannot check alone (the
///         priority queue's rolling hash) come back in the result for the caller to compare.
interface IStepVerifier {
    /// @notice L1 facts the step is handed by the dispute game.
    /// @param batchIndex index of the batch the transition belongs to (IOC/FOK orders fill only
    ///        in the batch that posted them).
    /// @param domainSeparator EIP-712 domain separator of the rollup (chain id, rollup address).
    struct Context {
        uint64 batchIndex;
        bytes32 domainSeparator;
    }

    /// @notice What one step did.
    /// @param postRoot state root after the transition; equals the pre-root when `reject != 0`.
    /// @param reject 0 when the transition applied; otherwise its `Reject` code (docs/protocol.md
    ///        section 5; the code MALFORMED for bytes that do not decode). A batch holding a
    ///        rejected or malformed transition is invalid.
    /// @param priorityConsumed true when the transition consumed the priority op at `priorityIndex`.
    /// @param priorityIndex the op's index in the L1 queue (valid when `priorityConsumed`).
    /// @param priorityHash the rolling queue hash after consuming it, which the caller must find
    ///        equal to the L1 queue's rolling hash at `priorityIndex + 1`.
    struct Result {
        bytes32 postRoot;
        uint8 reject;
        bool priorityConsumed;
        uint64 priorityIndex;
        bytes32 priorityHash;
    }

    /// @notice Re-executes one transition against the state committed by `preRoot`.
    /// @dev Reverts (custom error naming the proof error) when the witness does not prove the
    ///      touched leaves under `preRoot`: a bad witness is the prover's mistake, not fraud.
    /// @param preRoot the state root before the transition.
    /// @param transition the transition's encoding (docs/protocol.md section 5).
    /// @param witness the touched leaves' values and one multi-proof, as built by the Java
    ///        witness builder (docs/protocol.md, "Witness").
    /// @param ctx L1 facts for this step.
    function step(bytes32 preRoot, bytes calldata transition, bytes calldata witness, Context calldata ctx)
        external
        view
        returns (Result memory);
}
