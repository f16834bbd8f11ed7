// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

// Every revert of the rollup (queue, proposers, batches, withdrawals, freeze), with the offending values.

/// The rollup is frozen (section 8): no deposits, requests, batches or finalization.
error RollupFrozen(uint64 frozenAt);
/// The call needs a frozen rollup.
error RollupNotFrozen();
/// An amount outside (0, 2^63 - 1], the range the STF's u64 fields can hold.
error AmountOutOfRange(uint256 amount, uint256 max);
/// A field of a priority op the transition codec would refuse (u64 >= 2^63, fraction >= 2^31).
error FieldOutOfRange(uint256 value, uint256 max);
/// The ERC-20 refused or returned false.
error TokenTransferFailed(address token, address to, uint256 amount);
/// After a deposit the rollup's token balance is below what it owes its users (`tokenHeld`): the
/// token kept a fee on the transfer or shrank balances, and the deposit would be credited in full.
error CollateralShortfall(uint256 balance, uint256 owed);
/// Only governance may enqueue market configuration.
error NotGovernance(address caller);
/// Only the dispute game may call this.
error NotDisputeGame(address caller);
/// Only the escape hatch may call this.
error NotEscapeHatch(address caller);
/// The caller is already a proposer.
error AlreadyProposer(address proposer);
/// The caller is not a proposer.
error NotProposer(address caller);
/// A bond below the deployment's proposer bond.
error BondTooSmall(uint256 given, uint256 required);
/// Zero value sent where a top-up was expected.
error ZeroTopUp();
/// A batch posted from a contract or inside another call: its transitions would not be the
/// transaction's input, where watchers read them (sender: the poster, origin: the transaction's signer).
error PostedIndirectly(address sender, address origin);
/// The caller's bond does not cover the deployment's proposer bond.
error NotBondedProposer(address caller, uint256 bond, uint256 required);
/// Only the rollup's sequencer may post this batch: another proposer's batch must consume the oldest
/// unconsumed op from `openFrom` (its enqueue time + forceDelay / 2); zero when it consumes none.
error ReservedForSequencer(address sequencer, uint256 openFrom);
/// The proposer's last batch is not final yet.
error LastBatchNotFinal(uint64 batchIndex, uint64 finalizedCount);
/// A batch index other than the next one.
error WrongBatchIndex(uint64 expected, uint64 given);
/// The batch does not start at the current tip.
error WrongPrevStateRoot(bytes32 expected, bytes32 given);
/// A batch with no transitions.
error EmptyBatch();
/// More transitions than the deployment allows in one batch.
error TooManyTransitions(uint256 max);
/// An unknown type byte in the calldata.
error UnknownTransitionType(uint256 offset, uint8 transitionType);
/// The calldata ends inside a transition.
error TruncatedTransition(uint256 offset, uint256 needed, uint256 available);
/// The header's transition count differs from the calldata's.
error TransitionCountMismatch(uint32 computed, uint32 given);
/// The header's transitions root differs from the calldata's.
error TransitionsRootMismatch(bytes32 computed, bytes32 given);
/// A priority transition names another queue index than the next unconsumed one.
error PriorityIndexMismatch(uint256 offset, uint64 expected, uint64 given);
/// The header's priorityOpsConsumed differs from the count the calldata consumes.
error PriorityCountMismatch(uint64 computed, uint64 given);
/// The batch consumes ops the queue does not hold yet.
error PriorityOpsNotQueued(uint64 consumed, uint64 queueLength);
/// The priority transitions do not reproduce the queue's rolling hash.
error PriorityHashMismatch(uint64 index, bytes32 expected, bytes32 computed);
/// No batch is ready to finalize.
error NothingToFinalize(uint64 nextToFinalize);
/// The batch is not final.
error BatchNotFinal(uint64 batchIndex, uint64 finalizedCount);
/// The withdrawal id was claimed before.
error WithdrawalAlreadyClaimed(uint64 withdrawalId);
/// The proof does not show the leaf under the root (code: SparseMerkleProof.ProofError).
error InvalidLeafProof(uint8 code);
/// The rollup is frozen already.
error AlreadyFrozen(uint64 frozenAt);
/// Every queued op is consumed by the tip.
error NoUnconsumedOp(uint64 consumed, uint64 queueLength);
/// The bytes given are not the queue entry at `index`.
error QueueEntryMismatch(uint64 index);
/// The oldest unconsumed op is not past its deadline.
error NotOverdue(uint64 index, uint256 deadline, uint256 nowTs);
/// The deposit was consumed by the frozen state (escape its balance instead).
error DepositWasConsumed(uint64 index, uint64 frozenConsumed);
/// The queue entry is not a deposit or was refunded before.
error NotRefundable(uint64 index);
/// Nothing is owed to the caller.
error NothingToWithdraw(address account);
/// Sending ether failed.
error EthTransferFailed(address to, uint256 amount);
/// A constructor parameter out of its range.
error BadParameter(string name);
