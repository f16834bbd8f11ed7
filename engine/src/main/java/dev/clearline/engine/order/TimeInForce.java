package dev.clearline.engine.order;

/** Encoded as uint8: GTC=0, IOC=1, FOK=2. */
public enum TimeInForce {
    GTC, IOC, FOK;

    public int code() {
        return ordinal();
    }

    /** Null for an unknown code, so decoders can reject it as bad input. */
    public static TimeInForce fromCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }

    /** {@code values()} copies its array on every call; every order leaf decoded reads a code. */
    private static final TimeInForce[] BY_CODE = values();
}
