package dev.clearline.sequencer.poster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.contracts.generated.Rollup;
import dev.clearline.devnet.junit.DevnetContext;
import dev.clearline.devnet.junit.WithDevnet;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Governance hands the sequencer role away from a running node and then back: the node halts new
 * orders while it may not post, and posts and takes orders again once the role is back, without a
 * restart (before, it stayed halted until someone restarted it).
 */
@WithDevnet(http = true, parameters = "rollup.sequencer=" + SequencerKeyTest.SEQUENCER)
class SupervisedL1SideTest {
    @TempDir
    Path dir;

    @Test
    void aRoleHandedAwayHaltsTheNodeAndHandedBackResumesIt(DevnetContext l1) throws Exception {
        List<String> halts = new CopyOnWriteArrayList<>();
        AtomicInteger resumes = new AtomicInteger();
        SupervisedL1Side.Gate gate = new SupervisedL1Side.Gate() {
            @Override
            public void halt(String why) {
                halts.add(why);
            }

            @Override
            public void resume() {
                resumes.incrementAndGet();
            }
        };
        try (L1World w = new L1World(l1, dir)) {
            w.feed().poll();
            w.price(10_000);
            w.cross(1);
            w.seal();
            long chainId = l1.web3j().ethChainId().send().getChainId().longValueExact();
            L1Side.Settings settings = new L1Side.Settings(l1.devnet().rpcUrl(), new Deployment(chainId, w.rollupAddress, w.deployBlock),
                    l1.key(5), 50, 0);
            Rollup governance = Rollup.load(w.rollupAddress, l1.web3j(), l1.deployer(), L1World.GAS);
            List<BatchPoster.Frozen> freezes = new CopyOnWriteArrayList<>();
            try (SupervisedL1Side side = SupervisedL1Side.start(settings, w.link, gate, freezes::add, 100)) {
                await(() -> posted(governance) >= 1, "the sequencer's first batch");

                L1World.ok(governance.setSequencer(l1.key(6).getAddress()).send());
                w.cross(1);
                w.seal();
                await(() -> !halts.isEmpty(), "the node halted");
                assertThat(halts.getFirst()).contains("takes batches from its sequencer " + l1.key(6).getAddress().toLowerCase(),
                        "takes orders again by itself");
                long before = posted(governance);
                assertThat(resumes).hasValue(0);

                L1World.ok(governance.setSequencer(l1.key(5).getAddress()).send());
                await(() -> resumes.get() == 1, "the node resumed");
                await(() -> posted(governance) > before, "the batch sealed meanwhile posted by the new L1 side");
                assertThat(side.current().loop().stoppedBecause()).isEmpty();
                assertThat(halts).hasSize(1);
                assertThat(freezes).isEmpty();
            }
        }
    }

    private static long posted(Rollup rollup) {
        try {
            return rollup.nextBatchIndex().send().longValueExact();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void await(BooleanSupplier done, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("not within 60 s: " + what);
            Thread.sleep(50);
        }
    }
}
