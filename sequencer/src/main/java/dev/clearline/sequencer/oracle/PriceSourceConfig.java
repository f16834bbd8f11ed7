package dev.clearline.sequencer.oracle;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The price-source file {@code ./clearline sequencer --price-source FILE} reads:
 * <pre>
 * {
 *   "pollSeconds": 5,            // fetch each endpoint at most this often (default 5)
 *   "maxAgeSeconds": 30,         // refuse a value older than this (default 30)
 *   "timeoutMillis": 2000,       // per request (default 2000)
 *   "maxDeviationPpm": 20000,    // refuse a value this far from the median of all (default 2 %)
 *   "markets": {
 *     "1": {
 *       "minSources": 2,                 // default: a majority of the sources
 *       "fundingRatePpmPerHour": 0,      // "funding": "fixed" (the default): this rate, default 0
 *       "funding": "premium",            // or the rate from the book's premium over the index:
 *       "premiumWindowMinutes": 60,      //   averaged over this window (default 60),
 *       "fundingCapPpmPerHour": 1000,    //   never past +- this (default 1000: 0.1 % per hour),
 *       "interestPpmPerHour": 0,         //   plus this (default 0); see PremiumFunding
 *       "impactNotional": 10000000000,   //   the premium of the impact prices for this notional
 *                                        //   (collateral units, as prices are; here 10,000 of a
 *                                        //   6-decimal token); default 0: the premium of the mid
 *       "sources": [
 *         {"url": "https://a.example/ticker", "price": "/data/price", "scale": "1000",
 *          "time": "/data/ts", "timeUnit": "ms"},
 *         {"url": "https://b.example/v1/eth?apikey=${B_KEY}", "price": "/last"},
 *         {"url": "https://c.example/eth", "price": "/p", "headers": {"X-API-KEY": "${C_KEY}"}}
 *       ]
 *     }
 *   }
 * }
 * </pre>
 * {@code price} and {@code time} are JSON pointers (RFC 6901); {@code scale} turns the endpoint's
 * number into collateral units per lot (default 1). {@code headers} are sent with each request.
 * A URL or a header value may name environment variables as {@code ${NAME}}, so that the file holds
 * no key; logs name a source by its URL as written, never a value ({@link SecretTemplate}). Every
 * mistake is refused with the field at fault and what to write instead.
 */
public final class PriceSourceConfig {
    private static final Set<String> TOP = Set.of("pollSeconds", "maxAgeSeconds", "timeoutMillis", "maxDeviationPpm", "markets");
    private static final Set<String> MARKET = Set.of("minSources", "fundingRatePpmPerHour", "sources", "maxDeviationPpm", "funding",
            "premiumWindowMinutes", "fundingCapPpmPerHour", "interestPpmPerHour", "impactNotional");
    /** The fields only a premium market reads. */
    private static final Set<String> PREMIUM = Set.of("premiumWindowMinutes", "fundingCapPpmPerHour", "interestPpmPerHour", "impactNotional");
    private static final Set<String> SOURCE = Set.of("url", "price", "scale", "time", "timeUnit", "headers");

    private PriceSourceConfig() {}

