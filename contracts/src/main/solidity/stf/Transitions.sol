// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

/// Transitions as decoded from their one encoding (docs/protocol.md section 5): a type byte, then
/// the fields big-endian, fixed width, no padding. Twin of Java's `TransitionCodec`.

/// @notice The fields every priority op (types 1-4) starts with.
struct PriorityHeader {
    uint64 priorityIndex;
    uint64 enqueueTime;
}

struct Deposit {
    PriorityHeader op;
    address owner;
    uint64 amount;
}

struct MarketConfig {
    PriorityHeader op;
    uint32 marketId;
    uint64 tickSize;
    uint64 lotSize;
    uint32 imfPpm;
    uint32 mmfPpm;
    uint32 makerFeePpm;
    uint32 takerFeePpm;
    uint32 liquidationFeePpm;
    address oracle;
}

struct ForcedWithdrawal {
    PriorityHeader op;
    address owner;
    uint64 amount;
}

struct ForcedCancel {
    PriorityHeader op;
    address owner;
    bytes32 orderHash;
}

/// @notice r || s || v, as signed.
struct Sig {
    bytes32 r;
    bytes32 s;
    uint8 v;
}

struct OraclePrice {
    uint32 marketId;
    uint64 price;
    int64 fundingIndex;
    uint64 timestamp;
    Sig sig;
}

/// @notice Exactly the fields of the EIP-712 `Order` struct, in its order: `abi.encode(typeHash, order)`
///         is the struct's encoding.
struct Order {
    address trader;
    uint32 marketId;
    bool isBuy;
    uint64 price;
    uint64 size;
    uint64 displaySize;
    uint8 timeInForce;
    uint8 flags;
    uint8 peg;
    int32 pegOffset;
    uint64 expiry;
    uint64 nonce;
    uint64 margin;
}

struct PostOrder {
    Order order;
    Sig sig;
}

/// @notice Orders named by the short ids their PostOrder gave them (u48 on the wire).
struct Trade {
    uint64 makerId;
    uint64 takerId;
    uint64 size;
}

/// @notice A fill of a book-pegged maker at an explicit price (type 13).
struct TradeAtPrice {
    uint64 makerId;
    uint64 takerId;
    uint64 size;
    uint64 price;
}

struct Cancel {
    address owner;
    bytes32 orderHash;
    Sig sig;
}

/// @notice Allocate (type 9) and Release (type 10) share their fields.
struct MarginMove {
    address owner;
    uint32 marketId;
    uint64 amount;
    uint64 nonce;
    Sig sig;
}

struct Withdraw {
    address owner;
    address recipient;
    uint64 amount;
    uint64 nonce;
    Sig sig;
}

/// @notice Closes `size` of the insurance fund's underwater position against `counterparty` (type 14).
struct Deleverage {
    uint32 marketId;
    address counterparty;
    uint64 size;
}

struct Liquidate {
    address owner;
    uint32 marketId;
}

/// @notice Deletes the ORDER leaf of the order with this short id (type 15; u48 on the wire).
struct PruneOrder {
    uint64 orderId;
}

/// @notice Deletes the ORDER_HASH leaf of an order hash whose expiry its market's clock has passed
///         (type 16; the 32-byte digest on the wire).
struct PruneOrderHash {
    bytes32 orderHash;
}

