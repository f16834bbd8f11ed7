package dev.clearline.cli;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Collateral in human units: the token has 6 decimals, so "12.5" is 12,500,000 base units.
 * Prices are per lot, in the same units, as the exchange and the STF count them.
 */
final class Units {
    static final int DECIMALS = 6;

    private Units() {}

    /** "1000", "12.5", "0.000001" to base units; refuses more than 6 decimals, signs and anything not a number. */
    static long parse(String human) {
        String v = human.strip().replace("_", "").replace(",", "");
        if (!v.matches("[0-9]+(\\.[0-9]*)?|\\.[0-9]+")) {
            throw new IllegalArgumentException("'" + human.strip() + "' is not an amount; write it in collateral units with up to "
                    + DECIMALS + " decimals, such as 1000 or 12.5");
        }
        BigDecimal d = new BigDecimal(v);
        if (d.scale() > DECIMALS && d.stripTrailingZeros().scale() > DECIMALS) {
            throw new IllegalArgumentException("'" + human.strip() + "' has more than " + DECIMALS
                    + " decimals; the collateral's smallest unit is 0.000001");
        }
        BigDecimal base = d.movePointRight(DECIMALS).setScale(0, RoundingMode.UNNECESSARY);
        if (base.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw new IllegalArgumentException("'" + human.strip() + "' is more than the largest amount, "
                    + amount(Long.MAX_VALUE));
        }
        return base.longValueExact();
    }

    /** Base units as a human amount with all 6 decimals ("12.500000"); negative amounts keep their sign. */
    static String amount(long base) {
        return BigDecimal.valueOf(base).movePointLeft(DECIMALS).setScale(DECIMALS, RoundingMode.UNNECESSARY).toPlainString();
    }

    /** As {@link #amount(long)}, for sums and equities that L1 counts in 256 bits. */
    static String amount(java.math.BigInteger base) {
        return new BigDecimal(base).movePointLeft(DECIMALS).setScale(DECIMALS, RoundingMode.UNNECESSARY).toPlainString();
    }

    /** Wei as ether with the decimals it needs and at least one ("1.5", "0.0", "0.000000000000000001"). */
    static String ether(java.math.BigInteger wei) {
        BigDecimal e = new BigDecimal(wei).movePointLeft(18).stripTrailingZeros();
        return (e.scale() < 1 ? e.setScale(1, RoundingMode.UNNECESSARY) : e).toPlainString();
    }

    /**
     * A position or fill size, counted in base units on L2, as lots the way orders are placed ("2 lot(s)"), with a
     * long/short word when {@code signed}; a size that is not a whole number of lots (none the exchange makes) shows its base units.
     */
    static String lots(long size, long lotSize, boolean signed) {
        long magnitude = Math.abs(size);
        String count = lotSize > 0 && magnitude % lotSize == 0 ? Long.toString(magnitude / lotSize)
                : magnitude + " base unit(s), not a whole number of";
        String side = !signed ? "" : size > 0 ? "long " : size < 0 ? "short " : "flat ";
        return side + count + " lot(s)";
    }
}
