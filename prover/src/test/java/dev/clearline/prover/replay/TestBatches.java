package dev.clearline.prover.replay;

import dev.clearline.engine.batch.Batch;
import dev.clearline.engine.batch.BatchBuilder;
import dev.clearline.engine.batch.BatchHeader;
import dev.clearline.engine.batch.BatchPolicy;
import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.BouncyCastleVerifier;
import dev.clearline.engine.order.Eip712;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.stf.Stf;
import dev.clearline.engine.transition.Transition.Deposit;
import dev.clearline.tree.store.MemoryNodeStore;
import java.util.ArrayList;
import java.util.List;

/** Honest batches from the sequencer's own batch builder (deposits of distinct users), and lies made from them. */
public final class TestBatches {
    public static final Eip712 DOMAIN = new Eip712(31337, Address.fromHex("0x5FbDB2315678afecb367f032d93F642f64180aa3"));

    private TestBatches() {}

    public static Stf stf() {
        return new Stf(DOMAIN, new BouncyCastleVerifier());
    }

    /** {@code count} honest batches of {@code perBatch} deposits each; {@code salt} varies the depositors. */
    public static List<PostedBatch> honest(int count, int perBatch, int salt) {
        BatchBuilder builder = new BatchBuilder(stf(), new MemoryNodeStore(), new BatchPolicy(100_000, 60));
        long priority = 0;
        for (int b = 0; b < count; b++) {
            for (int i = 0; i < perBatch; i++) {
                Address owner = Address.fromHex(String.format("0x%08x%032x", salt, priority));
                var outcome = builder.append(new Deposit(priority, 0, owner, 1_000 + priority), 0);
                if (!outcome.applied()) throw new AssertionError("deposit refused: " + outcome);
                priority++;
            }
            builder.seal();
        }
        List<PostedBatch> out = new ArrayList<>();
        for (Batch batch : builder.takeSealed()) out.add(new PostedBatch(batch.header(), batch.calldata()));
        return out;
    }

    public static PostedBatch withPostRoot(PostedBatch b, Hash32 post) {
        BatchHeader h = b.header();
        return new PostedBatch(new BatchHeader(h.batchIndex(), h.prevStateRoot(), post, h.transitionCount(), h.transitionsRoot(),
                h.priorityOpsConsumed()), b.calldata());
    }
}
