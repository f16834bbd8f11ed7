package dev.clearline.sequencer.poster;

import dev.clearline.sequencer.api.TraderApi;
import dev.clearline.sequencer.l1.SequencerLink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.Consumer;

/**
 * What a node does once its L1 loop stops posting: one rule for the sequencer node and for {@code up},
 * which wired it apart before (and could drift apart). A frozen rollup takes no batch and no op any
 * more, for good: the caller stops the node ({@code frozen}). Any other stop (a divergence, a batch
 * L1 cannot take) needs an operator: the trader API halts new orders, amendments, withdrawals and
 * margin moves with the reason, since nothing taken now would reach L1, and keeps serving cancels and
 * reads. The halt goes into the log too ({@link SequencerLink#posting}): only the leader posts, and a
 * cluster's followers kept taking orders before, their APIs told of it by nothing. The sequencer node
 * lifts the halt (in the log too) when it starts a poster anew, which it does by itself on a new leader
 * and for a poster that stopped because governance named another sequencer, once the role is back.
 */
public final class WhenPostingStops {
    private static final Logger log = LoggerFactory.getLogger(WhenPostingStops.class);

    private WhenPostingStops() {}

    /** Halts {@code api} and records the halt through {@code link} when {@code loop} stops for an operator to fix; hands a freeze to {@code frozen}. */
    public static void haltApi(L1Loop loop, SequencerLink link, TraderApi api, Consumer<BatchPoster.Frozen> frozen) {
        loop.stopped().thenAccept(why -> {
            if (why instanceof BatchPoster.Frozen f) {
                frozen.accept(f);
                return;
            }
            String reason = "its batches no longer reach L1 (" + why.getMessage() + ")";
            api.halt(reason);
            // off the loop's thread: the log may take a while to answer (an election), and the halt above holds meanwhile
            Thread.ofVirtual().name("posting-halt").start(() -> {
                try {
                    link.posting(reason);
                } catch (java.io.IOException | RuntimeException e) {
                    log.warn("event=posting_halt_not_logged error=\"{}\" effect=\"this member's API is halted; the others' are not\"", e.getMessage());
                }
            });
        });
    }
}
