package dev.clearline.sequencer.poster;

import dev.clearline.sequencer.api.TraderApi;

import java.util.function.Consumer;

/**
 * What a node does once its L1 loop stops posting: one rule for the sequencer node and for {@code up},
 * which wired it apart before (and could drift apart). A frozen rollup takes no batch and no op any
 * more, for good: the caller stops the node ({@code frozen}). Any other stop (a divergence, a batch
 * L1 cannot take) needs an operator: the trader API halts new orders, amendments, withdrawals and
 * margin moves with the reason, since nothing taken now would reach L1, and keeps serving cancels and
 * reads. The sequencer node lifts this halt when it starts a poster anew, which it does by itself
 * only for a poster that stopped because governance named another sequencer, once the role is back.
 */
public final class WhenPostingStops {
    private WhenPostingStops() {}

    /** Halts {@code api} when {@code loop} stops for an operator to fix; hands a freeze to {@code frozen}. */
    public static void haltApi(L1Loop loop, TraderApi api, Consumer<BatchPoster.Frozen> frozen) {
        loop.stopped().thenAccept(why -> {
            if (why instanceof BatchPoster.Frozen f) frozen.accept(f);
            else api.halt("its batches no longer reach L1 (" + why.getMessage() + ")");
        });
    }
}
