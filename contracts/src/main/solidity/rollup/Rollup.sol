// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {SparseMerkleProof} from "../tree/SparseMerkleProof.sol";
import {StateKeys} from "../state/StateKeys.sol";
import {BatchHeader, BatchHeaderCodec} from "../l1/BatchHeader.sol";
import {TransitionLayout} from "../l1/TransitionLayout.sol";
import {TransitionsRoot} from "../l1/TransitionsRoot.sol";
import {IERC20Minimal} from "../l1/IERC20Minimal.sol";
import {IRollup, IEscapeRate} from "./IRollup.sol";
import "./RollupErrors.sol";

/// @title Rollup
/// @notice Clearline's L1 rollup: the priority queue (deposits, forced requests, market
///         configuration), bonded proposers, batches and their finalization, withdrawal claims
///         against finalized roots, and the freeze that opens the escape hatch
///         (docs/protocol.md sections 6 to 8).
/// @dev Holds the collateral token; the dispute game rejects batches and the escape hatch pays
///      escapes through the two calls reserved to them. Ether bonds and rewards leave by pull.
contract Rollup is IRollup {
    using BatchHeaderCodec for BatchHeader;

    /// Largest amount a u64 field of the STF holds (Java longs): 2^63 - 1.
    uint256 internal constant MAX_U63 = (uint256(1) << 63) - 1;
    /// Largest MarketConfig fraction the codec accepts: 2^31 - 1.
    uint256 internal constant MAX_U31 = (uint256(1) << 31) - 1;

    IERC20Minimal public immutable token;
    address public immutable governance;
    address public immutable disputeGame;
    address public immutable escapeHatch;
    uint64 public immutable challengePeriod;
    uint64 public immutable forceDelay;
    uint256 public immutable proposerBond;
    uint256 public immutable slashBurnPercent;
    uint256 public immutable maxTransitions;
    bytes32 public immutable genesisRoot;
    bytes32 public immutable domainSeparator;

    struct Proposer {
        uint128 bond;
        uint64 lastBatch;
        bool active;
        bool hasBatch;
    }

    mapping(uint64 => Batch) internal _batches;
    uint64 public nextBatchIndex;
    uint64 public finalizedCount;
    uint64 public submissions;
    uint64 public queueLength;
    /// @notice The L1 block this rollup was deployed in: none of its events is older, so a reader
    ///         of its history (a watcher, an escape without the deployment manifest) starts here
    ///         rather than at genesis, which a hosted RPC's log caps make slow.
    /// @dev In storage, not an immutable: code holding the block number could not be predicted by
    ///      the deployer's check that an address holds what the constructor returns.
    ///      Its own slot, after the four counters that share the hot one.
    uint64 public deploymentBlock;
    /// @notice The operator whose batches the rollup takes first: another bonded proposer may post
    ///         only a batch consuming an op that has waited `forceDelay / 2`, when the operator is
    ///         failing its users. Zero leaves posting open to every bonded proposer.
    /// @dev Without it any bonded address could post a valid batch before the operator (consuming a
    ///      free forced request), the operator's next batch would no longer chain on the tip, and its
    ///      sequencer, whose acknowledged trades cannot be re-ordered, could post nothing more.
    address public sequencer;
    /// Rolling queue hash after the first `i` ops (`_queueHash[0] == 0`).
    mapping(uint64 => bytes32) internal _queueHash;
    /// Sum of every deposit ever enqueued.
    uint128 public totalDeposited;
    /// Tokens the rollup owes someone (deposits in, withdrawals, refunds and escapes out).
    uint256 public tokenHeld;
    mapping(address => Proposer) public proposers;
    mapping(address => uint256) public ethCredit;
    /// Slashed ether nobody can ever withdraw.
    uint256 public burnt;
    mapping(uint256 => uint256) internal _claimedWithdrawals;
    mapping(uint256 => uint256) internal _refunded;

    uint64 public frozenAt;
    uint64 public frozenConsumed;
    /// When the last rejection rewound the tip: the ops it made unconsumed again count their wait
    /// for another proposer from here, so a rejected honest batch (a defender that missed its clock)
    /// does not hand the next one to whoever posts first. Packed with the two above.
    uint64 internal _rewoundAt;
    bytes32 public frozenRoot;
    /// Tokens backing the frozen state's claims (all held tokens minus unconsumed deposits).
    uint256 public escapePool;
    /// What is left of `escapePool` for escapes and post-freeze withdrawals; never below zero, so
    /// refunds of unconsumed deposits stay covered whatever the escapes claim.
    uint256 public escapeRemaining;

    event PriorityOpEnqueued(
        uint64 indexed index, uint8 indexed kind, address indexed sender, bytes encoding, bytes32 rollingHash
    );
    event SequencerChanged(address indexed previous, address indexed sequencer);
    event ProposerJoined(address indexed proposer, uint256 bond);
    event BondToppedUp(address indexed proposer, uint256 added, uint256 bond);
    event ProposerLeft(address indexed proposer, uint256 bondReturned);
    event BatchSubmitted(
        uint64 indexed batchIndex,
        address indexed proposer,
        bytes32 headerHash,
        bytes32 postStateRoot,
        uint32 transitionCount,
        uint64 priorityOpsConsumed,
        uint64 submissionId
    );
    event BatchFinalized(uint64 indexed batchIndex, bytes32 postStateRoot);
    event DisputesOpen(uint64 indexed batchIndex, uint64 submissionId, uint32 openDisputes);
    event BatchesRejected(
        uint64 indexed fromIndex, uint64 previousNext, address indexed proposer, address indexed challenger,
        uint256 reward, uint256 burnt
    );
    event WithdrawalClaimed(uint64 indexed withdrawalId, address indexed recipient, uint64 amount, uint256 paid);
    event EthCredited(address indexed account, uint256 amount);
    event EthWithdrawn(address indexed account, uint256 amount);
    event Frozen(uint64 overdueIndex, bytes32 frozenRoot, uint64 finalizedCount, uint256 escapePool);
    event DepositRefunded(uint64 indexed index, address indexed owner, uint64 amount);
    event EscapePaid(address indexed to, uint256 amount);

    /// @param token_ the ERC-20 collateral (standard: no fee on transfer, no rebasing).
    /// @param governance_ the only sender of market configuration ops.
    /// @param disputeGame_ the dispute game allowed to reject batches.
    /// @param escapeHatch_ the escape hatch allowed to pay escapes.
    /// @param challengePeriod_ seconds a batch stays open to challenges.
    /// @param forceDelay_ seconds a priority op may wait before anyone may freeze.
    /// @param proposerBond_ ether (wei) a proposer must keep bonded to post batches.
    /// @param slashBurnPercent_ share of a slashed bond burnt (the rest goes to the challenger), 1..100.
    /// @param maxTransitions_ most transitions in one batch.
    /// @param genesisRoot_ the state root before the first batch.
    /// @param sequencer_ the operator's posting address (see `sequencer`); zero for open posting.
    constructor(
        address token_,
        address governance_,
        address disputeGame_,
        address escapeHatch_,
        uint64 challengePeriod_,
        uint64 forceDelay_,
        uint256 proposerBond_,
        uint256 slashBurnPercent_,
        uint256 maxTransitions_,
        bytes32 genesisRoot_,
        address sequencer_
    ) {
        if (token_ == address(0)) revert BadParameter("token");
        // no governance: no market could ever be listed, and the escape remainder never swept
        if (governance_ == address(0)) revert BadParameter("governance");
        if (challengePeriod_ == 0) revert BadParameter("challengePeriod");
        if (forceDelay_ == 0) revert BadParameter("forceDelay");
        if (proposerBond_ == 0) revert BadParameter("proposerBond");
        if (slashBurnPercent_ == 0 || slashBurnPercent_ > 100) revert BadParameter("slashBurnPercent");
        if (maxTransitions_ == 0 || maxTransitions_ > type(uint32).max) revert BadParameter("maxTransitions");
        token = IERC20Minimal(token_);
        governance = governance_;
        disputeGame = disputeGame_;
        escapeHatch = escapeHatch_;
        challengePeriod = challengePeriod_;
        forceDelay = forceDelay_;
        proposerBond = proposerBond_;
        slashBurnPercent = slashBurnPercent_;
        maxTransitions = maxTransitions_;
        genesisRoot = genesisRoot_;
        deploymentBlock = uint64(block.number);
        sequencer = sequencer_;
        emit SequencerChanged(address(0), sequencer_);
        domainSeparator = keccak256(
            abi.encode(
                keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                keccak256("Clearline"),
                keccak256("1"),
                block.chainid,
                address(this)
            )
        );
    }

    // ---------------------------------------------------------------- priority queue

    /// @notice Deposits `amount` collateral for the sender: pulls the tokens and enqueues a
    ///         Deposit op (type 1) that the next batches must consume. Refused
    ///         (`CollateralShortfall`) when the rollup then holds fewer tokens than it owes, as
    ///         after a token's fee on transfer.
    /// @param amount token units (1e-6), 1 .. 2^63 - 1.
    function deposit(uint256 amount) external {
        _requireLive();
        if (amount == 0 || amount > MAX_U63) revert AmountOutOfRange(amount, MAX_U63);
        uint64 index = queueLength;
        totalDeposited += uint128(amount);
        tokenHeld += amount;
        _enqueue(abi.encodePacked(TransitionLayout.DEPOSIT, index, uint64(block.timestamp), msg.sender, uint64(amount)));
        _pullTokens(msg.sender, amount);
        // A token that keeps a fee on the transfer (USDT has the switch) delivers less than the op
        // credits; every claim is paid from `tokenHeld`, so refuse what would leave it uncovered.
        uint256 balance = token.balanceOf(address(this));
        if (balance < tokenHeld) revert CollateralShortfall(balance, tokenHeld);
    }

    /// @notice Asks L2 to withdraw `amount` of the sender's free balance (a ForcedWithdrawal op);
    ///         the STF pays it into a withdrawal leaf if the balance suffices, else records a rejection.
    function requestForcedWithdrawal(uint256 amount) external {
        _requireLive();
        if (amount == 0 || amount > MAX_U63) revert AmountOutOfRange(amount, MAX_U63);
        _enqueue(
            abi.encodePacked(
                TransitionLayout.FORCED_WITHDRAWAL, queueLength, uint64(block.timestamp), msg.sender, uint64(amount)
            )
        );
    }

    /// @notice Asks L2 to cancel the sender's order `orderHash` (a ForcedCancel op).
    function requestForcedCancel(bytes32 orderHash) external {
        _requireLive();
        _enqueue(
            abi.encodePacked(TransitionLayout.FORCED_CANCEL, queueLength, uint64(block.timestamp), msg.sender, orderHash)
        );
    }

    /// @notice Governance only: creates or changes market `market` (a MarketConfig op). The STF
    ///         validates the values; this only refuses what the transition codec cannot encode.
    function configureMarket(
        uint32 market,
        uint64 tickSize,
        uint64 lotSize,
        uint32 imfPpm,
        uint32 mmfPpm,
        uint32 makerFeePpm,
        uint32 takerFeePpm,
        uint32 liquidationFeePpm,
        address oracle
    ) external {
        _requireLive();
        if (msg.sender != governance) revert NotGovernance(msg.sender);
        if (tickSize > MAX_U63) revert FieldOutOfRange(tickSize, MAX_U63);
        if (lotSize > MAX_U63) revert FieldOutOfRange(lotSize, MAX_U63);
        uint256 maxFraction = imfPpm | mmfPpm | makerFeePpm | takerFeePpm | liquidationFeePpm;
        if (maxFraction > MAX_U31) revert FieldOutOfRange(maxFraction, MAX_U31);
        _enqueue(
            abi.encodePacked(
                TransitionLayout.MARKET_CONFIG,
                queueLength,
                uint64(block.timestamp),
                market,
                tickSize,
                lotSize,
                imfPpm,
                mmfPpm,
                makerFeePpm,
                takerFeePpm,
                liquidationFeePpm,
                oracle
            )
        );
    }

    // ---------------------------------------------------------------- proposers

    /// @notice Governance only: hands the operator's posting priority to `sequencer_` (a new
    ///         operator key), or opens posting to every bonded proposer with zero.
    function setSequencer(address sequencer_) external {
        if (msg.sender != governance) revert NotGovernance(msg.sender);
        emit SequencerChanged(sequencer, sequencer_);
        sequencer = sequencer_;
    }

    /// @notice Becomes a proposer, bonding the ether sent (at least `proposerBond`).
    function joinProposers() external payable {
        if (proposers[msg.sender].active) revert AlreadyProposer(msg.sender);
        if (msg.value < proposerBond) revert BondTooSmall(msg.value, proposerBond);
        proposers[msg.sender] = Proposer({bond: uint128(msg.value), lastBatch: 0, active: true, hasBatch: false});
        emit ProposerJoined(msg.sender, msg.value);
    }

    /// @notice Adds the ether sent to the sender's bond (after a slash, to post again).
    function topUpBond() external payable {
        Proposer storage p = proposers[msg.sender];
        if (!p.active) revert NotProposer(msg.sender);
        if (msg.value == 0) revert ZeroTopUp();
        p.bond += uint128(msg.value);
        emit BondToppedUp(msg.sender, msg.value, p.bond);
    }

    /// @notice Leaves the proposer set once the sender's last batch is final (or was discarded);
    ///         the bond is credited and leaves by `withdrawEth`.
    function leaveProposers() external {
        Proposer memory p = proposers[msg.sender];
        if (!p.active) revert NotProposer(msg.sender);
        // INVARIANT: a bond stays locked while a batch it answers for can still be challenged.
        if (p.hasBatch && frozenAt == 0 && p.lastBatch >= finalizedCount && p.lastBatch < nextBatchIndex) {
            revert LastBatchNotFinal(p.lastBatch, finalizedCount);
        }
        delete proposers[msg.sender];
        _creditEth(msg.sender, p.bond);
        emit ProposerLeft(msg.sender, p.bond);
    }

    /// @notice Sends the sender every wei credited to it (bonds returned, challenge rewards).
    function withdrawEth() external {
        uint256 amount = ethCredit[msg.sender];
        if (amount == 0) revert NothingToWithdraw(msg.sender);
        ethCredit[msg.sender] = 0;
        (bool ok,) = msg.sender.call{value: amount}("");
        if (!ok) revert EthTransferFailed(msg.sender, amount);
        emit EthWithdrawn(msg.sender, amount);
    }

    // ---------------------------------------------------------------- batches

    /// Running totals while scanning a batch's calldata.
    struct Scan {
        uint32 count;
        bytes32 root;
        uint64 nextPriority;
        bytes32 rollingHash;
        uint128 deposits;
        uint64 oldestOpTime;
    }

    /// @notice Posts a batch: its header and the transitions back to back as calldata. The
    ///         contract recomputes the count, the transitions root and the priority ops consumed
    ///         from the calldata, checks them against the header and stores the header's hash
    ///         (docs/protocol.md section 6).
    /// @dev Only a proposer with at least `proposerBond` bonded, from an account without code in
    ///      the transaction's own call: the transitions are then the transaction's input, where
    ///      every watcher reads them. Posted from a contract (a wallet, a relayer, a 7702
    ///      delegation) they would sit inside another call's input, out of reach of a watcher
    ///      without tracing, and a batch nobody can read is one nobody challenges.
    ///      While `sequencer` is set, a batch from any other proposer must consume the oldest
    ///      unconsumed op after it has waited `forceDelay / 2` (`ReservedForSequencer`).
    ///      Reverts on any mismatch.
    function submitBatch(BatchHeader calldata header, bytes calldata transitions) external {
        _requireLive();
        if (msg.sender != tx.origin || msg.sender.code.length != 0) revert PostedIndirectly(msg.sender, tx.origin);
        Proposer storage p = proposers[msg.sender];
        if (!p.active || p.bond < proposerBond) revert NotBondedProposer(msg.sender, p.bond, proposerBond);
        uint64 batchIndex = nextBatchIndex;
        if (header.batchIndex != batchIndex) revert WrongBatchIndex(batchIndex, header.batchIndex);
        (bytes32 tipRoot, uint64 consumedBefore, uint128 depositsBefore) = _tip();
        if (header.prevStateRoot != tipRoot) revert WrongPrevStateRoot(tipRoot, header.prevStateRoot);
        if (transitions.length == 0) revert EmptyBatch();
        Scan memory s = _scan(transitions, consumedBefore);
        if (s.count != header.transitionCount) revert TransitionCountMismatch(s.count, header.transitionCount);
        if (s.root != header.transitionsRoot) revert TransitionsRootMismatch(s.root, header.transitionsRoot);
        if (s.nextPriority != header.priorityOpsConsumed) {
            revert PriorityCountMismatch(s.nextPriority, header.priorityOpsConsumed);
        }
        if (s.nextPriority > queueLength) revert PriorityOpsNotQueued(s.nextPriority, queueLength);
        // INVARIANT: a batch consumes exactly the queued ops, in order, byte for byte.
        if (s.nextPriority > consumedBefore && s.rollingHash != _queueHash[s.nextPriority]) {
            revert PriorityHashMismatch(s.nextPriority, _queueHash[s.nextPriority], s.rollingHash);
        }
        address seq = sequencer;
        if (seq != address(0) && msg.sender != seq) {
            // the first op a batch consumes is the oldest unconsumed one (indices run on from the tip); it waits from
            // its enqueue time, or from the last rewind if that made it unconsumed again
            uint256 since = s.oldestOpTime > _rewoundAt ? s.oldestOpTime : _rewoundAt;
            uint256 openFrom = s.nextPriority > consumedBefore ? since + forceDelay / 2 : 0;
            if (openFrom == 0 || block.timestamp < openFrom) revert ReservedForSequencer(seq, openFrom);
        }

        BatchHeader memory h = header;
        bytes32 headerHash = h.hash();
        uint64 submissionId = ++submissions;
        _batches[batchIndex] = Batch({
            headerHash: headerHash,
            postStateRoot: h.postStateRoot,
            proposer: msg.sender,
            submittedAt: uint64(block.timestamp),
            openDisputes: 0,
            priorityOpsConsumed: h.priorityOpsConsumed,
            submissionId: submissionId,
            depositsConsumed: depositsBefore + s.deposits
        });
        nextBatchIndex = batchIndex + 1;
        p.lastBatch = batchIndex;
        p.hasBatch = true;
        emit BatchSubmitted(
            batchIndex, msg.sender, headerHash, h.postStateRoot, h.transitionCount, h.priorityOpsConsumed, submissionId
        );
    }

    /// @notice Finalizes up to `maxCount` batches in order whose challenge period is over and
    ///         which no dispute holds open. Anyone may call.
    function finalizeBatches(uint64 maxCount) external {
        _requireLive();
        uint64 index = finalizedCount;
        uint64 end = nextBatchIndex;
        uint64 done;
        while (done < maxCount && index < end) {
            Batch storage b = _batches[index];
            if (block.timestamp < uint256(b.submittedAt) + challengePeriod || b.openDisputes != 0) break;
            emit BatchFinalized(index, b.postStateRoot);
            index++;
            done++;
        }
        if (done == 0) revert NothingToFinalize(finalizedCount);
        finalizedCount = index;
    }

    // ---------------------------------------------------------------- withdrawals

    /// @notice Pays withdrawal `withdrawalId` to its recipient, proven by its WITHDRAWAL leaf
    ///         `(recipient, amount)` under the post-state root of finalized batch `batchIndex`.
    ///         Each id once. After a freeze the amount is scaled by the escape rate (docs/protocol.md section 7.5).
    function claimWithdrawal(
        uint64 batchIndex,
        uint64 withdrawalId,
        address recipient,
        uint64 amount,
        bytes calldata proof
    ) external {
        if (batchIndex >= finalizedCount) revert BatchNotFinal(batchIndex, finalizedCount);
        if (withdrawalClaimed(withdrawalId)) revert WithdrawalAlreadyClaimed(withdrawalId);
        _requireLeaf(
            _batches[batchIndex].postStateRoot,
            StateKeys.withdrawal(withdrawalId),
            keccak256(abi.encode(recipient, amount)),
            proof
        );
        uint256 paid = amount;
        if (frozenAt != 0) {
            paid = _fromEscapePool(IEscapeRate(escapeHatch).scale(amount));
        }
        _claimedWithdrawals[withdrawalId >> 8] |= uint256(1) << (withdrawalId & 0xff);
        tokenHeld -= paid;
        _pushTokens(recipient, paid);
        emit WithdrawalClaimed(withdrawalId, recipient, amount, paid);
    }

    /// @notice Why `claimWithdrawal` would revert with these arguments, as the error's selector
    ///         (zero when it would pay). After a freeze a claim is also scaled by the escape rate,
    ///         which the escape hatch refuses until the claim window has closed: not checked here
    ///         (a check would cost the bytes this contract no longer has), ask the hatch.
    function checkWithdrawal(uint64 batchIndex, uint64 withdrawalId, address recipient, uint64 amount, bytes calldata proof)
        external
        view
        returns (bytes4)
    {
        if (batchIndex >= finalizedCount) return BatchNotFinal.selector;
        if (withdrawalClaimed(withdrawalId)) return WithdrawalAlreadyClaimed.selector;
        bytes32[] memory keys = new bytes32[](1);
        bytes32[] memory hashes = new bytes32[](1);
        keys[0] = StateKeys.withdrawal(withdrawalId);
        hashes[0] = keccak256(abi.encode(recipient, amount));
        if (SparseMerkleProof.verify(_batches[batchIndex].postStateRoot, keys, hashes, proof) != SparseMerkleProof.ProofError.OK) {
            return InvalidLeafProof.selector;
        }
        return bytes4(0);
    }

    /// @notice True once withdrawal `withdrawalId` was paid.
    function withdrawalClaimed(uint64 withdrawalId) public view returns (bool) {
        return _claimedWithdrawals[withdrawalId >> 8] & (uint256(1) << (withdrawalId & 0xff)) != 0;
    }

    // ---------------------------------------------------------------- freeze and refunds

    /// @notice Freezes the rollup when the oldest op the tip has not consumed is past its
    ///         deadline (`enqueueTime + forceDelay`). `oldestOp` is that op's encoding (from its
    ///         PriorityOpEnqueued event). From then on the last finalized root is final.
    function freeze(bytes calldata oldestOp) external {
        if (frozenAt != 0) revert AlreadyFrozen(frozenAt);
        (, uint64 consumed,) = _tip();
        if (consumed >= queueLength) revert NoUnconsumedOp(consumed, queueLength);
        if (!_isQueueEntry(consumed, oldestOp)) revert QueueEntryMismatch(consumed);
        uint256 deadline = uint256(uint64(bytes8(oldestOp[9:17]))) + forceDelay;
        if (block.timestamp <= deadline) revert NotOverdue(consumed, deadline, block.timestamp);

        uint64 finalized = finalizedCount;
        Batch storage last = _batches[finalized == 0 ? 0 : finalized - 1];
        bytes32 root = finalized == 0 ? genesisRoot : last.postStateRoot;
        uint64 finalConsumed = finalized == 0 ? 0 : last.priorityOpsConsumed;
        uint128 finalDeposits = finalized == 0 ? 0 : last.depositsConsumed;
        frozenAt = uint64(block.timestamp);
        frozenRoot = root;
        frozenConsumed = finalConsumed;
        escapePool = tokenHeld - (totalDeposited - finalDeposits);
        escapeRemaining = escapePool;
        emit Frozen(consumed, root, finalized, escapePool);
    }

    /// @notice After a freeze, refunds deposit op `index` that the frozen state never consumed
    ///         to its owner; the arguments are the op's fields (its PriorityOpEnqueued event).
    function refundDeposit(uint64 index, uint64 enqueueTime, address owner, uint64 amount) external {
        if (frozenAt == 0) revert RollupNotFrozen();
        if (index < frozenConsumed) revert DepositWasConsumed(index, frozenConsumed);
        if (index >= queueLength || _refunded[index >> 8] & (uint256(1) << (index & 0xff)) != 0) {
            revert NotRefundable(index);
        }
        if (!_isQueueEntry(index, abi.encodePacked(TransitionLayout.DEPOSIT, index, enqueueTime, owner, amount))) {
            revert QueueEntryMismatch(index);
        }
        _refunded[index >> 8] |= uint256(1) << (index & 0xff);
        tokenHeld -= amount;
        _pushTokens(owner, amount);
        emit DepositRefunded(index, owner, amount);
    }

    // ---------------------------------------------------------------- calls of the dispute game and the escape hatch

    /// @notice Dispute game only: one more (`opened`) or one fewer open dispute on a live batch;
    ///         finalization waits while any is open. Ignored for a batch no longer live.
    function noteDispute(uint64 batchIndex, uint64 submissionId, bool opened) external {
        if (msg.sender != disputeGame) revert NotDisputeGame(msg.sender);
        if (!isLive(batchIndex, submissionId)) return;
        Batch storage b = _batches[batchIndex];
        b.openDisputes = opened ? b.openDisputes + 1 : b.openDisputes - 1;
        emit DisputesOpen(batchIndex, submissionId, b.openDisputes);
    }

    /// @notice Dispute game only: batch `batchIndex` was proven wrong. Rejects it and every later
    ///         batch (the tip rewinds to the batch before it) and slashes its proposer's bond:
    ///         `slashBurnPercent` burnt, the rest credited to `challenger`.
    function rejectBatch(uint64 batchIndex, uint64 submissionId, address challenger) external {
        if (msg.sender != disputeGame) revert NotDisputeGame(msg.sender);
        if (!isLive(batchIndex, submissionId)) revert BatchNotFinal(batchIndex, finalizedCount);
        address proposer = _batches[batchIndex].proposer;
        Proposer storage p = proposers[proposer];
        uint256 slashed = p.bond < proposerBond ? p.bond : proposerBond;
        uint256 burn = slashed * slashBurnPercent / 100;
        p.bond -= uint128(slashed);
        burnt += burn;
        uint64 previousNext = nextBatchIndex;
        nextBatchIndex = batchIndex;
        _rewoundAt = uint64(block.timestamp);
        _creditEth(challenger, slashed - burn);
        emit BatchesRejected(batchIndex, previousNext, proposer, challenger, slashed - burn, burn);
    }

    /// @notice Escape hatch only: pays an escape of `amount`, capped at what is left of the
    ///         escape pool. Returns what was paid.
    function releaseEscape(address to, uint256 amount) external returns (uint256 paid) {
        if (msg.sender != escapeHatch) revert NotEscapeHatch(msg.sender);
        paid = _fromEscapePool(amount);
        tokenHeld -= paid;
        _pushTokens(to, paid);
        emit EscapePaid(to, paid);
    }

    // ---------------------------------------------------------------- views

    /// @notice The stored record of batch `batchIndex` (meaningful below `nextBatchIndex`).
    function batch(uint64 batchIndex) external view returns (Batch memory) {
        return _batches[batchIndex];
    }

    /// @notice The rolling queue hash after the first `count` ops.
    function queueHashAt(uint64 count) external view returns (bytes32) {
        return _queueHash[count];
    }

    /// @notice The state root, priority ops consumed and deposits consumed at the tip.
    function tip() external view returns (bytes32 root, uint64 priorityOpsConsumed, uint128 depositsConsumed) {
        return _tip();
    }

    /// @notice True while batch `batchIndex` is the submission `submissionId`, not final, not
    ///         rejected, and the rollup is not frozen: the batch a dispute may still act on.
    function isLive(uint64 batchIndex, uint64 submissionId) public view returns (bool) {
        return frozenAt == 0 && batchIndex >= finalizedCount && batchIndex < nextBatchIndex
            && _batches[batchIndex].submissionId == submissionId;
    }

    // ---------------------------------------------------------------- internals

    function _requireLive() private view {
        if (frozenAt != 0) revert RollupFrozen(frozenAt);
    }

    function _tip() private view returns (bytes32, uint64, uint128) {
        if (nextBatchIndex == 0) return (genesisRoot, 0, 0);
        Batch storage b = _batches[nextBatchIndex - 1];
        return (b.postStateRoot, b.priorityOpsConsumed, b.depositsConsumed);
    }

    function _enqueue(bytes memory encoding) private {
        uint64 index = queueLength;
        bytes32 h = keccak256(abi.encodePacked(_queueHash[index], keccak256(encoding)));
        _queueHash[index + 1] = h;
        queueLength = index + 1;
        emit PriorityOpEnqueued(index, uint8(encoding[0]), msg.sender, encoding, h);
    }

    function _isQueueEntry(uint64 index, bytes memory encoding) private view returns (bool) {
        return encoding.length > 17 && uint64(bytes8(_slice8(encoding, 1))) == index
            && keccak256(abi.encodePacked(_queueHash[index], keccak256(encoding))) == _queueHash[index + 1];
    }

    function _slice8(bytes memory b, uint256 offset) private pure returns (bytes8 v) {
        assembly ("memory-safe") {
            v := mload(add(add(b, 32), offset))
        }
    }

    /// Walks the calldata once: checks every type and length, hashes the leaves, checks the
    /// priority ops' indices and folds their rolling hash, then builds the transitions root.
    function _scan(bytes calldata data, uint64 firstPriority) private view returns (Scan memory s) {
        // every transition may be the shortest kind: sized for any less, a valid batch of short ones
        // (a sweep's trades and prunes, 21 and 7 bytes) was refused as TooManyTransitions and stalled the queue
        uint256 maxLeaves = data.length / TransitionLayout.MIN_LENGTH + 1;
        if (maxLeaves > maxTransitions) maxLeaves = maxTransitions;
        bytes32[] memory leaves = new bytes32[](maxLeaves);
        s.nextPriority = firstPriority;
        s.rollingHash = _queueHash[firstPriority];
        uint256 offset;
        uint256 n;
        while (offset < data.length) {
            uint8 t = uint8(data[offset]);
            uint256 len = TransitionLayout.length(t);
            if (len == 0) revert UnknownTransitionType(offset, t);
            if (offset + len > data.length) revert TruncatedTransition(offset, len, data.length - offset);
            if (n == maxLeaves) revert TooManyTransitions(maxTransitions);
            bytes32 leaf = keccak256(data[offset:offset + len]);
            leaves[n++] = leaf;
            if (TransitionLayout.isPriority(t)) {
                uint64 index = uint64(bytes8(data[offset + 1:offset + 9]));
                if (index != s.nextPriority) revert PriorityIndexMismatch(offset, s.nextPriority, index);
                if (index == firstPriority) s.oldestOpTime = uint64(bytes8(data[offset + 9:offset + 17]));
                s.nextPriority = index + 1;
                s.rollingHash = keccak256(abi.encodePacked(s.rollingHash, leaf));
                if (t == TransitionLayout.DEPOSIT) s.deposits += uint64(bytes8(data[offset + 37:offset + 45]));
            }
            offset += len;
        }
        assembly ("memory-safe") {
            mstore(leaves, n)
        }
        s.count = uint32(n);
        s.root = TransitionsRoot.root(leaves);
    }

    function _requireLeaf(bytes32 root, bytes32 key, bytes32 valueHash, bytes calldata proof) private pure {
        bytes32[] memory keys = new bytes32[](1);
        bytes32[] memory hashes = new bytes32[](1);
        keys[0] = key;
        hashes[0] = valueHash;
        SparseMerkleProof.ProofError e = SparseMerkleProof.verify(root, keys, hashes, proof);
        if (e != SparseMerkleProof.ProofError.OK) revert InvalidLeafProof(uint8(e));
    }

    function _fromEscapePool(uint256 amount) private returns (uint256 paid) {
        uint256 left = escapeRemaining;
        paid = amount < left ? amount : left;
        escapeRemaining = left - paid;
    }

    function _creditEth(address account, uint256 amount) private {
        if (amount == 0) return;
        ethCredit[account] += amount;
        emit EthCredited(account, amount);
    }

    function _pullTokens(address from, uint256 amount) private {
        (bool ok, bytes memory ret) =
            address(token).call(abi.encodeCall(IERC20Minimal.transferFrom, (from, address(this), amount)));
        if (!ok || (ret.length != 0 && !abi.decode(ret, (bool)))) revert TokenTransferFailed(address(token), address(this), amount);
    }

    function _pushTokens(address to, uint256 amount) private {
        if (amount == 0) return;
        (bool ok, bytes memory ret) = address(token).call(abi.encodeCall(IERC20Minimal.transfer, (to, amount)));
        if (!ok || (ret.length != 0 && !abi.decode(ret, (bool)))) revert TokenTransferFailed(address(token), to, amount);
    }
}
