// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {SparseMerkleProof} from "../tree/SparseMerkleProof.sol";
import {StateKeys} from "../state/StateKeys.sol";
import {
    BalanceLeaf, PositionLeaf, OrderHashLeaf, OrderLeaf, MarketLeaf, WithdrawalLeaf, GlobalLeaf, Leaves
} from "./Leaves.sol";

/// @notice One leaf the step may read or write: its value before (from the witness) and after.
struct Leaf {
    bytes32 key;
    bytes value; // the pre-state value; empty = absent
    bytes next; // the value written by the rule (valid when `written`); empty = deleted
    bool written;
}

/// @notice The pre-state as far as one step sees it: the witnessed leaves, the multi-proof, and
///         the L1 facts of the step.
struct State {
    Leaf[] leaves;
    bytes proof;
    bytes32 domainSeparator;
    uint64 batchIndex;
}

/// @title Witness
/// @notice Parses the witness of one step (docs/protocol.md, "Witness"), serves typed reads and
///         collects writes, then checks everything against the pre-state root with one
///         `SparseMerkleProof` multi-proof and returns the post-state root.
/// @dev Encoding: `u8 n`, then n times `{bytes32 key, u16 len, bytes[len] value}` (len 0 = absent,
///      keys strictly ascending), then the multi-proof of those n keys (section 2.4) up to the end.
///      n = 0 takes no proof. A bad witness is the prover's mistake, never fraud: it reverts.
library Witness {
    /// @notice The witness bytes end inside a leaf (or its header); `offset` is where it was cut.
    error WitnessTruncated(uint256 offset, uint256 length);
    /// @notice Witness keys must be strictly ascending (they are the multi-proof's keys).
    error WitnessKeysNotSorted(bytes32 previous, bytes32 key);
    /// @notice A leaf value's length is not its kind's encoding length.
    error WitnessValueMalformed(bytes32 key, uint256 length);
    /// @notice The rule needs a leaf the witness does not carry.
    error WitnessLeafMissing(bytes32 key);
    /// @notice n = 0 but proof bytes follow, or n > 0 and no proof.
    error WitnessProofMissing();
    /// @notice The multi-proof does not prove the witnessed leaves under the pre-state root.
    error WitnessProofInvalid(SparseMerkleProof.ProofError code);

    function parse(bytes calldata w, bytes32 domainSeparator, uint64 batchIndex)
        internal
        pure
        returns (State memory s)
    {
        s.domainSeparator = domainSeparator;
        s.batchIndex = batchIndex;
        if (w.length == 0) revert WitnessTruncated(0, 0);
        uint256 n = uint8(w[0]);
        s.leaves = new Leaf[](n);
        uint256 p = 1;
        bytes32 previous;
        for (uint256 i = 0; i < n; ++i) {
            if (w.length < p + 34) revert WitnessTruncated(p, w.length);
            bytes32 key = bytes32(w[p:p + 32]);
            if (i > 0 && uint256(key) <= uint256(previous)) revert WitnessKeysNotSorted(previous, key);
            uint256 len = uint16(bytes2(w[p + 32:p + 34]));
            p += 34;
            if (w.length < p + len) revert WitnessTruncated(p, w.length);
            s.leaves[i].key = key;
            s.leaves[i].value = w[p:p + len];
            p += len;
            previous = key;
        }
        if ((n == 0) != (p == w.length)) revert WitnessProofMissing();
        s.proof = w[p:];
    }

    /// @notice Checks the witnessed pre-state values under `preRoot` and returns the root after the
    ///         writes (`preRoot` itself when nothing was written, e.g. after a rejection).
    function finish(State memory s, bytes32 preRoot, bool applied) internal pure returns (bytes32) {
        uint256 n = s.leaves.length;
        if (n == 0) return preRoot;
        bytes32[] memory keys = new bytes32[](n);
        bytes32[] memory before = new bytes32[](n);
        bytes32[] memory afterHashes = new bytes32[](n);
        bool changed;
        for (uint256 i = 0; i < n; ++i) {
            Leaf memory l = s.leaves[i];
            keys[i] = l.key;
            before[i] = l.value.length == 0 ? bytes32(0) : keccak256(l.value);
            // an empty `next` is a deletion (no leaf encoding is empty): the key's value hash becomes 0
            afterHashes[i] = applied && l.written ? (l.next.length == 0 ? bytes32(0) : keccak256(l.next)) : before[i];
            if (afterHashes[i] != before[i]) changed = true;
        }
        if (!changed) {
            SparseMerkleProof.ProofError v = SparseMerkleProof.verify(preRoot, keys, before, s.proof);
            if (v != SparseMerkleProof.ProofError.OK) revert WitnessProofInvalid(v);
            return preRoot;
        }
        (SparseMerkleProof.ProofError e, bytes32 root) =
            SparseMerkleProof.update(preRoot, keys, before, afterHashes, s.proof);
        if (e != SparseMerkleProof.ProofError.OK) revert WitnessProofInvalid(e);
        return root;
    }

    // ---- typed reads (absent balance/position read as zero, absent global as genesis) ----

    function balance(State memory s, address owner) internal pure returns (BalanceLeaf memory b) {
        bytes memory v = _read(s, StateKeys.balance(owner), Leaves.BALANCE_BYTES);
        if (v.length != 0) b = Leaves.decodeBalance(v);
    }

    function position(State memory s, address owner, uint32 marketId) internal pure returns (PositionLeaf memory p) {
        bytes memory v = _read(s, StateKeys.position(owner, marketId), Leaves.POSITION_BYTES);
        if (v.length != 0) p = Leaves.decodePosition(v);
    }

    /// @return exists false when the hash was neither posted nor cancelled
    function orderHash(State memory s, bytes32 hash) internal pure returns (bool exists, OrderHashLeaf memory h) {
        bytes32 key = StateKeys.order(hash);
        bytes memory v = _find(s, key).value;
        if (v.length != 0 && v.length != Leaves.ORDER_HASH_BYTES && v.length != Leaves.ORDER_HASH_EXPIRING_BYTES) {
            revert WitnessValueMalformed(key, v.length);
        }
        exists = v.length != 0;
        if (exists) h = Leaves.decodeOrderHash(v);
    }

    /// @return exists false when no order has this short id
    function order(State memory s, uint64 orderId) internal pure returns (bool exists, OrderLeaf memory o) {
        bytes memory v = _read(s, StateKeys.orderState(orderId), Leaves.ORDER_BYTES);
        exists = v.length != 0;
        if (exists) o = Leaves.decodeOrder(v);
    }

    /// @return exists false when the market does not exist
    function market(State memory s, uint32 marketId) internal pure returns (bool exists, MarketLeaf memory m) {
        bytes memory v = _read(s, StateKeys.market(marketId), Leaves.MARKET_BYTES);
        exists = v.length != 0;
        if (exists) m = Leaves.decodeMarket(v);
    }

    function global(State memory s) internal pure returns (GlobalLeaf memory g) {
        bytes memory v = _read(s, StateKeys.global(), Leaves.GLOBAL_BYTES);
        if (v.length != 0) g = Leaves.decodeGlobal(v);
    }

    // ---- writes ----

    function putBalance(State memory s, address owner, BalanceLeaf memory b) internal pure {
        _write(s, StateKeys.balance(owner), abi.encode(b));
    }

    function putPosition(State memory s, address owner, uint32 marketId, PositionLeaf memory p) internal pure {
        _write(s, StateKeys.position(owner, marketId), abi.encode(p));
    }

    function putOrderHash(State memory s, bytes32 hash, OrderHashLeaf memory h) internal pure {
        _write(s, StateKeys.order(hash), Leaves.encodeOrderHash(h));
    }

    function putOrder(State memory s, uint64 orderId, OrderLeaf memory o) internal pure {
        _write(s, StateKeys.orderState(orderId), abi.encode(o));
    }

    function putMarket(State memory s, uint32 marketId, MarketLeaf memory m) internal pure {
        _write(s, StateKeys.market(marketId), abi.encode(m));
    }

    function putWithdrawal(State memory s, uint64 withdrawalId, WithdrawalLeaf memory w) internal pure {
        _write(s, StateKeys.withdrawal(withdrawalId), abi.encode(w));
    }

    function putGlobal(State memory s, GlobalLeaf memory g) internal pure {
        _write(s, StateKeys.global(), abi.encode(g));
    }

    /// @notice Deletes the ORDER_HASH leaf of `hash` (PruneOrderHash).
    function deleteOrderHash(State memory s, bytes32 hash) internal pure {
        _write(s, StateKeys.order(hash), "");
    }

    /// @notice Deletes the ORDER leaf of `orderId` (PruneOrder).
    function deleteOrder(State memory s, uint64 orderId) internal pure {
        _write(s, StateKeys.orderState(orderId), "");
    }

    function _find(State memory s, bytes32 key) private pure returns (Leaf memory) {
        Leaf[] memory leaves = s.leaves;
        for (uint256 i = 0; i < leaves.length; ++i) {
            if (leaves[i].key == key) return leaves[i];
        }
        revert WitnessLeafMissing(key);
    }

    function _read(State memory s, bytes32 key, uint256 length) private pure returns (bytes memory v) {
        v = _find(s, key).value;
        if (v.length != 0 && v.length != length) revert WitnessValueMalformed(key, v.length);
    }

    function _write(State memory s, bytes32 key, bytes memory value) private pure {
        Leaf memory l = _find(s, key);
        l.next = value;
        l.written = true;
    }
}