    /**
     * Reads {@code file}, its {@code ${NAME}}s from {@code env} (the node's environment); a missing,
     * unreadable or wrong file is an IllegalArgumentException saying what to fix.
     */
    public static MedianPriceSource read(Path file, HttpGet http, Map<String, String> env) {
        String text;
        try {
            text = Files.readString(file);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalArgumentException("there is no file " + file + " (the price-source file: see sequencer/README.md for its format)");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the price-source file " + file + ": " + e.getMessage());
        }
        try {
            return parse(text, http, env);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage());
        }
    }

    /** As {@link #parse(String, HttpGet, Map)} with no environment: a {@code ${NAME}} is refused. */
    public static MedianPriceSource parse(String json, HttpGet http) {
        return parse(json, http, Map.of());
    }

    public static MedianPriceSource parse(String json, HttpGet http, Map<String, String> env) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(json);
        } catch (IOException e) {
            String m = e.getMessage() == null ? "" : e.getMessage().split("\n")[0];
            throw new IllegalArgumentException("not JSON (" + m + "); see sequencer/README.md for the format");
        }
        if (root == null || !root.isObject()) throw new IllegalArgumentException("expected a JSON object with \"markets\"");
        known(root, TOP, "the top level");
        long poll = positive(root, "pollSeconds", 5);
        long maxAge = positive(root, "maxAgeSeconds", 30);
        long timeout = positive(root, "timeoutMillis", 2_000);
        long deviation = positive(root, "maxDeviationPpm", 20_000);
        if (maxAge < poll) throw new IllegalArgumentException("maxAgeSeconds " + maxAge + " is below pollSeconds " + poll + ": every value would go stale between fetches");
        JsonNode markets = root.path("markets");
        if (!markets.isObject() || markets.isEmpty()) {
            throw new IllegalArgumentException("\"markets\" must be an object of market id to its sources, e.g. {\"1\": {\"sources\": [...]}}");
        }
        Map<Integer, MedianPriceSource.MarketSources> out = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = markets.fields(); it.hasNext(); ) {
            var e = it.next();
            int id;
            try {
                long unsigned = Long.parseLong(e.getKey());
                if (unsigned < 0 || unsigned > 0xffffffffL) throw new NumberFormatException();
                id = (int) unsigned; // a uint32 market id, as on L1
            } catch (NumberFormatException x) {
                throw new IllegalArgumentException("market id \"" + e.getKey() + "\" is not a whole number from 0 to 4294967295");
            }
            String where = "market " + e.getKey();
            JsonNode m = e.getValue();
            if (!m.isObject()) throw new IllegalArgumentException(where + ": expected an object with \"sources\"");
            known(m, MARKET, where);
            JsonNode list = m.path("sources");
            if (!list.isArray() || list.isEmpty()) throw new IllegalArgumentException(where + ": \"sources\" must be a non-empty array of {\"url\", \"price\"}");
            List<HttpJsonPriceSource> sources = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) sources.add(source(list.get(i), where + " source " + (i + 1), http, env, poll, maxAge, timeout));
            long min = m.has("minSources") ? positive(m, "minSources", 1) : sources.size() / 2 + 1;
            if (min > sources.size()) {
                throw new IllegalArgumentException(where + ": minSources " + min + " is more than its " + sources.size() + " source(s)");
            }
            long rate;
            JsonNode r = m.path("fundingRatePpmPerHour");
            if (r.isMissingNode()) rate = 0;
            else if (r.canConvertToLong() && r.isIntegralNumber()) rate = r.asLong();
            else throw new IllegalArgumentException(where + ": fundingRatePpmPerHour must be a whole number (ppm of the price per hour; negative: shorts pay)");
            out.put(id, new MedianPriceSource.MarketSources(sources, (int) min, m.has("maxDeviationPpm") ? positive(m, "maxDeviationPpm", deviation) : deviation, rate,
                    premium(m, where)));
        }
        return new MedianPriceSource(out);
    }

    /** A market's premium funding settings, or null for a fixed rate ({@code "funding"} absent or {@code "fixed"}). */
    private static PremiumFunding.Settings premium(JsonNode m, String where) {
        String mode = m.path("funding").asText("fixed");
        if (mode.equals("fixed") && (!m.has("funding") || m.get("funding").isTextual())) {
            for (String f : PREMIUM) {
                if (m.has(f)) throw new IllegalArgumentException(where + ": \"" + f + "\" applies to \"funding\": \"premium\" only");
            }
            return null;
        }
        if (!mode.equals("premium") || !m.get("funding").isTextual()) {
            throw new IllegalArgumentException(where + ": \"funding\" must be \"fixed\" (fundingRatePpmPerHour) or \"premium\" (the book's premium over"
                    + " the index), got " + m.get("funding"));
        }
        if (m.has("fundingRatePpmPerHour")) {
            throw new IllegalArgumentException(where + ": fundingRatePpmPerHour is the fixed rate; with \"funding\": \"premium\" give interestPpmPerHour instead");
        }
        long window = positive(m, "premiumWindowMinutes", 60);
        long cap = positive(m, "fundingCapPpmPerHour", 1_000);
        JsonNode i = m.path("interestPpmPerHour");
        if (!i.isMissingNode() && !(i.isIntegralNumber() && i.canConvertToLong())) {
            throw new IllegalArgumentException(where + ": interestPpmPerHour must be a whole number of ppm per hour, got " + i);
        }
        JsonNode n = m.path("impactNotional");
        if (!n.isMissingNode() && !(n.isIntegralNumber() && n.canConvertToLong() && n.asLong() >= 0)) {
            throw new IllegalArgumentException(where + ": impactNotional must be a whole number of collateral units, 0 or more (0: the premium of"
                    + " the book's mid), got " + n);
        }
        try {
            return new PremiumFunding.Settings(Duration.ofMinutes(window), cap, i.asLong(0), n.asLong(0));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage() + "; give a larger fundingCapPpmPerHour or a smaller interestPpmPerHour");
        }
    }

    private static HttpJsonPriceSource source(JsonNode s, String where, HttpGet http, Map<String, String> env, long poll, long maxAge,
                                              long timeoutMillis) {
        if (!s.isObject()) throw new IllegalArgumentException(where + ": expected {\"url\": ..., \"price\": \"/json/pointer\"}");
        known(s, SOURCE, where);
        String template = s.path("url").asText("");
        String shown = SecretTemplate.shownUrl(template);
        String url = SecretTemplate.expand(template, env, where + ": url");
        URI uri;
        try {
            uri = new URI(url);
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException(where + ": url \"" + shown + "\" is not a URL (" + e.getReason() + ")");
        }
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new IllegalArgumentException(where + ": url \"" + shown + "\" must be an http:// or https:// URL with a host");
        }
        Map<String, String> headers = headers(s.path("headers"), uri, env, where);
        JsonPointer price = pointer(s, "price", where, true);
        JsonPointer time = pointer(s, "time", where, false);
        BigDecimal scale = BigDecimal.ONE;
        if (s.has("scale")) {
            JsonNode sc = s.get("scale");
            try {
                scale = sc.isNumber() ? sc.decimalValue() : new BigDecimal(sc.asText());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(where + ": scale " + sc + " is not a number (what to multiply the endpoint's price by to get collateral units per lot)");
            }
            if (scale.signum() <= 0) throw new IllegalArgumentException(where + ": scale must be positive, got " + scale.toPlainString());
        }
        HttpJsonPriceSource.TimeUnit unit = switch (s.path("timeUnit").asText("s")) {
            case "s" -> HttpJsonPriceSource.TimeUnit.SECONDS;
            case "ms" -> HttpJsonPriceSource.TimeUnit.MILLISECONDS;
            default -> throw new IllegalArgumentException(where + ": timeUnit must be \"s\" or \"ms\", got " + s.get("timeUnit"));
        };
        if (s.has("timeUnit") && time == null) throw new IllegalArgumentException(where + ": timeUnit given without \"time\" (the pointer to the answer's timestamp)");
        return new HttpJsonPriceSource(new HttpJsonPriceSource.Spec(uri, headers, shown, price, scale, time, unit), http, poll, maxAge,
                Duration.ofMillis(timeoutMillis));
    }

    /**
     * A source's {@code "headers"}: names to string values, variables expanded; each must be a header the
     * JDK's client sends (not Host, Connection, Content-Length, Expect or Upgrade; no line breaks).
     */
    private static Map<String, String> headers(JsonNode h, URI uri, Map<String, String> env, String where) {
        if (h.isMissingNode()) return Map.of();
        if (!h.isObject()) {
            throw new IllegalArgumentException(where + ": \"headers\" must be an object of header names to values, e.g. {\"X-API-KEY\": \"${MY_KEY}\"}");
        }
        Map<String, String> out = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (Iterator<Map.Entry<String, JsonNode>> it = h.fields(); it.hasNext(); ) {
            var e = it.next();
            if (!e.getValue().isTextual()) {
                throw new IllegalArgumentException(where + ": header \"" + e.getKey() + "\" must be a string (a secret as \"${NAME}\"), got "
                        + e.getValue().getNodeType().name().toLowerCase(java.util.Locale.ROOT));
            }
            String value = SecretTemplate.expand(e.getValue().asText(), env, where + ": header \"" + e.getKey() + "\"");
            try {
                java.net.http.HttpRequest.newBuilder(uri).header(e.getKey(), value); // the client's own rules: what it would refuse at each request
            } catch (IllegalArgumentException x) {
                throw new IllegalArgumentException(where + ": header \"" + e.getKey() + "\" cannot be sent (a header name of letters, digits and"
                        + " -, a value on one line, not one the HTTP client sets itself: Host, Connection, Content-Length, Expect, Upgrade)");
            }
            if (out.put(e.getKey(), value) != null) throw new IllegalArgumentException(where + ": header \"" + e.getKey() + "\" given twice");
        }
        return out;
    }

    private static JsonPointer pointer(JsonNode s, String field, String where, boolean required) {
        if (!s.has(field)) {
            if (required) throw new IllegalArgumentException(where + ": \"" + field + "\" is missing (a JSON pointer such as \"/data/" + field + "\")");
            return null;
        }
        String p = s.get(field).asText("");
        try {
            if (!p.startsWith("/")) throw new IllegalArgumentException();
            return JsonPointer.compile(p);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": \"" + field + "\" is \"" + p + "\", not a JSON pointer; write it like \"/data/" + field + "\" or \"/0/" + field + "\"");
        }
    }

    private static long positive(JsonNode n, String field, long otherwise) {
        JsonNode v = n.path(field);
        if (v.isMissingNode()) return otherwise;
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() <= 0) {
            throw new IllegalArgumentException("\"" + field + "\" must be a positive whole number, got " + v);
        }
        return v.asLong();
    }

    private static void known(JsonNode n, Set<String> allowed, String where) {
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!allowed.contains(f)) throw new IllegalArgumentException(where + ": unknown field \"" + f + "\"; known: " + String.join(", ", new java.util.TreeSet<>(allowed)));
        }
    }
}
