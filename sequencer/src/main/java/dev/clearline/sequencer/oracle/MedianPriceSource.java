package dev.clearline.sequencer.oracle;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A market's price as the median of several endpoints ({@link HttpJsonPriceSource}): each
 * endpoint that is unreachable, malformed or stale is left out with a log line, then every value
 * further than {@code maxDeviationPpm} from the median of the rest is left out as an outlier (also
 * logged), and the median of what remains is the price, provided at least {@code minSources}
 * endpoints remain; otherwise the round is skipped for that market (an {@link IOException} the feed
 * logs), never a price from too few. The funding rate it quotes is the market's configured fixed
 * rate; a market set to premium funding gets its rate from the book instead ({@link #fundingRate}).
 */
public final class MedianPriceSource implements PriceSource {
    private static final Logger log = LoggerFactory.getLogger(MedianPriceSource.class);

    /** One market's endpoints and rules; {@code premium}: funding from the book's premium ({@link PremiumFunding}), null for the fixed rate. */
    public record MarketSources(List<HttpJsonPriceSource> sources, int minSources, long maxDeviationPpm, long fundingRatePpmPerHour,
                                PremiumFunding.Settings premium) {
        public MarketSources {
            sources = List.copyOf(sources);
        }
    }

    private final Map<Integer, MarketSources> markets;

    public MedianPriceSource(Map<Integer, MarketSources> markets) {
        this.markets = Map.copyOf(markets);
    }

    /** How the feed sets these markets' funding: the premium markets from their book, the others at their fixed rate. */
    public FundingRate fundingRate() {
        Map<Integer, PremiumFunding.Settings> premium = new java.util.TreeMap<>();
        markets.forEach((id, m) -> {
            if (m.premium() != null) premium.put(id, m.premium());
        });
        return premium.isEmpty() ? FundingRate.QUOTED : new PremiumFunding(premium);
    }

    /** The markets it prices, ascending. */
    /** A market's sources, as the file listed them (tests). */
    List<HttpJsonPriceSource> sources(int market) {
        return markets.get(market).sources();
    }

    public java.util.Set<Integer> markets() {
        return new java.util.TreeSet<>(markets.keySet());
    }

    @Override
    public Quote quote(int market, long unixSeconds) throws IOException {
        MarketSources m = markets.get(market);
        if (m == null) throw new IOException("no price sources configured for market " + market);
        List<Long> values = new ArrayList<>();
        List<HttpJsonPriceSource> from = new ArrayList<>();
        for (HttpJsonPriceSource s : m.sources()) {
            try {
                values.add(s.read(unixSeconds).price());
                from.add(s);
            } catch (HttpJsonPriceSource.Unusable e) {
                log.warn("event=price_refused market={} source={} reason=\"{}\"", market, s.spec(), e.getMessage());
            }
        }
        long median = median(values);
        List<Long> kept = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            long v = values.get(i);
            long deviationPpm = median == 0 ? 0 : (long) (Math.abs((double) v - median) / median * 1e6);
            if (deviationPpm > m.maxDeviationPpm()) {
                log.warn("event=price_refused market={} source={} reason=\"outlier: {} is {} ppm from the median {} (at most {} allowed)\"",
                        market, from.get(i).spec(), v, deviationPpm, median, m.maxDeviationPpm());
            } else {
                kept.add(v);
            }
        }
        if (kept.size() < m.minSources()) {
            throw new IOException("market " + market + ": only " + kept.size() + " of " + m.sources().size()
                    + " price sources usable, " + m.minSources() + " needed; no price this round");
        }
        return new Quote(median(kept), m.fundingRatePpmPerHour());
    }

    /** The median; of an even count, the mean of the middle two rounded down. 0 for none. */
    static long median(List<Long> values) {
        if (values.isEmpty()) return 0;
        List<Long> s = new ArrayList<>(values);
        s.sort(null);
        int n = s.size();
        if (n % 2 == 1) return s.get(n / 2);
        long a = s.get(n / 2 - 1), b = s.get(n / 2);
        return a + (b - a) / 2;
    }
}
