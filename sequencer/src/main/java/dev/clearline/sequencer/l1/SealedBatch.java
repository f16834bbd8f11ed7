package dev.clearline.sequencer.l1;

import dev.clearline.engine.batch.BatchHeader;

/** A batch the sequencer sealed, as it goes to L1: the header and the transitions' calldata. */
public record SealedBatch(BatchHeader header, byte[] calldata) {
    public SealedBatch {
        calldata = calldata.clone();
    }

    @Override
    public byte[] calldata() {
        return calldata.clone();
    }
}
