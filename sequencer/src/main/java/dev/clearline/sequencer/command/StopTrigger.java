package dev.clearline.sequencer.command;

/**
 * When an armed stop fires: at a price the mark reaches, or at a distance behind the best mark since it was armed. Both in
 * quote units per lot, on the market's tick; the state machine checks them against the market when it arms the stop.
 */
public sealed interface StopTrigger {
    /** Fires once the mark reaches {@code price}: a sell's falls to it, a buy's rises to it. */
    record At(long price) implements StopTrigger {}

    /**
     * Trails the mark by {@code distance}: a sell's trigger starts that far under the mark and rises with it, never falls
     * (a trailing stop-loss on a long keeps the gains it locked in), a buy's starts that far over it and only falls.
     */
    record Trailing(long distance) implements StopTrigger {}
}
