package dev.clearline.prover.dispute;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clearline.contracts.generated.Rollup;
import dev.clearline.devnet.junit.DevnetContext;
import dev.clearline.devnet.junit.RefusingTransport;
import dev.clearline.devnet.junit.WithDevnet;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.protocol.Web3j;

/**
 * The censorship guard when L1 refuses its batch (another proposer got there first, a node behind
 * the chain): it does not ask again on every poll, only once the tip moves or 32 blocks later, and
 * what it sent before the refusal (its bond) is counted; when a node's log answer leaves out the op
 * it would serve, it says so and serves it on the next poll; and it posts from the exact second L1
 * takes its batch. The rollup names dev key 3 its sequencer.
 */
@WithDevnet(parameters = "rollup.sequencer=0x90f79bf6eb2c4f870365e785982e1f101e93b906") // dev key 3
class CensoredOpsResilienceTest {
    /** The operator (dev key 3) posts a batch, so it is not gone, then leaves a deposit; returns that op's index. */
    private static long operatorPostsThenLeavesAnOp(Rollout r, DevnetContext l1) throws Exception {
        var first = r.seal(List.of(r.queued(0))).getFirst();
        r.post(first.header(), first.calldata());
        long op = r.proposer.tip().send().component2().longValueExact();
        r.deposit(l1.key(7), 1_000_000);
        return op;
    }

    @Test
    void aRefusedPostIsTriedAgainExactly32BlocksLaterAndThenPosts(DevnetContext l1, @TempDir Path dir) throws Exception {
        Rollout r = new Rollout(l1);
        Rollup rollup = r.rollupAs(l1.key(4));
        long delay = rollup.forceDelay().send().longValueExact();
        operatorPostsThenLeavesAnOp(r, l1);
        l1.time().advance(Duration.ofSeconds(delay / 2 + 1));

        String submitBatch = rollup.submitBatch(new Rollup.BatchHeader(BigInteger.ZERO, new byte[32], new byte[32], BigInteger.ZERO,
                new byte[32], BigInteger.ZERO), new byte[0]).encodeFunctionCall().substring(0, 10);
        RefusingTransport path = new RefusingTransport(l1.service())
                .refuse(submitBatch, 0, RefusingTransport.error("WrongBatchIndex(uint64,uint64)", 2, 1));
        try (Watcher guard = r.watcher(r.dispute(l1.key(4), Web3j.build(path)), new Watcher.Role(true, true, true, true), dir)) {
            assertThat(guard.poll()).as("its bond, sent before L1 refused the batch, is counted").isEqualTo(1);
            assertThat(path.refusals).isEqualTo(1);
            assertThat(guard.ledger().entries()).extracting(GasLedger.Entry::action).containsExactly("joinProposers");
            // the poll that was refused read the head just before its bond's block
            long bondBlock = l1.web3j().ethGetTransactionReceipt(guard.ledger().entries().getFirst().transactionHash()).send()
                    .getTransactionReceipt().orElseThrow().getBlockNumber().longValueExact();
            long refusedHead = bondBlock - 1;

            l1.time().mineBlocks(refusedHead + 31 - head(l1), 1);
            assertThat(head(l1)).isEqualTo(refusedHead + 31);
            assertThat(guard.poll()).as("31 blocks on, the tip unmoved: not asked again").isZero();
            assertThat(path.refusals).as("estimates refused").isEqualTo(1);

            l1.time().mine();
            assertThat(guard.poll()).as("32 blocks on: asked again, refused again, no second bond").isZero();
            assertThat(path.refusals).isEqualTo(2);
            assertThat(guard.poll()).as("the same head: not asked again").isZero();
            assertThat(path.refusals).isEqualTo(2);

            path.allow();
            l1.time().mineBlocks(32, 1);
            assertThat(guard.poll()).as("32 more blocks, L1 takes it: the batch").isEqualTo(1);
            assertThat(rollup.nextBatchIndex().send()).isEqualTo(BigInteger.TWO);
            assertThat(rollup.batch(BigInteger.ONE).send().proposer).isEqualToIgnoringCase(l1.key(4).getAddress());
            Rollout.accountsForEveryTransaction(guard, l1.web3j());
        }
    }

    /** Due from the second the oldest op has waited half the force delay, as L1's rule has it, not a second before or after. */
    @Test
    void theGuardPostsFromTheExactSecondTheOldestOpHasWaitedHalfTheForceDelay(DevnetContext l1, @TempDir Path dir) throws Exception {
        Rollout r = new Rollout(l1);
        Rollup rollup = r.rollupAs(l1.key(4));
        long delay = rollup.forceDelay().send().longValueExact();
        long op = operatorPostsThenLeavesAnOp(r, l1);
        byte[] encoding = new dev.clearline.prover.l1.RollupLog(l1.web3j(), rollup.getContractAddress()).priorityOpEncoding(op, 0).orElseThrow();
        long due = java.nio.ByteBuffer.wrap(encoding, 9, 8).getLong() + delay / 2;
        try (Watcher guard = r.watcher(l1.key(4), new Watcher.Role(true, true, true, true), dir)) {
            l1.time().setNextBlockTimestamp(due - 1);
            assertThat(guard.poll()).as("a second before it is due").isZero();
            l1.time().mineAt(due - 1);
            l1.time().setNextBlockTimestamp(due);
            assertThat(guard.poll()).as("the second it is due: its bond, then the batch").isEqualTo(2);
            assertThat(rollup.nextBatchIndex().send()).isEqualTo(BigInteger.TWO);
            Rollout.accountsForEveryTransaction(guard, l1.web3j());
        }
    }

    /**
     * A node whose log answer leaves out the queued op's PriorityOpEnqueued event (a node a block behind, behind a load
     * balancer): the guard's poll fails and names the op, nothing is sent, and the next poll, answered in full, posts.
     */
    @Test
    void anOpLeftOutOfALaggingLogAnswerFailsThePollAndIsServedOnTheNext(DevnetContext l1, @TempDir Path dir) throws Exception {
        Rollout r = new Rollout(l1);
        Rollup rollup = r.rollupAs(l1.key(4));
        long delay = rollup.forceDelay().send().longValueExact();
        long op = operatorPostsThenLeavesAnOp(r, l1);
        l1.time().advance(Duration.ofSeconds(delay / 2 + 1));
        var lagging = new dev.clearline.devnet.junit.LaggingLogs(l1.service(), 1,
                org.web3j.abi.EventEncoder.encode(Rollup.PRIORITYOPENQUEUED_EVENT));
        try (Watcher guard = r.watcher(r.dispute(l1.key(4), Web3j.build(lagging)), new Watcher.Role(true, true, true, true), dir)) {
            org.assertj.core.api.Assertions.assertThatThrownBy(guard::poll).isInstanceOf(java.io.IOException.class)
                    .hasMessage("the node has no PriorityOpEnqueued event for op " + op);
            assertThat(guard.ledger().transactions()).as("nothing sent").isZero();
            assertThat(guard.poll()).as("its bond, then the batch").isEqualTo(2);
            assertThat(rollup.nextBatchIndex().send()).isEqualTo(BigInteger.TWO);
        }
    }

    private static long head(DevnetContext l1) throws java.io.IOException {
        return l1.web3j().ethBlockNumber().send().getBlockNumber().longValueExact();
    }
}
