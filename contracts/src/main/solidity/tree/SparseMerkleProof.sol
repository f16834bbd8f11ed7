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
        UNSUPPORTED_UPDATE // reserved: no input produces it since update supports deletions and crowded terminals
    }

    /// @notice Raised by the `require*` helpers with the code of the failed check.
    error InvalidProof(ProofError code);

    uint8 private constant KIND_EMPTY = 0;
    uint8 private constant KIND_NEIGHBOUR_LEAF = 1;
    uint8 private constant KIND_QUERIED_LEAF = 2;
    uint8 private constant OPENING_LEAF = 1;
    uint8 private constant OPENING_NODE = 2;
    uint256 private constant OPENING_BYTES = 65;

    /// Shapes of a subtree in the new (compacting) track; Java: `Folding.Shape`.
    uint256 private constant SHAPE_EMPTY = 0;
    uint256 private constant SHAPE_LEAF = 1;
    uint256 private constant SHAPE_NODE = 2;

    /// Parsed terminals and where the sibling section starts.
    struct Parsed {
        uint256 n;
        uint256[] depth;
        uint256[] kind;
        uint256[] neighbourAt; // offset of the neighbour leaf's key within the proof
        uint256 slots;
        uint256 bitmapAt;
        uint256 siblingsAt;
        uint256 openingsAt; // first opening (past the opening count); == openingsEnd when there are none
        uint256 openingsEnd;
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
        uint256[] newShape;
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
    /// @dev Insertions (zero old hash), replacements and deletions (zero new hash), any number of keys in
    ///      one terminal. A deletion that empties a subtree needs the proof to open the siblings it exposes.
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
        if (len - pos < 32 * (slots - empties)) return (false, p);
        p.siblingsAt = pos;
        pos += 32 * (slots - empties);
        if (pos < len) {
            // The openings section: u16 count >= 1, then 65 bytes per opening (kind 1 leaf or 2 node, two words).
            if (len - pos < 2) return (false, p);
            uint256 count = _u16(proof, pos);
            pos += 2;
            if (count == 0 || len - pos != OPENING_BYTES * count) return (false, p);
            for (uint256 o = 0; o < count; ++o) {
                uint256 kind = uint8(proof[pos + OPENING_BYTES * o]);
                if (kind != OPENING_LEAF && kind != OPENING_NODE) return (false, p);
            }
        }
        p.openingsAt = pos;
        p.openingsEnd = len;
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
        t.newShape = new uint256[](p.n);
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
        uint256 neighbourAt = kind == KIND_NEIGHBOUR_LEAF ? p.neighbourAt[ti] : 0;
        (t.newHash[ti], t.newShape[ti]) = _after(c, from, to, neighbourAt, proof, p.depth[ti]);
        return ProofError.OK;
    }

    /// The new hash and shape of a terminal at `depth` covering keys `[from, to)`: its leaves afterwards,
    /// ascending, are the untouched neighbour (at `neighbourAt` in the proof, 0 if none) in its place
    /// among the covered keys whose new value hash is non-zero (a zero one is absent, or deleted).
    function _after(Claims memory c, uint256 from, uint256 to, uint256 neighbourAt, bytes memory proof, uint256 depth)
        private
        pure
        returns (bytes32, uint256)
    {
        bool hasNeighbour = neighbourAt != 0;
        (bytes32 nk, bytes32 nh) = hasNeighbour ? _neighbour(proof, neighbourAt) : (bytes32(0), bytes32(0));
        uint256 max = to - from + (hasNeighbour ? 1 : 0);
        bytes32[] memory afterKey = new bytes32[](max);
        bytes32[] memory afterHash = new bytes32[](max);
        uint256 count = 0;
        for (uint256 i = from; i < to; ++i) {
            if (hasNeighbour && uint256(nk) < uint256(c.keys[i])) {
                afterKey[count] = nk;
                afterHash[count++] = nh;
                hasNeighbour = false;
            }
            if (c.nv[i] != 0) {
                afterKey[count] = c.keys[i];
                afterHash[count++] = c.nv[i];
            }
        }
        if (hasNeighbour) {
            afterKey[count] = nk;
            afterHash[count++] = nh;
        }
        return (_subtree(afterKey, afterHash, 0, count, depth), count < 2 ? count : SHAPE_NODE);
    }

    /// Hash of the compact subtree at `depth` holding the leaves `[lo, hi)` (ascending keys, all below
    /// that subtree): they split at the first bit where the lowest and highest keys differ; the node
    /// there sits under a chain of internal nodes with one empty child up to `depth`.
    /// @dev Recursion depth is at most the number of leaves, each level splitting a non-empty range.
    function _subtree(bytes32[] memory key, bytes32[] memory hash, uint256 lo, uint256 hi, uint256 depth)
        private
        pure
        returns (bytes32 h)
    {
        if (hi == lo) return 0;
        if (hi - lo == 1) return leafHash(key[lo], hash[lo]);
        uint256 split = _commonPrefix(key[lo], key[hi - 1]);
        uint256 mid = lo + 1;
        while (!_bit(key[mid], split)) ++mid;
        h = nodeHash(_subtree(key, hash, lo, mid, split + 1), _subtree(key, hash, mid, hi, split + 1));
        for (uint256 d = split; d > depth; --d) {
            h = _bit(key[lo], d - 1) ? nodeHash(0, h) : nodeHash(h, 0);
        }
    }

    /// Position in the sibling section, and the depth of the node being folded.
    struct Cursor {
        uint256 slot;
        uint256 sibPtr;
        uint256 slots;
        uint256 bitmapAt;
        bool updating;
        uint256 depth;
        uint256 shape; // of the node being folded, in the new track
        uint256 openPtr; // next opening, as an offset into the proof
        uint256 openEnd;
        bytes proof; // (its pointer at cur + 0x120, read by _climb's openings)
    }

    /// Left nodes waiting for their right neighbour, with the depth where they met their own left one.
    struct Stack {
        bytes32[] oldHash;
        bytes32[] newHash;
        uint256[] newShape;
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
        Cursor memory cur = Cursor(0, p.siblingsAt, p.slots, p.bitmapAt, updating, 0, 0, p.openingsAt, p.openingsEnd, proof);
        Stack memory st = Stack(new bytes32[](p.n), new bytes32[](p.n), new uint256[](p.n), new int256[](p.n), 0);
        bytes32[2] memory h;
        for (uint256 ti = 0; ti < p.n; ++ti) {
            h[0] = t.oldHash[ti];
            h[1] = t.newHash[ti];
            cur.depth = t.depth[ti];
            cur.shape = updating ? t.newShape[ti] : SHAPE_NODE;
            int256 leftMeet = ti > 0 ? int256(_commonPrefix(t.rep[ti - 1], t.rep[ti])) : -1;
            int256 rightMeet = ti + 1 < p.n ? int256(_commonPrefix(t.rep[ti], t.rep[ti + 1])) : -1;
            while (true) {
                if (!_climb(cur, h, t.rep[ti], uint256((leftMeet > rightMeet ? leftMeet : rightMeet) + 1), proof)) {
                    return (ProofError.SIBLINGS_MISMATCH, 0, 0);
                }
                if (rightMeet > leftMeet) {
                    st.oldHash[st.size] = h[0];
                    st.newHash[st.size] = h[1];
                    st.newShape[st.size] = cur.shape;
                    st.leftMeet[st.size] = leftMeet;
                    ++st.size;
                    break;
                }
                if (leftMeet < 0) break;
                --st.size;
                h[0] = nodeHash(st.oldHash[st.size], h[0]);
                if (updating) (h[1], cur.shape) = _merge(st.newHash[st.size], st.newShape[st.size], h[1], cur.shape);
                cur.depth = uint256(leftMeet);
                leftMeet = st.leftMeet[st.size];
            }
        }
        if (cur.slot != cur.slots || cur.openPtr != cur.openEnd) return (ProofError.SIBLINGS_MISMATCH, 0, 0);
        return (ProofError.OK, h[0], h[1]);
    }

    /// The new track's parent of two subtrees (Java: `Folding.Shape.parent`): an empty child lets a
    /// lone leaf (or nothing) through unhashed; anything else is an internal node.
    function _merge(bytes32 left, uint256 leftShape, bytes32 right, uint256 rightShape)
        private
        pure
        returns (bytes32, uint256)
    {
        if (leftShape == SHAPE_EMPTY && rightShape != SHAPE_NODE) return (right, rightShape);
        if (rightShape == SHAPE_EMPTY && leftShape != SHAPE_NODE) return (left, leftShape);
        return (nodeHash(left, right), SHAPE_NODE);
    }

    /// Folds `h` from `cur.depth` up to depth `target` with the next siblings; false if they run out or
    /// an opening does not hash to its sibling.
    /// @dev The hot loop of every proof, in assembly: per level one bitmap bit, at most one sibling
    ///      read, and one keccak per track over the 65-byte preimage `0x01 || left || right`,
    ///      built in scratch memory past the free-memory pointer (never allocated, so never kept).
    ///      The new track is compacting (Java: `Folding.fold` with shapes): a node of two or more
    ///      leaves hashes as the old one does; a lone leaf or nothing climbs past an empty sibling
    ///      as it is; a lone leaf beside a non-empty sibling becomes a node, and so does an empty
    ///      subtree that was empty before too; a subtree a deletion emptied, beside a non-empty
    ///      sibling, takes the next opening, which must hash to that sibling: a leaf
    ///      (`0x00 || key || valueHash`) moves up alone, a node (`0x01 || left || right`) gets its parent.
    function _climb(Cursor memory cur, bytes32[2] memory h, bytes32 rep, uint256 target, bytes memory proof)
        private
        pure
        returns (bool ok)
    {
        assembly ("memory-safe") {
            // The new track's parent over sibling `sib` on side `right` (1: `x` is the right child).
            function nodeOf(right, sib, x) -> r {
                let sc := mload(0x40)
                mstore8(sc, 1)
                switch right
                case 1 {
                    mstore(add(sc, 1), sib)
                    mstore(add(sc, 33), x)
                }
                default {
                    mstore(add(sc, 1), x)
                    mstore(add(sc, 33), sib)
                }
                r := keccak256(sc, 65)
            }
            // The new track where it is not (yet) a node of two or more leaves (its shape at c + 0xc0
            // is empty or one leaf), beside sibling `sib`, with `old` the old track's node here.
            // act 0: keep the node; 1: hash it with the sibling; 2: replace it with the sibling; 3: fail.
            // Beside an empty sibling it stays as it is; a leaf beside a non-empty sibling becomes a
            // node; so does an empty subtree that was empty before too (a canonical tree's empty
            // subtree has an internal node beside it); a subtree a deletion emptied takes the next
            // opening (offset c + 0xe0 into the proof at c + 0x120), which must hash to the sibling:
            // a leaf moves up alone (2), a node gets its parent (1).
            function compacting(c, sib, old) -> act {
                if iszero(sib) { leave }
                if or(eq(mload(add(c, 0xc0)), 1), iszero(old)) {
                    mstore(add(c, 0xc0), 2)
                    act := 1
                    leave
                }
                let at := mload(add(c, 0xe0))
                if eq(at, mload(add(c, 0x100))) {
                    act := 3
                    leave
                }
                let o := add(add(mload(add(c, 0x120)), 32), at)
                let sc := mload(0x40)
                mstore8(sc, sub(byte(0, mload(o)), 1))
                mstore(add(sc, 1), mload(add(o, 1)))
                mstore(add(sc, 33), mload(add(o, 33)))
                if iszero(eq(keccak256(sc, 65), sib)) {
                    act := 3
                    leave
                }
                mstore(add(c, 0xe0), add(at, 65))
                switch byte(0, mload(o))
                case 1 {
                    mstore(add(c, 0xc0), 1)
                    act := 2
                }
                default {
                    mstore(add(c, 0xc0), 2)
                    act := 1
                }
            }
            let slot := mload(cur)
            let sibAt := add(add(proof, 32), mload(add(cur, 0x20)))
            let d := mload(add(cur, 0xa0))
            let h0 := mload(h)
            let h1 := mload(add(h, 32))
            ok := 1
            for {} gt(d, target) { d := sub(d, 1) } {
                if eq(slot, mload(add(cur, 0x40))) {
                    ok := 0
                    break
                }
                let s := 0
                if iszero(and(shr(sub(7, and(slot, 7)), byte(0, mload(add(add(add(proof, 32), mload(add(cur, 0x60))), shr(3, slot))))), 1)) {
                    s := mload(sibAt)
                    sibAt := add(sibAt, 32)
                }
                slot := add(slot, 1)
                if mload(add(cur, 0x80)) {
                    // (ifs, not a switch: a switch keeps its value on the stack, one slot too many here)
                    if eq(mload(add(cur, 0xc0)), 2) { h1 := nodeOf(and(shr(sub(256, d), rep), 1), s, h1) }
                    if lt(mload(add(cur, 0xc0)), 2) {
                        let act := compacting(cur, s, h0)
                        if eq(act, 3) {
                            ok := 0
                            break
                        }
                        if eq(act, 1) { h1 := nodeOf(and(shr(sub(256, d), rep), 1), s, h1) }
                        if eq(act, 2) { h1 := s }
                    }
                }
                let scratch := mload(0x40)
                mstore8(scratch, 1)
                switch and(shr(sub(256, d), rep), 1)
                case 1 {
                    mstore(add(scratch, 1), s)
                    mstore(add(scratch, 33), h0)
                }
                default {
                    mstore(add(scratch, 1), h0)
                    mstore(add(scratch, 33), s)
                }
                h0 := keccak256(scratch, 65)
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
