package dev.clearline.engine.order;

/**
 * What a pegged order's price follows (docs/protocol.md section 3, "Pegged orders"). Encoded as
 * uint8: NONE=0, MARK=1 (the market's oracle mark price), BOOK=2 (the best price of the order's
 * own side of the book: best bid for a buy, best ask for a sell).
 */
public enum Peg {
    NONE, MARK, BOOK;

    public int code() {
        return ordinal();
    }

    /** Null for an unknown code, so decoders can reject it as bad input. */
    public static Peg fromCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }

    /** {@code values()} copies its array on every call; every order leaf decoded reads a code. */
    private static final Peg[] BY_CODE = values();
}
