package dev.clearline.sequencer.oracle;

import java.io.IOException;

import dev.clearline.sequencer.l1.SequencerLink;

/**
 * How the oracle feed sets a market's funding rate for one round, in ppm of the price per hour
 * (positive: longs pay shorts). {@link #QUOTED} takes the price source's own rate;
 * {@link PremiumFunding} follows the book's premium over the index price.
 */
@FunctionalInterface
public interface FundingRate {
    /** The price source's rate, as it quoted it. */
    FundingRate QUOTED = (market, book, quote, unixSeconds) -> quote.fundingRatePpmPerHour();

    /** A market's book, read only when a rate asks for it (one more query through the log). */
    @FunctionalInterface
    interface Book {
        /** Each side as deep as it takes for its levels' notional to reach {@code notional}. */
        SequencerLink.Depth read(long notional) throws IOException;
    }

    /**
     * The rate for {@code market} this round, whose index price the source quoted as {@code quote},
     * at {@code unixSeconds}; {@code book} reads the market's depth when the rate needs more than its
     * best bid and ask.
     */
    long ratePpmPerHour(SequencerLink.MarketInfo market, Book book, PriceSource.Quote quote, long unixSeconds) throws IOException;
}
