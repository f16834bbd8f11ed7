package dev.clearline.engine.stf;

/**
 * Why a transition (or an order at the exchange) was refused. The numeric codes are part of the
 * protocol: the Solidity verifier uses the same names and numbers, and differential tests compare
 * codes. Never renumber; append. WRONG_DOMAIN, DUPLICATE_NONCE, UNKNOWN_ORDER and BOOK_REJECTED are
 * the exchange's alone; NOT_OWNER comes from both the exchange and the STF's {@link CancelRule}.
 */
public enum Reject {
    BAD_SIGNATURE(1, "the signature does not recover to the signer the message names; sign the EIP-712 digest of exactly the fields sent,"
            + " with that key, under this deployment's domain (name Clearline, version 1, its chain id and rollup address: the trader API's GET /state)"),
    WRONG_DOMAIN(2, "signed for another chain id or rollup contract; sign with this deployment's EIP-712 domain"),
    UNKNOWN_MARKET(3, "no market with this id; list markets before trading"),
    PRICE_OFF_TICK(4, "the price is not a positive multiple of the market's tick size"),
    SIZE_OFF_LOT(5, "the size, or a display size other than 0, is not a positive multiple of the market's lot size"),
    BAD_ORDER_FIELDS(6, "the order's fields are inconsistent: it needs a positive size and price, a display size at most the size, known"
            + " flags, post-only only on a GTC order that is not a market order, a market order IOC or FOK and not pegged, a pegOffset only"
            + " with a peg; an amendment keeps the order's market and side"),
    EXPIRED(7, "the order's expiry has passed"),
    DUPLICATE_ORDER(8, "this order (same digest) was already posted"),
    ORDER_NOT_FOUND(9, "no posted order with this hash"),
    ORDER_CANCELLED(10, "the order was cancelled"),
    OVERFILL(11, "the fill would exceed the order's size"),
    NOT_CROSSING(12, "the fill price is beyond the taker's limit (or, for TradeAtPrice, the maker's limit)"),
    SAME_SIDE(13, "both orders are on the same side"),
    MARKET_MISMATCH(14, "the orders are for different markets"),
    SELF_TRADE(15, "maker and taker belong to the same trader"),
    POST_ONLY_WOULD_TAKE(16, "a post-only order would cross the book; reprice it or drop post-only"),
    REDUCE_ONLY_WOULD_INCREASE(17, "a reduce-only order would open or grow the position"),
    INSUFFICIENT_MARGIN(18, "the position would fall below its margin requirement; sign the order with more margin, or allocate more to the position"),
    INSUFFICIENT_BALANCE(19, "the free balance is too small; deposit or release margin first"),
    BAD_NONCE(20, "the request's nonce is not the account's next nonce"),
    NOT_LIQUIDATABLE(21, "the position is at or above maintenance margin"),
    NO_MARK_PRICE(22, "the market has no oracle price yet"),
    STALE_ORACLE(23, "the oracle timestamp does not move forward"),
    BAD_PRICE(24, "the oracle price, or a mark-pegged buy's pegged price, must be positive"),
    PRIORITY_OUT_OF_ORDER(25, "the priority op is not the next unconsumed L1 queue entry"),
    OVERFLOW(26, "an amount would leave the int64 range"),
    BAD_AMOUNT(27, "the amount must be positive"),
    DUPLICATE_NONCE(28, "this trader already used this order nonce; pick a fresh one"),
    UNKNOWN_ORDER(29, "the order is not on the book (filled, cancelled or never placed)"),
    NOT_OWNER(30, "only the order's trader may change it"),
    BOOK_REJECTED(31, "the order book refused the order (FOK not fillable, market order without liquidity, ...)"),
    MALFORMED(32, "the transition bytes do not decode (unknown type, wrong length or a field out of range); re-encode with TransitionCodec"),
    PRICE_RULE_MISMATCH(33, "a book-pegged maker fills only through TradeAtPrice, any other maker only through Trade"),
    TIME_IN_FORCE_OVER(34, "an IOC or FOK order fills only in the batch that posted it"),
    NOT_DELEVERAGEABLE(35, "the insurance fund's position in this market has no negative equity to deleverage"),
    NOT_EXPIRED(36, "an order hash is pruned only once its market's oracle time has passed the order's expiry; an order without expiry keeps its hash"),
    BAD_RECIPIENT(37, "a withdrawal's recipient is the zero address, which L1 can never pay (the claim is a token transfer, and tokens refuse"
            + " that address); sign the withdrawal to the address to be paid");

    private final int code;
    private final String help;

    Reject(int code, String help) {
        this.code = code;
        this.help = help;
    }

    public int code() {
        return code;
    }

    /** What is wrong and what to do about it. */
    public String help() {
        return help;
    }
}
