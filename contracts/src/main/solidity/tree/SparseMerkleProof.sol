// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

/// @title SparseMerkleProof
/// @notice Verifies proofs of Clearline's compact sparse Merkle tree and recomputes its root after
///         leaf values change. The Java twin is `dev.clearline.tree.proof.ProofVerifier`; both
///         follow docs/protocol.md section 2 and check in the same order, so every input gets the
///         same `ProofError` on both sides (pinned by test-vectors/smt-proofs.json).
/// @dev A value hash of zero claims "absent". Keys must be strictly ascending. Loops are bounded
///      by the length of the proof and of the key list, both supplied (and paid for) by the caller.
library SparseMerkleProof {
    /// @notice Why a proof was rejected; the numeric codes equal Java's `ProofError.code()`.
    enum ProofError {
        OK,
        MALFORMED,
        KEYS_NOT_SORTED,
        TERMINAL_MISMATCH,
        VALUE_MISMATCH,
        SIBLINGS_MISMATCH,
        ROOT_MISMATCH,
        UNSUPPORTED_UPDATE
    }

    /// @notice Raised by the `require*` helpers with the code of the failed check.
    error InvalidProof(ProofError code);

    uint8 private constant KIND_EMPTY = 0;
    uint8 private constant KIND_NEIGHBOUR_LEAF = 1;
    uint8 private constant KIND_QUERIED_LEAF = 2;

    /// Parsed terminals and where the sibling section starts.
    struct Parsed {
        uint256 n;
        uint256[] depth;
        uint256[] kind;
        uint256[] neighbourAt; // offset of the neighbour leaf's key within the proof
        uint256 slots;
        uint256 bitmapAt;
        uint256 siblingsAt;
    }

    /// What the caller claims: keys, their value hashes, and for updates the new value hashes.
    struct Claims {
        bytes32[] keys;
        bytes32[] vh;
        bytes32[] nv;
        bool updating;
    }

    /// Terminal hashes and paths, for one or two tracks (old and new values).
    struct Terminals {
        bytes32[] rep;
        uint256[] depth;
        bytes32[] oldHash;
        bytes32[] newHash;
    }

    /// @notice Does `proof` show that each key has the given value hash (zero = absent) under `root`?
    function verify(bytes32 root, bytes32[] memory keys, bytes32[] memory valueHashes, bytes memory proof)
        internal
        pure
        returns (ProofError)
    {
        (ProofError e, bytes32 computed,) = _run(keys, valueHashes, valueHashes, false, proof);
        if (e != ProofError.OK) return e;
        return computed == root ? ProofError.OK : ProofError.ROOT_MISMATCH;
    }

    /// @notice Verifies the old claims against `root`, then returns the root after the new value hashes.
    /// @dev Insertions (absent -> present) and replacements are supported; deletions are not.
    function update(
        bytes32 root,
        bytes32[] memory keys,
        bytes32[] memory oldValueHashes,
        bytes32[] memory newValueHashes,
        bytes memory proof
    ) internal pure returns (ProofError, bytes32) {
        if (newValueHashes.length != keys.length) return (ProofError.KEYS_NOT_SORTED, bytes32(0));
        (ProofError e, bytes32 oldRoot, bytes32 newRoot) = _run(keys, oldValueHashes, newValueHashes, true, proof);
        if (e != ProofError.OK) return (e, bytes32(0));
        if (oldRoot != root) return (ProofError.ROOT_MISMATCH, bytes32(0));
        return (ProofError.OK, newRoot);
    }

    /// @notice `verify`, reverting with `InvalidProof` unless the proof holds.
    function requireValid(bytes32 root, bytes32[] memory keys, bytes32[] memory valueHashes, bytes memory proof)
        internal
        pure
    {
        ProofError e = verify(root, keys, valueHashes, proof);
        if (e != ProofError.OK) revert InvalidProof(e);
    }

    /// @notice `update`, reverting with `InvalidProof` unless it succeeds; returns the new root.
    function requireUpdate(
        bytes32 root,
        bytes32[] memory keys,
        bytes32[] memory oldValueHashes,
        bytes32[] memory newValueHashes,
        bytes memory proof
    ) internal pure returns (bytes32) {
        (ProofError e, bytes32 newRoot) = update(root, keys, oldValueHashes, newValueHashes, proof);
        if (e != ProofError.OK) revert InvalidProof(e);
        return newRoot;
    }

    /// @notice Leaf hash: keccak256(0x00 || key || valueHash).
    function leafHash(bytes32 key, bytes32 valueHash) internal pure returns (bytes32 h) {
        assembly ("memory-safe") {
            let p := mload(0x40)
            mstore8(p, 0)
            mstore(add(p, 1), key)
            mstore(add(p, 33), valueHash)
            h := keccak256(p, 65)
        }
    }

    /// @notice Internal-node hash: keccak256(0x01 || left || right).
    function nodeHash(bytes32 left, bytes32 right) internal pure returns (bytes32 h) {
        assembly ("memory-safe") {
            let p := mload(0x40)
            mstore8(p, 1)
            mstore(add(p, 1), left)
            mstore(add(p, 33), right)
            h := keccak256(p, 65)
        }
    }

    function _run(
        bytes32[] memory keys,
        bytes32[] memory vh,
        bytes32[] memory nv,
        bool updating,
        bytes memory proof
    ) private pure returns (ProofError, bytes32, bytes32) {
        if (keys.length == 0 || vh.length != keys.length) return (ProofError.KEYS_NOT_SORTED, 0, 0);
        for (uint256 i = 1; i < keys.length; ++i) {
            if (uint256(keys[i - 1]) >= uint256(keys[i])) return (ProofError.KEYS_NOT_SORTED, 0, 0);
        }
        return _check(Claims(keys, vh, nv, updating), proof);
    }

    function _check(Claims memory c, bytes memory proof) private pure returns (ProofError, bytes32, bytes32) {
        (bool ok, Parsed memory p) = _parse(proof);
        if (!ok) return (ProofError.MALFORMED, 0, 0);
        (ProofError e, Terminals memory t) = _terminals(p, c, proof);
        if (e != ProofError.OK) return (e, 0, 0);
        return _fold(p, t, c.updating, proof);
    }

    function _parse(bytes memory proof) private pure returns (bool, Parsed memory p) {
        uint256 len = proof.length;
        if (len < 2) return (false, p);
        uint256 n = _u16(proof, 0);
        if (n == 0) return (false, p);
        // Each terminal takes at least 3 bytes: reject counts the proof cannot hold before allocating.
        if (n > (len - 2) / 3) return (false, p);
        p.n = n;
        p.depth = new uint256[](n);
        p.kind = new uint256[](n);
        p.neighbourAt = new uint256[](n);
        uint256 pos = 2;
        for (uint256 t = 0; t < n; ++t) {
            if (len - pos < 3) return (false, p);
            uint256 depth = _u16(proof, pos);
            uint256 kind = uint8(proof[pos + 2]);
            pos += 3;
            if (depth > 256) return (false, p);
            if (kind == KIND_NEIGHBOUR_LEAF) {
                if (len - pos < 64) return (false, p);
                p.neighbourAt[t] = pos;
                pos += 64;
            } else if (kind != KIND_EMPTY && kind != KIND_QUERIED_LEAF) {
                return (false, p);
            }
            p.depth[t] = depth;
            p.kind[t] = kind;
        }
        if (len - pos < 2) return (false, p);
        uint256 slots = _u16(proof, pos);
        pos += 2;
        uint256 bitmapLength = (slots + 7) / 8;
        if (len - pos < bitmapLength) return (false, p);
        p.slots = slots;
        p.bitmapAt = pos;
        pos += bitmapLength;
        if (slots % 8 != 0 && (uint8(proof[pos - 1]) & (0xFF >> (slots % 8))) != 0) return (false, p);
        // Padding bits are zero (checked above), so the set bits are exactly the empty slots.
        uint256 empties = _popcount(proof, p.bitmapAt, bitmapLength);
        if (len - pos != 32 * (slots - empties)) return (false, p);
        p.siblingsAt = pos;
        return (true, p);
    }

    /// Maps keys to terminals and computes each terminal's old (and new) hash, in Java's order.
    function _terminals(Parsed memory p, Claims memory c, bytes memory proof)
        private
        pure
        returns (ProofError, Terminals memory t)
    {
        t.rep = new bytes32[](p.n);
        t.depth = new uint256[](p.n);
        t.oldHash = new bytes32[](p.n);
        t.newHash = new bytes32[](p.n);
        uint256 j = 0;
        for (uint256 ti = 0; ti < p.n; ++ti) {
            uint256 d = p.depth[ti];
            if (j == c.keys.length) return (ProofError.TERMINAL_MISMATCH, t);
            bytes32 rep = c.keys[j];
            if (ti > 0 && _commonPrefix(t.rep[ti - 1], rep) >= d) return (ProofError.TERMINAL_MISMATCH, t);
            uint256 from = j++;
            while (j < c.keys.length && _commonPrefix(rep, c.keys[j]) >= d) ++j;
            t.rep[ti] = rep;
            t.depth[ti] = d;
            ProofError e = _terminalHashes(p, ti, t, c, from, j, proof);
            if (e != ProofError.OK) return (e, t);
        }
        if (j != c.keys.length) return (ProofError.TERMINAL_MISMATCH, t);
        return (ProofError.OK, t);
    }

    function _terminalHashes(
        Parsed memory p,
        uint256 ti,
        Terminals memory t,
        Claims memory c,
        uint256 from,
        uint256 to,
        bytes memory proof
    ) private pure returns (ProofError) {
        uint256 kind = p.kind[ti];
        // Leaves of this terminal after the update: at most two (a neighbour or member, and one more).
        bytes32[2] memory afterKey;
        bytes32[2] memory afterHash;
        uint256 count = 0;
        if (kind == KIND_EMPTY) {
            for (uint256 i = from; i < to; ++i) {
                if (c.vh[i] != 0) return ProofError.VALUE_MISMATCH;
            }
            t.oldHash[ti] = 0;
        } else if (kind == KIND_NEIGHBOUR_LEAF) {
            (bytes32 nk, bytes32 nh) = _neighbour(proof, p.neighbourAt[ti]);
            if (_commonPrefix(c.keys[from], nk) < p.depth[ti]) return ProofError.TERMINAL_MISMATCH;
            for (uint256 i = from; i < to; ++i) {
                if (c.vh[i] != 0 || c.keys[i] == nk) return ProofError.VALUE_MISMATCH;
            }
            t.oldHash[ti] = leafHash(nk, nh);
            afterKey[0] = nk;
            afterHash[0] = nh;
            count = 1;
        } else {
            uint256 member = type(uint256).max;
            for (uint256 i = from; i < to; ++i) {
                if (c.vh[i] != 0) {
                    if (member != type(uint256).max) return ProofError.VALUE_MISMATCH;
                    member = i;
                }
            }
            if (member == type(uint256).max) return ProofError.VALUE_MISMATCH;
            t.oldHash[ti] = leafHash(c.keys[member], c.vh[member]);
        }
        if (!c.updating) return ProofError.OK;
        for (uint256 i = from; i < to; ++i) {
            if (c.vh[i] != 0 && c.nv[i] == 0) return ProofError.UNSUPPORTED_UPDATE;
            if (c.nv[i] != 0) {
                if (count == 2) return ProofError.UNSUPPORTED_UPDATE;
                afterKey[count] = c.keys[i];
                afterHash[count] = c.nv[i];
                ++count;
            }
        }
        t.newHash[ti] = _subtree(afterKey, afterHash, count, p.depth[ti]);
        return ProofError.OK;
    }

    /// Hash of the compact subtree at `depth` holding `count` (<= 2) leaves.
    function _subtree(bytes32[2] memory key, bytes32[2] memory hash, uint256 count, uint256 depth)
        private
        pure
        returns (bytes32)
    {
        if (count == 0) return 0;
        if (count == 1) return leafHash(key[0], hash[0]);
        (bytes32 a, bytes32 ah, bytes32 b, bytes32 bh) = uint256(key[0]) < uint256(key[1])
            ? (key[0], hash[0], key[1], hash[1])
            : (key[1], hash[1], key[0], hash[0]);
        uint256 split = _commonPrefix(a, b);
        bytes32 h = nodeHash(leafHash(a, ah), leafHash(b, bh));
        for (uint256 d = split; d > depth; --d) {
            h = _bit(a, d - 1) ? nodeHash(0, h) : nodeHash(h, 0);
        }
        return h;
    }

    /// Position in the sibling section, and the depth of the node being folded.
    struct Cursor {
        uint256 slot;
        uint256 sibPtr;
        uint256 slots;
        uint256 bitmapAt;
        bool updating;
        uint256 depth;
    }

    /// Left nodes waiting for their right neighbour, with the depth where they met their own left one.
    struct Stack {
        bytes32[] oldHash;
        bytes32[] newHash;
        int256[] leftMeet;
        uint256 size;
    }

    /// The shared folding loop (Java: `Folding.fold`): terminals merge pairwise at their
    /// neighbours' common-prefix depth, consuming siblings in proof order.
    function _fold(Parsed memory p, Terminals memory t, bool updating, bytes memory proof)
        private
        pure
        returns (ProofError, bytes32, bytes32)
    {
        Cursor memory cur = Cursor(0, p.siblingsAt, p.slots, p.bitmapAt, updating, 0);
        Stack memory st = Stack(new bytes32[](p.n), new bytes32[](p.n), new int256[](p.n), 0);
        bytes32[2] memory h;
        for (uint256 ti = 0; ti < p.n; ++ti) {
            h[0] = t.oldHash[ti];
            h[1] = t.newHash[ti];
            cur.depth = t.depth[ti];
            int256 leftMeet = ti > 0 ? int256(_commonPrefix(t.rep[ti - 1], t.rep[ti])) : -1;
            int256 rightMeet = ti + 1 < p.n ? int256(_commonPrefix(t.rep[ti], t.rep[ti + 1])) : -1;
            while (true) {
                if (!_climb(cur, h, t.rep[ti], uint256((leftMeet > rightMeet ? leftMeet : rightMeet) + 1), proof)) {
                    return (ProofError.SIBLINGS_MISMATCH, 0, 0);
                }
                if (rightMeet > leftMeet) {
                    st.oldHash[st.size] = h[0];
                    st.newHash[st.size] = h[1];
                    st.leftMeet[st.size] = leftMeet;
                    ++st.size;
                    break;
                }
                if (leftMeet < 0) break;
                --st.size;
                h[0] = nodeHash(st.oldHash[st.size], h[0]);
                if (updating) h[1] = nodeHash(st.newHash[st.size], h[1]);
                cur.depth = uint256(leftMeet);
                leftMeet = st.leftMeet[st.size];
            }
        }
        if (cur.slot != cur.slots) return (ProofError.SIBLINGS_MISMATCH, 0, 0);
        return (ProofError.OK, h[0], h[1]);
    }

    /// Folds `h` from `cur.depth` up to depth `target` with the next siblings; false if they run out.
    /// @dev The hot loop of every proof, in assembly: per level one bitmap bit, at most one sibling
    ///      read, and one keccak per track over the 65-byte preimage `0x01 || left || right`,
    ///      built in scratch memory past the free-memory pointer (never allocated, so never kept).
    function _climb(Cursor memory cur, bytes32[2] memory h, bytes32 rep, uint256 target, bytes memory proof)
        private
        pure
        returns (bool ok)
    {
        assembly ("memory-safe") {
            let slot := mload(cur)
            let sibAt := add(add(proof, 32), mload(add(cur, 0x20)))
            let bitmap := add(add(proof, 32), mload(add(cur, 0x60)))
            let d := mload(add(cur, 0xa0))
            let h0 := mload(h)
            let h1 := mload(add(h, 32))
            let scratch := mload(0x40)
            ok := 1
            for {} gt(d, target) { d := sub(d, 1) } {
                if eq(slot, mload(add(cur, 0x40))) {
                    ok := 0
                    break
                }
                let s := 0
                if iszero(and(shr(sub(7, and(slot, 7)), byte(0, mload(add(bitmap, shr(3, slot))))), 1)) {
                    s := mload(sibAt)
                    sibAt := add(sibAt, 32)
                }
                slot := add(slot, 1)
                mstore8(scratch, 1)
                switch and(shr(sub(256, d), rep), 1)
                case 1 {
                    mstore(add(scratch, 1), s)
                    mstore(add(scratch, 33), h0)
                    h0 := keccak256(scratch, 65)
                    if mload(add(cur, 0x80)) {
                        mstore(add(scratch, 33), h1)
                        h1 := keccak256(scratch, 65)
                    }
                }
                default {
                    mstore(add(scratch, 1), h0)
                    mstore(add(scratch, 33), s)
                    h0 := keccak256(scratch, 65)
                    if mload(add(cur, 0x80)) {
                        mstore(add(scratch, 1), h1)
                        h1 := keccak256(scratch, 65)
                    }
                }
            }
            mstore(cur, slot)
            mstore(add(cur, 0x20), sub(sibAt, add(proof, 32)))
            mstore(add(cur, 0xa0), d)
            mstore(h, h0)
            mstore(add(h, 32), h1)
        }
    }

    /// Number of set bits in `proof[from, from + length)`.
    function _popcount(bytes memory proof, uint256 from, uint256 length) private pure returns (uint256 count) {
        assembly ("memory-safe") {
            let p := add(add(proof, 32), from)
            for { let i := 0 } lt(i, length) { i := add(i, 1) } {
                let x := byte(0, mload(add(p, i)))
                for {} x {} {
                    x := and(x, sub(x, 1))
                    count := add(count, 1)
                }
            }
        }
    }

    function _neighbour(bytes memory proof, uint256 offset) private pure returns (bytes32 key, bytes32 valueHash) {
        assembly ("memory-safe") {
            let p := add(add(proof, 32), offset)
            key := mload(p)
            valueHash := mload(add(p, 32))
        }
    }

    function _u16(bytes memory b, uint256 offset) private pure returns (uint256 v) {
        assembly ("memory-safe") {
            v := shr(240, mload(add(add(b, 32), offset)))
        }
    }

    /// Bit `i` of a key, most significant first: true means "right".
    function _bit(bytes32 key, uint256 i) private pure returns (bool) {
        return (uint256(key) >> (255 - i)) & 1 == 1;
    }

    /// Number of leading bits `a` and `b` share (256 if equal).
    function _commonPrefix(bytes32 a, bytes32 b) private pure returns (uint256) {
        uint256 x = uint256(a ^ b);
        if (x == 0) return 256;
        uint256 msb = 0;
        if (x >= 1 << 128) { x >>= 128; msb += 128; }
        if (x >= 1 << 64) { x >>= 64; msb += 64; }
        if (x >= 1 << 32) { x >>= 32; msb += 32; }
        if (x >= 1 << 16) { x >>= 16; msb += 16; }
        if (x >= 1 << 8) { x >>= 8; msb += 8; }
        if (x >= 1 << 4) { x >>= 4; msb += 4; }
        if (x >= 1 << 2) { x >>= 2; msb += 2; }
        if (x >= 1 << 1) { msb += 1; }
        return 255 - msb;
    }
}
