package dev.clearline.cli;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Keys;
import org.web3j.crypto.Sign;
import dev.clearline.engine.order.Address;
import dev.clearline.sequencer.api.OrderLifetime;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Option values checked where they are parsed, so a bad value is a usage error with a message
 * that names the valid range, before any command starts work. Picocli prefixes each message
 * with the option's name.
 */
final class Converters {
    private Converters() {}

    /** A secp256k1 private key: exactly 32 bytes of hex (0x optional), in [1, n-1]. The value is never echoed. */
    static final class PrivateKey implements ITypeConverter<Credentials> {
        @Override
        public Credentials convert(String value) {
            String hex = value.strip();
            if (hex.startsWith("0x") || hex.startsWith("0X")) hex = hex.substring(2);
            if (!hex.matches("[0-9a-fA-F]*")) {
                throw new TypeConversionException("a private key is 32 bytes written as 64 hex digits (0x optional); "
                        + "the value given has characters that are not hex digits");
            }
            if (hex.length() != 64) {
                throw new TypeConversionException("a private key is 32 bytes written as 64 hex digits (0x optional); "
                        + "the value given has " + hex.length() + " hex digits");
            }
            BigInteger k = new BigInteger(1, HexFormat.of().parseHex(hex));
            if (k.signum() == 0 || k.compareTo(Sign.CURVE_PARAMS.getN()) >= 0) {
                throw new TypeConversionException("the value is not a valid secp256k1 private key "
                        + "(it must be at least 1 and below the curve order n)");
            }
            return Credentials.create(hex);
        }
    }

    /**
     * An L1 address a person typed: 0x and 40 hex digits. Written in mixed case it carries an EIP-55 checksum, which must
     * hold: a wrong one means a digit was mistyped, and money sent there (a withdrawal's recipient) is gone.
     */
    static final class L1Address implements ITypeConverter<Address> {
        @Override
        public Address convert(String value) {
            String raw = value.strip();
            if (!raw.matches("0[xX][0-9a-fA-F]{40}")) throw new TypeConversionException("'" + raw + "' is not an address: give 0x and 40 hex digits");
            if (!checksumHolds(raw)) {
                throw new TypeConversionException("'" + raw + "' has a wrong EIP-55 checksum (its capitals): a digit is likely mistyped;"
                        + " check it, or give it in lower case");
            }
            return Address.fromHex(raw);
        }

        /** Whether {@code raw} (0x and 40 hex digits) is in one case, or in mixed case with its EIP-55 checksum right. */
        static boolean checksumHolds(String raw) {
            String digits = raw.substring(2);
            boolean oneCase = digits.equals(digits.toLowerCase(Locale.ROOT)) || digits.equals(digits.toUpperCase(Locale.ROOT));
            return oneCase || Keys.toChecksumAddress("0x" + digits).substring(2).equals(digits);
        }
    }

