package dev.clearline.engine.risk;

/**
 * The integer arithmetic of docs/protocol.md section 4. Every result must fit int64; when one
 * would not, the operation returns {@link #OVERFLOW} instead of wrapping, and the caller turns
 * that into {@code Reject.OVERFLOW}. Solidity does the same sums in int256 and checks the same
 * int64 bound after every listed step, so both sides reject the same inputs.
 */
public final class Fixed {
    /** A sentinel no legitimate value takes: every checked result is > Long.MIN_VALUE. */
    public static final long OVERFLOW = Long.MIN_VALUE;
    public static final long PPM = 1_000_000L;

    private Fixed() {}

    public static long add(long a, long b) {
        if (a == OVERFLOW || b == OVERFLOW) return OVERFLOW;
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 || r == OVERFLOW ? OVERFLOW : r;
    }

    public static long sub(long a, long b) {
        if (a == OVERFLOW || b == OVERFLOW) return OVERFLOW;
        long r = a - b;
        return ((a ^ b) & (a ^ r)) < 0 || r == OVERFLOW ? OVERFLOW : r;
    }

    public static long mul(long a, long b) {
        if (a == OVERFLOW || b == OVERFLOW) return OVERFLOW;
        long hi = Math.multiplyHigh(a, b);
        long lo = a * b;
        if ((hi != 0 || lo < 0) && (hi != -1 || lo >= 0)) return OVERFLOW;
        return lo == OVERFLOW ? OVERFLOW : lo;
    }

    /**
     * ceil(a * ppm / 1e6) for 0 <= a and 0 <= ppm <= 1e6, exact without a wider type:
     * a = q*1e6 + r, so a*ppm/1e6 = q*ppm + r*ppm/1e6 with r*ppm < 1e12. Never overflows (result <= a).
     */
    public static long mulPpmUp(long a, long ppm) {
        if (a == OVERFLOW) return OVERFLOW;
        long q = a / PPM;
        long r = a % PPM;
        long rest = r * ppm;
        return q * ppm + rest / PPM + (rest % PPM != 0 ? 1 : 0);
    }

    /** Notional of {@code size} base units at {@code price} quote units per lot: (size / lot) * price, signed. */
    public static long notional(long size, long lotSize, long price) {
        return mul(size / lotSize, price);
    }

    public static long abs(long a) {
        return a == OVERFLOW ? OVERFLOW : Math.abs(a);
    }
}
