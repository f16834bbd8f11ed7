// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

/// @title Reject
/// @notice Why a transition is refused: the same names and codes as Java's
///         `dev.clearline.engine.stf.Reject` (docs/protocol.md section 5). The enum ordinal is the
///         code; `None` (0) means applied. Codes 2, 28, 29 and 31 are exchange-only and never
///         produced by the STF; they keep their places so the ordinals stay the codes. NOT_OWNER (30)
///         is produced by both the exchange and `CancelRule`.
enum Reject {
    None,
    BAD_SIGNATURE,
    WRONG_DOMAIN,
    UNKNOWN_MARKET,
    PRICE_OFF_TICK,
    SIZE_OFF_LOT,
    BAD_ORDER_FIELDS,
    EXPIRED,
    DUPLICATE_ORDER,
    ORDER_NOT_FOUND,
    ORDER_CANCELLED,
    OVERFILL,
    NOT_CROSSING,
    SAME_SIDE,
    MARKET_MISMATCH,
    SELF_TRADE,
    POST_ONLY_WOULD_TAKE,
    REDUCE_ONLY_WOULD_INCREASE,
    INSUFFICIENT_MARGIN,
    INSUFFICIENT_BALANCE,
    BAD_NONCE,
    NOT_LIQUIDATABLE,
    NO_MARK_PRICE,
    STALE_ORACLE,
    BAD_PRICE,
    PRIORITY_OUT_OF_ORDER,
    OVERFLOW,
    BAD_AMOUNT,
    DUPLICATE_NONCE,
    UNKNOWN_ORDER,
    NOT_OWNER,
    BOOK_REJECTED,
    MALFORMED,
    PRICE_RULE_MISMATCH,
    TIME_IN_FORCE_OVER,
    NOT_DELEVERAGEABLE,
    NOT_EXPIRED,
    BAD_RECIPIENT
}
