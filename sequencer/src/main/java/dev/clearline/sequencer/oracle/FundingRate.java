package dev.clearline.sequencer.oracle;

import dev.clearline.sequencer.l1.SequencerLink;

/**
 * How the oracle feed sets a market's funding rate for one round, in ppm of the price per hour
 * (positive: longs pay shorts). {@link #QUOTED} takes the price source's own rate;
 * {@link PremiumFunding} follows the book's premium over the index price.
 */
@FunctionalInterface
public interface FundingRate {
    /** The price source's rate, as it quoted it. */
    FundingRate QUOTED = (market, quote, unixSeconds) -> quote.fundingRatePpmPerHour();

    /** The rate for {@code market} this round, whose index price the source quoted as {@code quote}, at {@code unixSeconds}. */
    long ratePpmPerHour(SequencerLink.MarketInfo market, PriceSource.Quote quote, long unixSeconds);
}
