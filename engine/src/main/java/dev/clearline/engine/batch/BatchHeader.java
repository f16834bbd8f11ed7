package dev.clearline.engine.batch;

import dev.clearline.engine.order.Hash32;

/** What the sequencer posts on L1 beside the calldata (docs/protocol.md section 6). */
public record BatchHeader(long batchIndex, Hash32 prevStateRoot, Hash32 postStateRoot, int transitionCount,
                          Hash32 transitionsRoot, long priorityOpsConsumed) {}
