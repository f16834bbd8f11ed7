package dev.clearline.engine.stf;

import dev.clearline.engine.transition.Transition.TradeAtPrice;

/**
 * A fill of a book-pegged maker at the price the sequencer states. The tree does not hold the book,
 * so that price is checked only against the maker's limit and the taker's limit (and the tick);
 * every other check is {@link TradeRule}'s.
 */
final class TradeAtPriceRule implements Rule<TradeAtPrice> {
    @Override
    public Reject execute(StateView s, TradeAtPrice t) {
        return TradeRule.fill(s, t.makerId(), t.takerId(), t.size(), t.price(), true);
    }
}
