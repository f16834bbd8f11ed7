package dev.clearline.prover.dispute;

import dev.clearline.contracts.generated.Rollup;
import dev.clearline.engine.batch.BatchHeader;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.transition.Transition;
import dev.clearline.prover.l1.L1Clock;
import dev.clearline.prover.l1.RollupLog;
import dev.clearline.prover.l1.SequencerSilence;
import dev.clearline.prover.replay.BatchVerifier;
import dev.clearline.prover.replay.PostedBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.tuples.generated.Tuple3;

import java.io.IOException;
import java.math.BigInteger;
import java.util.List;

/**
 * A watcher's guard against censorship: when the operator leaves a queued op (a deposit, a forced
 * withdrawal or cancel) waiting half the force delay, the watcher posts the batch that consumes the
 * waiting ops itself, built on the state its replay verified (the rollup takes another proposer's
 * batch from then on, docs/protocol.md 7.3), so the trader is served without a freeze. Its own
 * batch is then judged by its replay and defended by it like the operator's.
 *
 * <p>Only on the verified tip: while the rollup's tip is not the state the replay verified (a lie
 * waiting for its challenge, a replay behind the head), it waits. A refused post is tried again only
 * when the queue or the tip moved, or 32 blocks later: each try reads the queue's events.
 */
final class CensoredOps {
    private static final Logger LOG = LoggerFactory.getLogger(CensoredOps.class);
    /** Most ops in one batch (the rollup's maxTransitions caps it too). */
    static final int MOST_OPS = 256;
    private static final long RETRY_BLOCKS = 32;

    private final DisputeL1 l1;
    private final Rollup rollup;
    private final RollupLog log;
    private final long fromBlock;
    /** The tip's root and consumed count of the last refused try, and its head; a try waits for one of them to change. */
    private String refusedAt;
    private long refusedHead = -1;
    /** The oldest waiting op last read, and its enqueue time. */
    private long enqueuedOp = -1;
    private long enqueuedAt;
    private final SequencerSilence silence;
    /** Whether the stand-down was logged. */
    private boolean saidGone;

    CensoredOps(DisputeL1 l1, long fromBlock) {
        this.l1 = l1;
        this.rollup = l1.rollup();
        this.log = new RollupLog(l1.web3j(), rollup.getContractAddress());
        this.fromBlock = fromBlock;
        this.silence = new SequencerSilence(rollup, l1.web3j());
    }

    /** Posts the waiting ops' batch when it is due; how many transactions it sent (a bond, a batch). */
    int poll(BatchVerifier verifier, long head) throws IOException {
        if (DisputeL1.call(() -> rollup.frozenAt().send()).signum() != 0) return 0;
        Tuple3<byte[], BigInteger, BigInteger> tip = DisputeL1.call(() -> rollup.tip().send());
        long consumed = tip.component2().longValueExact();
        long queued = DisputeL1.call(() -> rollup.queueLength().send()).longValueExact();
        if (consumed >= queued) return 0;
        String at = new Hash32(tip.component1()) + "/" + consumed;
        if (at.equals(refusedAt) && head < refusedHead + RETRY_BLOCKS) return 0;
        if (!due(consumed)) return 0;
        if (!verifier.verifiedRoot().equals(new Hash32(tip.component1()))) {
            LOG.debug("event=censored-op-waits-for-replay op={} tip={} verified={}", consumed, new Hash32(tip.component1()), verifier.verifiedRoot());
            return 0;
        }
        long next = DisputeL1.call(() -> rollup.nextBatchIndex().send()).longValueExact();
        long most = Math.min(MOST_OPS, DisputeL1.call(() -> rollup.maxTransitions().send()).longValueExact());
        List<Transition> ops = log.priorityOps(consumed, (int) Math.min(queued - consumed, most), fromBlock, head);
        PostedBatch batch;
        try {
            batch = verifier.propose(next, ops);
        } catch (IllegalArgumentException e) {
            // the queue's events and the verified state disagree (a node's incomplete answer): nothing to post, and the next try reads again
            LOG.error("event=censored-ops-unbuildable op={} reason=\"{}\" action=\"try again when the queue moves or in {} blocks\"", consumed,
                    e.getMessage(), RETRY_BLOCKS);
            refusedAt = at;
            refusedHead = head;
            return 0;
        }
        int sent = 0;
        try {
            sent = bond();
            BatchHeader h = batch.header();
            l1.sendCall("submitBatch", rollup.getContractAddress(), rollup.submitBatch(new Rollup.BatchHeader(BigInteger.valueOf(h.batchIndex()),
                    h.prevStateRoot().bytes(), h.postStateRoot().bytes(), BigInteger.valueOf(h.transitionCount()), h.transitionsRoot().bytes(),
                    BigInteger.valueOf(h.priorityOpsConsumed())), batch.calldata()).encodeFunctionCall());
            LOG.warn("event=censored-ops-posted batch={} ops={}-{} postRoot={} effect=\"the operator left them half the force delay; this"
                    + " watcher posted their batch and defends it until final\"", h.batchIndex(), consumed, consumed + ops.size() - 1, h.postStateRoot());
            refusedAt = null;
            return sent + 1;
        } catch (DisputeL1.Refused e) {
            LOG.warn("event=censored-ops-refused op={} reason=\"{}\" action=\"try again when the queue moves or in {} blocks\"", consumed, e.reason(),
                    RETRY_BLOCKS);
            refusedAt = at;
            refusedHead = head;
            enqueuedOp = -1; // read the op again next time: a reorg may have put another one at its index
            return sent; // a bond sent before the refusal was sent all the same
        }
    }

