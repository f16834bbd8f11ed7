package dev.clearline.testkit.property;

import java.util.Optional;

/**
 * Run settings read once per property from system properties, which Maven passes through:
 * {@code -Dclearline.seed=N} replays a case (decimal, {@code 0x} hex, or {@code random} for a
 * fresh seed each run), {@code -Dclearline.tries=X} multiplies every property's tries (a long
 * campaign: {@code -Dclearline.tries=100}).
 */
record Settings(Optional<Long> seed, boolean randomSeed, double triesMultiplier) {

    static final String SEED = "clearline.seed";
    static final String TRIES = "clearline.tries";

    static Settings fromSystemProperties() {
        String seedText = System.getProperty(SEED, "").trim();
        String triesText = System.getProperty(TRIES, "").trim();
        double multiplier = 1.0;
        if (!triesText.isEmpty()) {
            try {
                multiplier = Double.parseDouble(triesText);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("-D" + TRIES + "=" + triesText + " is not a number; give a multiplier such as 10 or 0.5");
            }
            if (!(multiplier > 0)) throw new IllegalArgumentException("-D" + TRIES + " must be positive, got " + triesText);
        }
        if (seedText.isEmpty()) return new Settings(Optional.empty(), false, multiplier);
        if (seedText.equalsIgnoreCase("random")) return new Settings(Optional.empty(), true, multiplier);
        try {
            long seed = seedText.startsWith("0x") || seedText.startsWith("0X")
                    ? Long.parseUnsignedLong(seedText.substring(2), 16)
                    : Long.parseLong(seedText);
            return new Settings(Optional.of(seed), false, multiplier);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + SEED + "=" + seedText + " is not a seed; give the number a failure printed, or 'random'");
        }
    }
}