/// @title Transitions
/// @notice Type bytes, lengths and decoders. Every decoder returns `ok = false` for bytes Java's
///         `TransitionCodec.decode` refuses (wrong length, a u64 field >= 2^63, a fraction >= 2^31,
///         side not 0/1, time in force above 2), which the step reports as `Reject.MALFORMED`.
library Transitions {
    uint8 internal constant DEPOSIT = 1;
    uint8 internal constant MARKET_CONFIG = 2;
    uint8 internal constant FORCED_WITHDRAWAL = 3;
    uint8 internal constant FORCED_CANCEL = 4;
    uint8 internal constant ORACLE_PRICE = 5;
    uint8 internal constant POST_ORDER = 6;
    uint8 internal constant TRADE = 7;
    uint8 internal constant CANCEL = 8;
    uint8 internal constant ALLOCATE = 9;
    uint8 internal constant RELEASE = 10;
    uint8 internal constant WITHDRAW = 11;
    uint8 internal constant LIQUIDATE = 12;
    uint8 internal constant TRADE_AT_PRICE = 13;
    uint8 internal constant DELEVERAGE = 14;
    uint8 internal constant PRUNE_ORDER = 15;
    uint8 internal constant PRUNE_ORDER_HASH = 16;
    uint8 internal constant LAST_TYPE = 16;

    /// @notice Encoded length of each type, type byte included; 0 for an unknown type.
    function length(uint256 t) internal pure returns (uint256) {
        // byte t (from the least significant) is the length of type t:
        // 0, 45, 77, 45, 69, 94, 146, 21, 118, 106, 106, 122, 25, 29, 33, 7, 33
        if (t > LAST_TYPE) return 0;
        return (0x2107211d197a6a6a7615925e452d4d2d00 >> (8 * t)) & 0xff;
    }

    /// @notice The type byte of well-formed bytes, 0 when empty, unknown or of the wrong length.
    function typeOf(bytes calldata b) internal pure returns (uint8) {
        if (b.length == 0) return 0;
        uint8 t = uint8(b[0]);
        return length(t) == b.length ? t : 0;
    }

    function decodeDeposit(bytes calldata b) internal pure returns (bool ok, Deposit memory d) {
        bool h;
        (h, d.op) = _header(b);
        d.owner = _address(b, 17);
        uint64 amount;
        (ok, amount) = _u63(b, 37);
        d.amount = amount;
        ok = ok && h;
    }

    function decodeMarketConfig(bytes calldata b) internal pure returns (bool ok, MarketConfig memory c) {
        bool h;
        (h, c.op) = _header(b);
        c.marketId = _u32(b, 17);
        (bool t, uint64 tick) = _u63(b, 21);
        (bool l, uint64 lot) = _u63(b, 29);
        c.tickSize = tick;
        c.lotSize = lot;
        c.imfPpm = _u32(b, 37);
        c.mmfPpm = _u32(b, 41);
        c.makerFeePpm = _u32(b, 45);
        c.takerFeePpm = _u32(b, 49);
        c.liquidationFeePpm = _u32(b, 53);
        c.oracle = _address(b, 57);
        bool fractions = c.imfPpm < 2 ** 31 && c.mmfPpm < 2 ** 31 && c.makerFeePpm < 2 ** 31 && c.takerFeePpm < 2 ** 31
            && c.liquidationFeePpm < 2 ** 31;
        ok = h && t && l && fractions;
    }

    function decodeForcedWithdrawal(bytes calldata b) internal pure returns (bool ok, ForcedWithdrawal memory f) {
        bool h;
        (h, f.op) = _header(b);
        f.owner = _address(b, 17);
        uint64 amount;
        (ok, amount) = _u63(b, 37);
        f.amount = amount;
        ok = ok && h;
    }

    function decodeForcedCancel(bytes calldata b) internal pure returns (bool ok, ForcedCancel memory f) {
        (ok, f.op) = _header(b);
        f.owner = _address(b, 17);
        f.orderHash = bytes32(b[37:69]);
    }

    function decodeOraclePrice(bytes calldata b) internal pure returns (bool ok, OraclePrice memory o) {
        o.marketId = _u32(b, 1);
        (bool p, uint64 price) = _u63(b, 5);
        o.price = price;
        o.fundingIndex = int64(uint64(bytes8(b[13:21])));
        (bool t, uint64 ts) = _u63(b, 21);
        o.timestamp = ts;
        o.sig = _sig(b, 29);
        ok = p && t;
    }

    function decodePostOrder(bytes calldata b) internal pure returns (bool ok, PostOrder memory p) {
        Order memory o = p.order;
        o.trader = _address(b, 1);
        o.marketId = _u32(b, 21);
        uint8 side = uint8(b[25]);
        o.isBuy = side == 0;
        ok = side <= 1;
        bool f;
        (f, o.price) = _u63(b, 26);
        ok = ok && f;
        (f, o.size) = _u63(b, 34);
        ok = ok && f;
        (f, o.displaySize) = _u63(b, 42);
        ok = ok && f;
        o.timeInForce = uint8(b[50]);
        ok = ok && o.timeInForce <= 2;
        o.flags = uint8(b[51]);
        o.peg = uint8(b[52]);
        ok = ok && o.peg <= 2;
        o.pegOffset = int32(uint32(bytes4(b[53:57])));
        (f, o.expiry) = _u63(b, 57);
        ok = ok && f;
        (f, o.nonce) = _u63(b, 65);
        ok = ok && f;
        (f, o.margin) = _u63(b, 73);
        ok = ok && f;
        p.sig = _sig(b, 81);
    }

    function decodeTrade(bytes calldata b) internal pure returns (bool ok, Trade memory t) {
        t.makerId = uint48(bytes6(b[1:7]));
        t.takerId = uint48(bytes6(b[7:13]));
        (ok, t.size) = _u63(b, 13);
    }

    function decodeTradeAtPrice(bytes calldata b) internal pure returns (bool ok, TradeAtPrice memory t) {
        t.makerId = uint48(bytes6(b[1:7]));
        t.takerId = uint48(bytes6(b[7:13]));
        (bool s, uint64 size) = _u63(b, 13);
        (bool p, uint64 price) = _u63(b, 21);
        t.size = size;
        t.price = price;
        ok = s && p;
    }

    function decodeCancel(bytes calldata b) internal pure returns (bool ok, Cancel memory c) {
        c.owner = _address(b, 1);
        c.orderHash = bytes32(b[21:53]);
        c.sig = _sig(b, 53);
        ok = true;
    }

    function decodeMarginMove(bytes calldata b) internal pure returns (bool ok, MarginMove memory m) {
        m.owner = _address(b, 1);
        m.marketId = _u32(b, 21);
        (bool a, uint64 amount) = _u63(b, 25);
        (bool n, uint64 nonce) = _u63(b, 33);
        m.amount = amount;
        m.nonce = nonce;
        m.sig = _sig(b, 41);
        ok = a && n;
    }

    function decodeWithdraw(bytes calldata b) internal pure returns (bool ok, Withdraw memory w) {
        w.owner = _address(b, 1);
        w.recipient = _address(b, 21);
        (bool a, uint64 amount) = _u63(b, 41);
        (bool n, uint64 nonce) = _u63(b, 49);
        w.amount = amount;
        w.nonce = nonce;
        w.sig = _sig(b, 57);
        ok = a && n;
    }

    function decodeDeleverage(bytes calldata b) internal pure returns (bool ok, Deleverage memory d) {
        d.marketId = _u32(b, 1);
        d.counterparty = _address(b, 5);
        (ok, d.size) = _u63(b, 25);
    }

    function decodeLiquidate(bytes calldata b) internal pure returns (bool ok, Liquidate memory l) {
        l.owner = _address(b, 1);
        l.marketId = _u32(b, 21);
        ok = true;
    }

    function decodePruneOrder(bytes calldata b) internal pure returns (bool ok, PruneOrder memory p) {
        p.orderId = uint48(bytes6(b[1:7]));
        ok = true;
    }

    function decodePruneOrderHash(bytes calldata b) internal pure returns (bool ok, PruneOrderHash memory p) {
        p.orderHash = bytes32(b[1:33]);
        ok = true;
    }

    function _header(bytes calldata b) private pure returns (bool ok, PriorityHeader memory h) {
        (bool i, uint64 index) = _u63(b, 1);
        (bool t, uint64 time) = _u63(b, 9);
        h.priorityIndex = index;
        h.enqueueTime = time;
        ok = i && t;
    }

    function _u63(bytes calldata b, uint256 offset) private pure returns (bool, uint64 v) {
        v = uint64(bytes8(b[offset:offset + 8]));
        return (v < 2 ** 63, v);
    }

    function _u32(bytes calldata b, uint256 offset) private pure returns (uint32) {
        return uint32(bytes4(b[offset:offset + 4]));
    }

    function _address(bytes calldata b, uint256 offset) private pure returns (address) {
        return address(bytes20(b[offset:offset + 20]));
    }

    function _sig(bytes calldata b, uint256 offset) private pure returns (Sig memory s) {
        s.r = bytes32(b[offset:offset + 32]);
        s.s = bytes32(b[offset + 32:offset + 64]);
        s.v = uint8(b[offset + 64]);
    }
}
