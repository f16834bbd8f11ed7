package dev.clearline.engine.book;

/** Why the book refused a request. Codes are stable and part of the event stream. */
public enum RejectReason {
    SIZE_OUT_OF_RANGE(1, "size must be between 1 lot and the market's maximum order size; convert the quantity to lots and check it"),
    PRICE_OUT_OF_RANGE(2, "price must be between 1 tick and the market's maximum price; convert the price to ticks and check it"),
    DISPLAY_OUT_OF_RANGE(3, "an iceberg's displayed size must be between 1 lot and its total size; use 0 for a fully displayed order"),
    UNKNOWN_FLAGS(4, "unknown flag bits; use the constants in OrderFlags"),
    INVALID_COMBINATION(5, "post-only and iceberg orders must be GTC"),
    ALREADY_EXPIRED(6, "the order's expiresAt is in the past; sign a new order with a later expiry"),
    DUPLICATE_ORDER_ID(7, "an order with this id is already on the book; use a fresh order id"),
    UNKNOWN_ORDER(8, "no order with this id rests on the book (it was filled, cancelled, expired or never placed)"),
    ORDER_EXPIRED(9, "the order expired before this request; it has been removed from the book"),
    POST_ONLY_WOULD_CROSS(10, "a post-only order would trade immediately; move its price away from the opposite best"),
    FILL_OR_KILL_NOT_FILLABLE(11, "not enough opposite liquidity at acceptable prices to fill the whole FOK order; nothing was changed"),
    REDUCE_ONLY_NOTHING_TO_REDUCE(12, "a reduce-only order needs an open position on the opposite side; the reducible size is 0"),
    BOOK_FULL(13, "the book has no free order slot; cancel resting orders or raise the market's order capacity"),
    PEG_OFFSET_OUT_OF_RANGE(14, "a pegged order's offset must be smaller in ticks than the market's maximum price; sign a smaller offset"),
    FILL_OR_KILL_TOO_MANY_FILLS(15, "the FOK order would need more fills than one order may make (the book's fill limit per order); nothing was"
            + " changed: split it into smaller orders, or send it as IOC to fill up to the limit");

    private final int code;
    private final String message;

    RejectReason(int code, String message) {
        this.code = code;
        this.message = message;
    }

    /** A stable numeric code for logs and wire formats. */
    public int code() {
        return code;
    }

    /** What went wrong and what to do about it. */
    public String message() {
        return message;
    }
}