    /**
     * Whether the oldest op has waited half the force delay, when L1 takes another proposer's batch.
     * On a rollup open to every proposer the same wait applies: the operator's batches are not raced
     * for ops it is about to consume. Never for the sequencer's own key: its node posts them.
     */
    private boolean due(long oldest) throws IOException {
        String sequencer = DisputeL1.call(() -> rollup.sequencer().send());
        if (sequencer.equalsIgnoreCase(l1.account())) return false;
        long now = L1Clock.now(l1.web3j());
        long delay = DisputeL1.call(() -> rollup.forceDelay().send()).longValueExact();
        if (new BigInteger(sequencer.substring(2), 16).signum() != 0 && operatorGone(sequencer, now, delay)) return false;
        if (enqueuedOp != oldest) {
            // one log query per op, not one per poll: an op's enqueue time never changes
            byte[] encoding = log.priorityOpEncoding(oldest, fromBlock)
                    .orElseThrow(() -> new IOException("the node has no PriorityOpEnqueued event for op " + oldest));
            enqueuedAt = java.nio.ByteBuffer.wrap(encoding, 9, 8).getLong();
            enqueuedOp = oldest;
        }
        long enqueued = enqueuedAt;
        // a rejection since may restart the wait (the rollup keeps that time to itself): L1's refusal then says so, and it is tried later
        return now >= enqueued + delay / 2;
    }

    /**
     * Whether the sequencer has posted no batch of its own for longer than the force delay (since the
     * rollup's deployment when it never posted): then it is gone, not censoring, and the guard stands
     * down. Ops consumed by others forever would keep the rollup from ever freezing, and open
     * positions (no op closes them) could then never leave; left to age, an op lets anyone freeze, and
     * the escape pays every position at its equity.
     */
    private boolean operatorGone(String sequencer, long now, long delay) throws IOException {
        long silent = silence.silentFor(sequencer, now);
        boolean gone = SequencerSilence.gone(silent, delay);
        if (gone && !saidGone) {
            LOG.warn("event=censored-ops-stand-down sequencer={} silentFor={}s forceDelay={}s effect=\"the operator is gone, not censoring: its"
                    + " ops are left to age into a freeze, whose escape pays every position at its equity (ops consumed by others would"
                    + " keep positions in for good)\"", sequencer, silent, delay);
        }
        saidGone = gone;
        return gone;
    }

    /** Bonds this account as a proposer, or tops its bond up; 1 when it sent that, 0 when the bond was whole. */
    private int bond() throws IOException {
        var missing = dev.clearline.prover.l1.ProposerBond.missing(rollup, l1.account());
        if (missing.isEmpty()) return 0;
        l1.sendCall(missing.get().action(), rollup.getContractAddress(), missing.get().call(rollup), missing.get().value());
        return 1;
    }
}