    /** A TCP port for the devnet to listen on: 0 (any free port) to 65535. */
    static final class Port implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            int port = parseInt(value, "a port");
            if (port < 0 || port > 65535) {
                throw new TypeConversionException("a port is 0-65535 (0: any free port), not " + port);
            }
            return port;
        }
    }

    /** An interface address to bind: a literal address or a name that resolves. */
    static final class Host implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            try {
                InetAddress.getByName(value.strip());
            } catch (UnknownHostException e) {
                throw new TypeConversionException("'" + value + "' is not an address or a host name that resolves; "
                        + "use 127.0.0.1 (local only) or 0.0.0.0 (every interface)");
            }
            return value.strip();
        }
    }

    /** An http(s) JSON-RPC endpoint with a host. */
    static class RpcUrl implements ITypeConverter<URI> {
        private final String example;

        RpcUrl() {
            this("http://127.0.0.1:8545");
        }

        RpcUrl(String example) {
            this.example = example;
        }

        @Override
        public URI convert(String value) {
            String hint = "give an http:// or https:// URL with a host, such as " + example;
            URI uri;
            try {
                uri = new URI(value.strip());
            } catch (URISyntaxException e) {
                throw new TypeConversionException("'" + value + "' is not a URL (" + e.getReason() + "); " + hint);
            }
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase();
            if (!scheme.equals("http") && !scheme.equals("https")) {
                throw new TypeConversionException("'" + value + "' is not an http(s) URL; " + hint);
            }
            if (uri.getHost() == null || uri.getHost().isEmpty()) {
                throw new TypeConversionException("'" + value + "' has no host; " + hint);
            }
            return uri;
        }
    }

    /** The sequencer's trader API: an http(s) URL with a host, its example the API's port (the L1's misled a user). */
    static final class ApiUrl extends RpcUrl {
        ApiUrl() {
            super("http://127.0.0.1:8480");
        }
    }

    /**
     * An EIP-155 chain id: 1 to 4503599627370476, the largest id whose signature {@code v} still
     * fits a JavaScript number exactly (EIP-2294), so every wallet can sign for it.
     */
    static final class ChainId implements ITypeConverter<Long> {
        static final long MAX = 4503599627370476L;

        @Override
        public Long convert(String value) {
            long id;
            try {
                id = Long.parseLong(value.strip());
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + value + "' is not a whole number; a chain id is 1 to " + MAX);
            }
            if (id < 1 || id > MAX) {
                throw new TypeConversionException("a chain id is 1 to " + MAX + ", not " + id);
            }
            return id;
        }
    }

    /** Seconds between blocks: 0 (automine) or a positive number of seconds, at most a day, at least 1 ms. */
    static final class BlockTime implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            double seconds;
            try {
                seconds = Double.parseDouble(value.strip());
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + value + "' is not a number of seconds; use 0 for automine or e.g. 2 or 0.5");
            }
            if (Double.isNaN(seconds) || seconds < 0 || seconds > 86_400) {
                throw new TypeConversionException("the block time is 0 (automine) or 0.001 to 86400 seconds, not " + value.strip());
            }
            if (seconds > 0 && seconds < 0.001) {
                throw new TypeConversionException("the block time is 0 (automine) or 0.001 to 86400 seconds, not " + value.strip());
            }
            return Duration.ofNanos(Math.round(seconds * 1e9));
        }
    }

    /** A directory the devnet may keep its chain in: an existing writable directory, or a path that can be created. */
    static final class DataDir implements ITypeConverter<Path> {
        @Override
        public Path convert(String value) {
            Path dir;
            try {
                dir = Path.of(value);
            } catch (InvalidPathException e) {
                throw new TypeConversionException("'" + value + "' is not a valid path (" + e.getReason() + ")");
            }
            if (Files.exists(dir)) {
                if (!Files.isDirectory(dir)) {
                    throw new TypeConversionException(dir + " exists and is not a directory; give a directory (created if missing)");
                }
                if (!Files.isWritable(dir)) {
                    throw new TypeConversionException("cannot write into " + dir + "; give a directory you can write to");
                }
                return dir;
            }
            Path ancestor = dir.toAbsolutePath().getParent();
            while (ancestor != null && !Files.exists(ancestor)) ancestor = ancestor.getParent();
            if (ancestor == null || !Files.isDirectory(ancestor) || !Files.isWritable(ancestor)) {
                throw new TypeConversionException("cannot create " + dir + " (" + (ancestor == null ? "no parent directory"
                        : ancestor + (Files.isDirectory(ancestor) ? " is not writable" : " is not a directory"))
                        + "); give a directory you can write to");
            }
            return dir;
        }
    }

    /**
     * A market id: a uint32 as on L1, 0 to 4294967295, held as the int the engine keeps (from 2^31 up, a negative
     * one; print it with {@code Integer.toUnsignedString}).
     */
    static final class MarketId implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            long id;
            try {
                id = Long.parseLong(value.strip());
            } catch (NumberFormatException e) {
                id = -1;
            }
            if (id < 0 || id > 0xffffffffL) throw new TypeConversionException("a market id is a whole number from 0 to 4294967295, not '" + value + "'");
            return (int) id;
        }
    }

    /** The number of funded dev accounts: 1 to 1000. */
    static final class Accounts implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            return inRange(parseInt(value, "a number of accounts"), 1, 1000, "the number of dev accounts");
        }
    }

    /** Confirmations to wait for: 1 to 1000. */
    static final class Confirmations implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            return inRange(parseInt(value, "a number of confirmations"), 1, 1000, "the number of confirmations");
        }
    }

    /** A timeout in whole seconds: 1 to 86400. */
    static final class TimeoutSeconds implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            return (long) inRange(parseInt(value, "a number of seconds"), 1, 86_400, "the timeout in seconds");
        }
    }

    /**
     * How long an order is good for: a whole number with a unit, {@code s}, {@code m}, {@code h} or
     * {@code d} (90s, 10m, 2h, 7d), from 1 second to 365 days; in seconds.
     */
    static final class Lifetime implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                long seconds = OrderLifetime.parse(value);
                if (seconds > 0) return seconds;
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
            throw new TypeConversionException("'" + value + "' is not a lifetime from 1s to 365d; write a whole number and a unit, e.g. 90s, 10m, 2h or 7d");
        }
    }

    /** A venue's longest order lifetime: a lifetime as {@link Lifetime} takes it, or {@code none} (0: no rule). */
    static final class VenueLifetime implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return OrderLifetime.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage() + ", or none");
            }
        }
    }

    /** How fast `up` runs L1 time: 1 (real time) to 3600 L1 seconds per real second. */
    static final class TimeSpeed implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            return (long) inRange(parseInt(value, "L1 seconds per real second"), 1, 3600, "the time speed");
        }
    }

    /** A collateral amount in human units (up to 6 decimals, "1000" or "12.5"), as base units (1e-6). */
    static final class Amount implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            return positiveUnits(value, "an amount");
        }
    }

    /** Collateral units (Units.parse) more than 0; {@code what} names the value in the refusal ("an amount", "a price"). */
    private static long positiveUnits(String value, String what) {
        long v;
        try {
            v = Units.parse(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
        if (v <= 0) throw new TypeConversionException(what + " must be more than 0, not " + value.strip());
        return v;
    }

    /**
     * A limit price per lot as written (collateral units, up to 6 decimals, more than 0), refused before anything is
     * asked of the venue: a typo offline read "cannot reach the sequencer", and only once it answered the price's own
     * fault. The tick and the highest price are the market's, checked once the venue has said them.
     */
    static final class Price implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            positiveUnits(value, "a price");
            return value.strip();
        }
    }

    /** An order's size in whole lots, 1 or more, refused before anything is asked of the venue. */
    static final class Lots implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            long v = wholeNumber(value, "lots", "2");
            if (v < 1) throw new TypeConversionException("an order is 1 lot or more, not " + v);
            return v;
        }
    }

    /** {@code value} as a whole number (underscores allowed), or a refusal naming what it counts ("lots") with an example. */
    private static long wholeNumber(String value, String of, String example) {
        try {
            return Long.parseLong(value.strip().replace("_", ""));
        } catch (NumberFormatException e) {
            throw new TypeConversionException("'" + value.strip() + "' is not a number of " + of + "; write a whole number, such as " + example);
        }
    }

    /** A wait in whole seconds, from 1 to a day. */
    static final class Seconds implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            long v = wholeNumber(value, "seconds", "120");
            if (v < 1 || v > 86_400) throw new TypeConversionException("a wait of 1 to 86400 seconds, not " + v);
            return v;
        }
    }

    /** A fraction written as a percentage with up to 4 decimals ("10%", "0.05%"), as parts per million. */
    static final class Percent implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            String v = value.strip();
            if (!v.matches("[0-9]+(\\.[0-9]{1,4})?%")) {
                throw new TypeConversionException("'" + v + "' is not a percentage: write it with a % sign and up to 4 decimals, such as 10% or 0.05%");
            }
            java.math.BigDecimal ppm = new java.math.BigDecimal(v.substring(0, v.length() - 1)).movePointRight(4);
            if (ppm.compareTo(java.math.BigDecimal.valueOf(1_000_000)) > 0) throw new TypeConversionException("'" + v + "' is more than 100%");
            return ppm.longValueExact();
        }
    }

    private static int parseInt(String value, String what) {
        try {
            return Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new TypeConversionException("'" + value + "' is not a whole number (expected " + what + ")");
        }
    }

    private static int inRange(int v, int min, int max, String what) {
        if (v < min || v > max) throw new TypeConversionException(what + " is " + min + " to " + max + ", not " + v);
        return v;
    }
}
