package dev.clearline.sequencer.oracle;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * One HTTP endpoint that answers JSON with a price in it, read at a JSON pointer (RFC 6901, e.g.
 * {@code /data/price}; a number or a decimal string), multiplied by {@code scale} into the STF's
 * unit (collateral units per lot) and rounded half-even. If {@code timePointer} is set, the
 * answer's own timestamp ({@code timeUnit} seconds or milliseconds) must be within {@code maxAge}
 * of now, else the value is stale; without it the moment of the fetch counts.
 *
 * <p>Polled, not hit every round: a fresh fetch only once {@code pollEvery} has passed since the
 * last one, the last good value used in between, and refused once older than {@code maxAge}.
 * Time comes in as a parameter ({@link #read(long)}), the network through {@link HttpGet}.
 */
public final class HttpJsonPriceSource {
    public enum TimeUnit { SECONDS, MILLISECONDS }

    /**
     * An endpoint: {@code url} and {@code headers} as sent (environment variables expanded), {@code shown}
     * the URL as logs name it (as the file wrote it, no secret in it: {@link SecretTemplate#shownUrl}).
     */
    public record Spec(URI url, Map<String, String> headers, String shown, JsonPointer pricePointer, BigDecimal scale, JsonPointer timePointer,
                       TimeUnit timeUnit) {
        public Spec {
            headers = Map.copyOf(headers);
        }

        /** An endpoint without headers, named in logs by its URL. */
        public Spec(URI url, JsonPointer pricePointer, BigDecimal scale, JsonPointer timePointer, TimeUnit timeUnit) {
            this(url, Map.of(), SecretTemplate.shownUrl(url.toString()), pricePointer, scale, timePointer, timeUnit);
        }

        /** What logs print: never a header, nor a secret of the URL. */
        @Override
        public String toString() {
            return shown;
        }
    }

    /** A value from the endpoint: the price in STF units and the time it stands for (unix seconds). */
    public record Reading(long price, long asOf) {}

    /** Why an endpoint's value cannot be used now: the log line names the endpoint and this reason. */
    public static final class Unusable extends IOException {
        public Unusable(String message) {
            super(message);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Spec spec;
    private final HttpGet http;
    private final long pollEverySeconds;
    private final long maxAgeSeconds;
    private final Duration timeout;
    private Reading last;
    private long lastFetch = Long.MIN_VALUE;
    private Unusable lastFailure;

    public HttpJsonPriceSource(Spec spec, HttpGet http, long pollEverySeconds, long maxAgeSeconds, Duration timeout) {
        this.spec = spec;
        this.http = http;
        this.pollEverySeconds = pollEverySeconds;
        this.maxAgeSeconds = maxAgeSeconds;
        this.timeout = timeout;
    }

    public Spec spec() {
        return spec;
    }

    /** The endpoint's value at {@code nowSeconds}, fetched again if the last fetch is {@code pollEvery} old; refused when stale or bad. */
    public Reading read(long nowSeconds) throws Unusable {
        if (lastFetch == Long.MIN_VALUE || nowSeconds - lastFetch >= pollEverySeconds) {
            lastFetch = nowSeconds;
            try {
                last = fetch(nowSeconds);
                lastFailure = null;
            } catch (Unusable e) {
                lastFailure = e; // the previous good value stays usable until it is too old
            }
        }
        if (last == null) throw lastFailure != null ? lastFailure : new Unusable("no value yet");
        long age = nowSeconds - last.asOf();
        if (age > maxAgeSeconds) {
            String why = "stale: its value is " + age + " s old, more than the " + maxAgeSeconds + " s allowed";
            throw new Unusable(lastFailure == null ? why : why + " (last fetch: " + lastFailure.getMessage() + ")");
        }
        return last;
    }

    private Reading fetch(long nowSeconds) throws Unusable {
        HttpGet.Response r;
        try {
            r = http.get(spec.url(), spec.headers(), timeout);
        } catch (IOException e) {
            throw new Unusable("unreachable: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        }
        if (r.status() != 200) throw new Unusable("answered HTTP " + r.status() + " (expected 200)");
        JsonNode body;
        try {
            body = JSON.readTree(r.body());
        } catch (IOException e) {
            throw new Unusable("malformed: the answer is not JSON (" + firstLine(e.getMessage()) + ")");
        }
        if (body == null || body.isMissingNode()) throw new Unusable("malformed: empty answer");
        BigDecimal raw = number(body.at(spec.pricePointer()), "price", spec.pricePointer());
        BigDecimal scaled = raw.multiply(spec.scale()).setScale(0, RoundingMode.HALF_EVEN);
        if (scaled.signum() <= 0) throw new Unusable("malformed: price " + raw.toPlainString() + " x " + spec.scale().toPlainString() + " is not positive");
        if (scaled.toBigInteger().bitLength() > 63) throw new Unusable("malformed: price " + raw.toPlainString() + " x " + spec.scale().toPlainString() + " does not fit 64 bits");
        long asOf = nowSeconds;
        if (spec.timePointer() != null) {
            BigDecimal t = number(body.at(spec.timePointer()), "time", spec.timePointer());
            if (spec.timeUnit() == TimeUnit.MILLISECONDS) t = t.divide(BigDecimal.valueOf(1000), 0, RoundingMode.FLOOR);
            asOf = t.setScale(0, RoundingMode.FLOOR).longValue();
            if (asOf > nowSeconds + maxAgeSeconds) {
                throw new Unusable("malformed: its time " + asOf + " is " + (asOf - nowSeconds) + " s in the future (is " + spec.timePointer()
                        + " in " + spec.timeUnit().name().toLowerCase() + "?)");
            }
        }
        return new Reading(scaled.longValueExact(), asOf);
    }

    private static BigDecimal number(JsonNode n, String what, JsonPointer at) throws Unusable {
        if (n.isMissingNode() || n.isNull()) throw new Unusable("malformed: no " + what + " at " + at);
        try {
            if (n.isNumber()) return n.decimalValue();
            if (n.isTextual()) return new BigDecimal(n.asText().trim());
        } catch (NumberFormatException e) {
            // falls through to the refusal below
        }
        throw new Unusable("malformed: the " + what + " at " + at + " is not a number: " + abbreviate(n.toString()));
    }

    private static String firstLine(String s) {
        if (s == null) return "";
        int nl = s.indexOf('\n');
        return abbreviate(nl < 0 ? s : s.substring(0, nl));
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
