// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {BatchHeader, BatchHeaderCodec} from "../l1/BatchHeader.sol";
import {TransitionsRoot} from "../l1/TransitionsRoot.sol";
import {IRollup} from "../rollup/IRollup.sol";
import {IStepVerifier} from "../stf/IStepVerifier.sol";
import {Clock, ClockLib} from "./Clock.sol";
import "./DisputeErrors.sol";

/// @title DisputeGame
/// @notice Proves a batch wrong (docs/protocol.md section 7, "Disputes"). A challenger bonds
///         `challengeBond` against one batch; the claim is the sequence of state roots after each
///         transition. The batch's proposer splits the disputed segment into up to `arity` parts
///         by posting the roots at the cut points; the challenger names a part whose start it
///         accepts and whose end it disputes; when one transition is left, the challenger
///         re-executes it through the one-step verifier. Each side plays against a chess clock.
/// @dev The challenger wins when the step rejects the transition, reaches another root than the
///      proposer's, or consumes a priority op with another rolling hash than the L1 queue's; the
///      batch and every later one are then rejected. Whoever runs out of time loses. Several games
///      may run on one batch; the first win rejects it and the others settle as obsolete (bond back).
contract DisputeGame {
    using BatchHeaderCodec for BatchHeader;

    enum Status {
        None,
        Active,
        ChallengerWon,
        ProposerWon,
        Obsolete
    }

    /// Why a game ended.
    enum Reason {
        StepRejected,
        RootMismatch,
        PriorityHashMismatch,
        StepAgrees,
        Timeout,
        BatchGone
    }

    struct Game {
        // slot 0
        address challenger;
        uint64 batchIndex;
        Status status;
        // slot 1
        address proposer;
        uint32 lo;
        uint32 hi;
        uint32 transitionCount;
        // slot 2
        Clock clock;
        // slots 3 - 7
        bytes32 loRoot;
        bytes32 hiRoot;
        bytes32 transitionsRoot;
        bytes32 rootsCommit;
        uint64 submissionId;
    }

    IRollup public immutable rollup;
    IStepVerifier public immutable verifier;
    uint256 public immutable arity;
    uint64 public immutable clockBudget;
    uint256 public immutable challengeBond;

    mapping(uint256 => Game) internal _games;
    uint256 public gameCount;
    mapping(address => uint256) public credit;

    event Challenged(
        uint256 indexed gameId, uint64 indexed batchIndex, address indexed challenger, address proposer, uint32 transitionCount
    );
    event Bisected(uint256 indexed gameId, uint32 lo, uint32 hi, bytes32[] roots);
    event SegmentChosen(uint256 indexed gameId, uint32 lo, uint32 hi, bytes32 loRoot, bytes32 hiRoot);
    event GameResolved(uint256 indexed gameId, Status status, Reason reason);
    event Credited(address indexed account, uint256 amount);
    event CreditWithdrawn(address indexed account, uint256 amount);

    /// @param rollup_ the rollup whose batches are disputed.
    /// @param verifier_ the one-step verifier (the Solidity STF).
    /// @param arity_ parts per dissection, k >= 2 (k - 1 roots per bisection move).
    /// @param clockBudget_ seconds each side may spend over the whole game.
    /// @param challengeBond_ wei a challenger bonds (paid to the proposer if it loses).
    constructor(address rollup_, address verifier_, uint256 arity_, uint64 clockBudget_, uint256 challengeBond_) {
        if (arity_ < 2 || arity_ > 256) revert BadGameParameter("arity");
        if (clockBudget_ == 0) revert BadGameParameter("clockBudget");
        if (challengeBond_ == 0) revert BadGameParameter("challengeBond");
        rollup = IRollup(rollup_);
        verifier = IStepVerifier(verifier_);
        arity = arity_;
        clockBudget = clockBudget_;
        challengeBond = challengeBond_;
    }

    /// @notice Opens a game against batch `header.batchIndex` with exactly `challengeBond` wei.
    ///         `header` must be the batch's header as submitted (its hash is checked).
    /// @return gameId the new game's id.
    function challenge(BatchHeader calldata header) external payable returns (uint256 gameId) {
        IRollup.Batch memory b = rollup.batch(header.batchIndex);
        BatchHeader memory h = header;
        bytes32 given = h.hash();
        if (b.headerHash != given) revert HeaderMismatch(header.batchIndex, b.headerHash, given);
        if (!rollup.isLive(header.batchIndex, b.submissionId)) revert NotChallengeable(header.batchIndex, b.submissionId);
        uint256 endsAt = uint256(b.submittedAt) + rollup.challengePeriod();
        if (block.timestamp >= endsAt) revert ChallengePeriodOver(header.batchIndex, endsAt);
        if (msg.value != challengeBond) revert WrongBond(msg.value, challengeBond);

        gameId = ++gameCount;
        // A single transition goes straight to the one-step proof: the challenger moves first.
        uint8 first = header.transitionCount == 1 ? ClockLib.CHALLENGER : ClockLib.PROPOSER;
        _games[gameId] = Game({
            challenger: msg.sender,
            batchIndex: header.batchIndex,
            status: Status.Active,
            proposer: b.proposer,
            lo: 0,
            hi: header.transitionCount,
            transitionCount: header.transitionCount,
            clock: ClockLib.start(clockBudget, first, block.timestamp),
            loRoot: header.prevStateRoot,
            hiRoot: header.postStateRoot,
            transitionsRoot: header.transitionsRoot,
            rootsCommit: bytes32(0),
            submissionId: b.submissionId
        });
        rollup.noteDispute(header.batchIndex, b.submissionId, true);
        emit Challenged(gameId, header.batchIndex, msg.sender, b.proposer, header.transitionCount);
    }

    /// @notice Proposer's move: the roots after transitions `cuts(lo, hi)[1..m-1]` of the disputed
    ///         segment, `m = min(arity, hi - lo)`, in order.
    function bisect(uint256 gameId, bytes32[] calldata roots) external {
        Game storage g = _active(gameId, ClockLib.PROPOSER);
        uint256 len = g.hi - g.lo;
        if (len < 2) revert WrongPhase(gameId, uint32(len));
        uint256 parts = len < arity ? len : arity;
        if (roots.length != parts - 1) revert WrongRootCount(parts - 1, roots.length);
        g.rootsCommit = keccak256(abi.encodePacked(roots));
        g.clock = g.clock.handOver(ClockLib.CHALLENGER, block.timestamp);
        emit Bisected(gameId, g.lo, g.hi, roots);
    }

    /// @notice Challenger's move: repeats the proposer's last `roots` and names the part
    ///         `segment` (0-based) whose start it accepts and whose end it disputes.
    function choose(uint256 gameId, bytes32[] calldata roots, uint256 segment) external {
        Game storage g = _active(gameId, ClockLib.CHALLENGER);
        uint256 lo = g.lo;
        uint256 len = g.hi - lo;
        if (len < 2 || g.rootsCommit == bytes32(0)) revert WrongPhase(gameId, uint32(len));
        bytes32 given = keccak256(abi.encodePacked(roots));
        if (given != g.rootsCommit) revert RootsMismatch(g.rootsCommit, given);
        uint256 parts = roots.length + 1;
        if (segment >= parts) revert SegmentOutOfRange(segment, parts);

        uint32 newLo = uint32(lo + len * segment / parts);
        uint32 newHi = uint32(lo + len * (segment + 1) / parts);
        if (segment > 0) g.loRoot = roots[segment - 1];
        if (segment < parts - 1) g.hiRoot = roots[segment];
        g.lo = newLo;
        g.hi = newHi;
        g.rootsCommit = bytes32(0);
        // One transition left: the challenger keeps the move and proves it.
        uint8 next = newHi - newLo == 1 ? ClockLib.CHALLENGER : ClockLib.PROPOSER;
        g.clock = g.clock.handOver(next, block.timestamp);
        emit SegmentChosen(gameId, newLo, newHi, g.loRoot, g.hiRoot);
    }

    /// @notice Challenger's last move: re-executes transition `lo` from the agreed root.
    /// @param transition the transition's encoding, proven at index `lo` of the batch by `siblings`.
    /// @param siblings the transitions-root path, bottom-up (docs/protocol.md section 6).
    /// @param witness the one-step witness the verifier reads.
    function oneStep(uint256 gameId, bytes calldata transition, bytes32[] calldata siblings, bytes calldata witness)
        external
    {
        Game storage g = _active(gameId, ClockLib.CHALLENGER);
        uint32 lo = g.lo;
        if (g.hi - lo != 1) revert WrongPhase(gameId, g.hi - lo);
        uint256 depth = TransitionsRoot.depth(g.transitionCount);
        if (siblings.length != depth) revert WrongProofDepth(depth, siblings.length);
        bytes32 computed = TransitionsRoot.rootFrom(keccak256(transition), lo, siblings);
        if (computed != g.transitionsRoot) revert NotInBatch(lo, g.transitionsRoot, computed);

        IStepVerifier.Result memory r = verifier.step(
            g.loRoot,
            transition,
            witness,
            IStepVerifier.Context({batchIndex: g.batchIndex, domainSeparator: rollup.domainSeparator()})
        );
        if (r.reject != 0) {
            _challengerWins(gameId, g, Reason.StepRejected);
        } else if (r.priorityConsumed && r.priorityHash != rollup.queueHashAt(r.priorityIndex + 1)) {
            _challengerWins(gameId, g, Reason.PriorityHashMismatch);
        } else if (r.postRoot != g.hiRoot) {
            _challengerWins(gameId, g, Reason.RootMismatch);
        } else {
            _proposerWins(gameId, g, Reason.StepAgrees);
        }
    }

    /// @notice Ends an active game whose side to move has run out of time: the other side wins.
    function timeout(uint256 gameId) external {
        Game storage g = _games[gameId];
        if (g.status != Status.Active) revert GameNotActive(gameId);
        if (!rollup.isLive(g.batchIndex, g.submissionId)) return _obsolete(gameId, g);
        uint256 left = g.clock.timeLeft(block.timestamp);
        if (left != 0) revert ClockNotExpired(gameId, left);
        if (g.clock.sideToMove() == ClockLib.PROPOSER) _challengerWins(gameId, g, Reason.Timeout);
        else _proposerWins(gameId, g, Reason.Timeout);
    }

    /// @notice Settles an active game whose batch is no longer live (rejected by another game,
    ///         replaced, or the rollup froze): the challenger's bond is returned.
    function settleObsolete(uint256 gameId) external {
        Game storage g = _games[gameId];
        if (g.status != Status.Active) revert GameNotActive(gameId);
        if (rollup.isLive(g.batchIndex, g.submissionId)) revert StillLive(gameId);
        _obsolete(gameId, g);
    }

    /// @notice Sends the sender every wei credited to it by resolved games.
    function withdrawCredit() external {
        uint256 amount = credit[msg.sender];
        if (amount == 0) revert NoCredit(msg.sender);
        credit[msg.sender] = 0;
        (bool ok,) = msg.sender.call{value: amount}("");
        if (!ok) revert PayoutFailed(msg.sender, amount);
        emit CreditWithdrawn(msg.sender, amount);
    }

    /// @notice A game's full record.
    function game(uint256 gameId) external view returns (Game memory) {
        return _games[gameId];
    }

    /// @notice The side to move (0 proposer, 1 challenger) and its seconds left.
    function clockOf(uint256 gameId) external view returns (uint8 side, uint256 secondsLeft, uint64 otherSideLeft) {
        Clock c = _games[gameId].clock;
        side = c.sideToMove();
        secondsLeft = c.timeLeft(block.timestamp);
        otherSideLeft = c.budgetOf(1 - side);
    }

    // ---------------------------------------------------------------- internals

    /// Status, liveness, turn, clock: the checks every move starts with.
    function _active(uint256 gameId, uint8 side) private view returns (Game storage g) {
        g = _games[gameId];
        if (g.status != Status.Active) revert GameNotActive(gameId);
        if (!rollup.isLive(g.batchIndex, g.submissionId)) revert NotChallengeable(g.batchIndex, g.submissionId);
        address expected = g.clock.sideToMove() == ClockLib.PROPOSER ? g.proposer : g.challenger;
        if (g.clock.sideToMove() != side || msg.sender != expected) revert NotYourTurn(gameId, msg.sender, expected);
        if (g.clock.expired(block.timestamp)) revert ClockExpired(gameId, side);
    }

    function _challengerWins(uint256 gameId, Game storage g, Reason reason) private {
        g.status = Status.ChallengerWon;
        _credit(g.challenger, challengeBond);
        emit GameResolved(gameId, Status.ChallengerWon, reason);
        rollup.rejectBatch(g.batchIndex, g.submissionId, g.challenger);
    }

    function _proposerWins(uint256 gameId, Game storage g, Reason reason) private {
        g.status = Status.ProposerWon;
        _credit(g.proposer, challengeBond);
        emit GameResolved(gameId, Status.ProposerWon, reason);
        rollup.noteDispute(g.batchIndex, g.submissionId, false);
    }

    function _obsolete(uint256 gameId, Game storage g) private {
        g.status = Status.Obsolete;
        _credit(g.challenger, challengeBond);
        emit GameResolved(gameId, Status.Obsolete, Reason.BatchGone);
    }

    function _credit(address account, uint256 amount) private {
        credit[account] += amount;
        emit Credited(account, amount);
    }
}
