package dev.clearline.prover.replay;

import dev.clearline.engine.batch.BatchHeader;

/**
 * A batch as L1 shows it: the header the proposer claimed and the calldata it posted. Nothing in
 * it is trusted; {@link BatchVerifier} judges it.
 */
public record PostedBatch(BatchHeader header, byte[] calldata) {
    public PostedBatch {
        calldata = calldata.clone();
    }

    @Override
    public byte[] calldata() {
        return calldata.clone();
    }
}
