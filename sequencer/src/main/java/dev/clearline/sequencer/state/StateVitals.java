package dev.clearline.sequencer.state;

/**
 * The figures of a sequencer state an operator watches, read between commands: how far the log is applied ({@code seq},
 * and {@code time}, the latest clock a command carried, in unix seconds), how far L1 took it (batches sealed,
 * posted, final, and the priority ops consumed from L1's queue), what waits for the next batch, the state's size, and
 * whether the batch poster is halted. Each is the same on every member that applied the same log.
 */
public record StateVitals(long seq, long time, long sealedBatches, long batchesPosted, long batchesFinal, long openTransitions,
                          long priorityOpsConsumed, int leaves, boolean postingHalted) {}
