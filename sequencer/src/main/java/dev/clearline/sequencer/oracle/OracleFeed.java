package dev.clearline.sequencer.oracle;

import dev.clearline.engine.order.Eip712;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.transition.Transition;
import dev.clearline.sequencer.l1.SequencerLink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The signed price and funding feed: each round, for every listed market whose oracle is this
 * feed's key, it takes a {@link PriceSource.Quote}, accrues the market's funding index over the
 * time since the market's last oracle report, signs {@code OraclePrice(market, price,
 * fundingIndex, timestamp)} with the EIP-712 domain of the rollup, and puts it into the sequencer's
 * log. The STF checks the signature against the market's oracle key, so a feed with the wrong key
 * is refused, never trusted.
 *
 * <p>Restart-safe: funding continues from the index and time the sequencer's state holds (the feed
 * keeps only the rounding carry, which a restart loses: less than one unit per lot).
 */
public final class OracleFeed {
    private static final Logger log = LoggerFactory.getLogger(OracleFeed.class);

    private final Eip712 domain;
    private final Signer key;
    private final PriceSource source;
    private final FundingRate fundingRate;
    private final SequencerLink sequencer;
    private final Map<Integer, FundingIndex> funding = new HashMap<>();
    private long published;

    /** A feed that charges the funding rate the source quotes. */
    public OracleFeed(Eip712 domain, Signer key, PriceSource source, SequencerLink sequencer) {
        this(domain, key, source, FundingRate.QUOTED, sequencer);
    }

    /** A feed whose funding rates {@code fundingRate} sets (for example from the book's premium: {@link PremiumFunding}). */
    public OracleFeed(Eip712 domain, Signer key, PriceSource source, FundingRate fundingRate, SequencerLink sequencer) {
        this.domain = domain;
        this.key = key;
        this.source = source;
        this.fundingRate = fundingRate;
        this.sequencer = sequencer;
    }

    public long published() {
        return published;
    }

    /** One round at {@code unixSeconds}; returns how many markets got a new price. */
    public int publish(long unixSeconds) throws IOException {
        int n = 0;
        for (SequencerLink.MarketInfo m : sequencer.markets()) {
            if (!m.oracle().equalsIgnoreCase(key.address().toString())) continue;
            long ts = Math.max(unixSeconds, m.lastOracleTs() + 1);
            PriceSource.Quote q;
            try {
                q = source.quote(m.market(), ts);
            } catch (IOException e) {
                log.warn("event=oracle_source_failed market={} error=\"{}\"", Integer.toUnsignedString(m.market()), e.getMessage());
                continue;
            }
            FundingIndex f = funding.computeIfAbsent(m.market(), id -> new FundingIndex(m.fundingIndex()));
            if (f.value() != m.fundingIndex()) f = new FundingIndex(m.fundingIndex()); // another feed moved it: follow the state
            funding.put(m.market(), f);
            long elapsed = m.lastOracleTs() == 0 ? 0 : ts - m.lastOracleTs();
            int market = m.market();
            long rate = fundingRate.ratePpmPerHour(m, notional -> sequencer.depth(market, notional), q, ts);
            long index = f.accrue(q.price(), rate, elapsed);
            Transition.OraclePrice price = new Transition.OraclePrice(m.market(), q.price(), index, ts,
                    key.sign(domain.oraclePriceDigest(m.market(), q.price(), index, ts)));
            Optional<String> reject = sequencer.submit(price);
            if (reject.isPresent()) {
                log.warn("event=oracle_price_refused market={} price={} ts={} reject={}", Integer.toUnsignedString(m.market()), q.price(), ts, reject.get());
                funding.remove(m.market());
                continue;
            }
            published++;
            n++;
            log.debug("event=oracle_price market={} price={} funding_ppm_per_hour={} fundingIndex={} ts={}", Integer.toUnsignedString(m.market()), q.price(), rate, index, ts);
        }
        return n;
    }
}
