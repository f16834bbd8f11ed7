package dev.clearline.sequencer.poster;

import dev.clearline.contracts.generated.Rollup;
import dev.clearline.devnet.junit.DevnetContext;
import dev.clearline.devnet.junit.WithDevnet;
import dev.clearline.sequencer.cluster.LeaderDuties;
import dev.clearline.prover.l1.TxSender;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Leadership moving between members, as the L1 side sees it: each member runs its L1 loop (feed
 * and batch poster) under {@link LeaderDuties}, so only the member that leads posts, and a member
 * that takes over builds a new poster that starts from the rollup's tip. Over several handovers
 * every sealed batch lands on L1 exactly once: one accepted submission and one transaction per
 * batch, none refused or repeated.
 */
@WithDevnet
class PostingAcrossLeadersTest {
    @TempDir
    Path dir;

    @Test
    void onlyTheLeaderPostsAndEachNewLeaderResumesFromTheTipWithoutPostingABatchTwice(DevnetContext l1) throws Exception {
        try (L1World w = new L1World(l1, dir)) {
            Credentials operator = l1.key(7);
            AtomicInteger leader = new AtomicInteger(0);
            List<LeaderDuties> members = new ArrayList<>();
            for (int m = 0; m < 3; m++) {
                int id = m;
                members.add(new LeaderDuties("member-" + m, () -> leader.get() == id, () -> {
                    try {
                        return new L1Loop(l1.web3j(), w.rollupAddress, w.feed(), w.poster(l1.web3j(), operator, TxSender.FeePolicy.defaults()), 100).start();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }, Duration.ofMillis(20)));
            }
            Rollup rollup = Rollup.load(w.rollupAddress, l1.web3j(), operator, L1World.GAS);
            try {
                // member 0 leads first: the queue comes in, it bonds and posts the first batch
                awaitState(w, 3);
                w.price(10_000);
                w.cross(1);
                w.seal();
                long sealed = w.state().path("sealedBatches").asLong();
                awaitPosted(rollup, sealed);
                long txs = nonce(l1.web3j(), operator);

                for (int handover = 1; handover <= 4; handover++) {
                    leader.set(handover % 3);
                    w.cross(1);
                    w.seal();
                    long now = w.state().path("sealedBatches").asLong();
                    assertThat(now).isGreaterThan(sealed);
                    awaitPosted(rollup, now);
                    long after = nonce(l1.web3j(), operator);
                    assertThat(after - txs).as("one transaction per new batch after handover %d", handover).isEqualTo(now - sealed);
                    assertThat(rollup.submissions().send().longValueExact()).isEqualTo(now);
                    txs = after;
                    sealed = now;
                }
                // each member's duties thread looks every 20 ms, but a loaded machine may not run it for a while: wait for the
                // handover to settle (a member that never stops or never starts still fails here), then check the count
                long settle = System.currentTimeMillis() + 30_000;
                while (!onlyLeaderActive(members, leader.get()) && System.currentTimeMillis() < settle) Thread.sleep(20);
                for (int m = 0; m < 3; m++) {
                    assertThat(members.get(m).active()).as("member %d runs its L1 loop only while it leads", m).isEqualTo(m == leader.get());
                }
                assertThat(members.stream().mapToLong(LeaderDuties::starts).sum()).isEqualTo(5);
            } finally {
                for (LeaderDuties d : members) d.close();
            }
        }
    }

    private static boolean onlyLeaderActive(List<LeaderDuties> members, int leader) {
        for (int m = 0; m < members.size(); m++) if (members.get(m).active() != (m == leader)) return false;
        return true;
    }

    private static void awaitState(L1World w, long minSeq) throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        while (w.state().path("seq").asLong() < minSeq) {
            if (System.currentTimeMillis() > deadline) throw new AssertionError("the leader's feed did not carry L1's queue into the log");
            Thread.sleep(50);
        }
    }

    private static void awaitPosted(Rollup rollup, long batches) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        while (rollup.nextBatchIndex().send().longValueExact() < batches) {
            if (System.currentTimeMillis() > deadline) throw new AssertionError("batches up to " + batches + " were not posted in 60 s");
            Thread.sleep(50);
        }
        Thread.sleep(300); // a poster that would post again has had rounds to do it
        assertThat(rollup.nextBatchIndex().send().longValueExact()).isEqualTo(batches);
    }

    private static long nonce(Web3j web3j, Credentials key) throws Exception {
        return web3j.ethGetTransactionCount(key.getAddress(), DefaultBlockParameterName.LATEST).send().getTransactionCount().longValueExact();
    }
}
