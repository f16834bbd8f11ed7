package dev.clearline.sequencer.poster;

import dev.clearline.contracts.generated.Rollup;
import dev.clearline.engine.batch.BatchHeader;
import dev.clearline.engine.order.Hash32;
import dev.clearline.sequencer.l1.SealedBatch;
import dev.clearline.sequencer.l1.SequencerLink;
import dev.clearline.prover.l1.L1Clock;
import dev.clearline.prover.l1.ProposerBond;
import dev.clearline.prover.l1.TxSender;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.tuples.generated.Tuple3;
import org.web3j.tx.ReadonlyTransactionManager;
import org.web3j.tx.gas.DefaultGasProvider;

import java.io.IOException;
import java.math.BigInteger;
import java.util.Optional;

/**
 * Posts the sequencer's sealed batches to the rollup, in order, exactly once each, and keeps the
 * proposer bond that posting needs.
 *
 * <p>Exactly once: before every batch it reads the rollup's tip ({@code nextBatchIndex} and the
 * tip's root) and posts the sequencer's batch of that index only if it continues that root. It
 * reads them as of the node's head and never before the block its own last batch was mined in
 * (after a restart: never at a head older than the newest batch its sequencer's log holds as
 * posted): an endpoint whose answer comes from a node a block behind would show that batch
 * missing, and the poster would send it again into a revert that costs gas. A
 * transaction is re-sent only under its own nonce ({@link TxSender}), so at most one of its copies
 * lands; and a call the node says would revert (the batch already there) is never sent. After a
 * restart it first waits for the key's pooled transactions to be mined, then starts from the
 * tip: nothing the chain already holds is posted again.
 *
 * <p>Also finalizes batches whose challenge period is over (anyone may; the operator does it so
 * withdrawals become claimable without waiting for a user to pay for it).
 */
public final class BatchPoster {
    private static final Logger log = LoggerFactory.getLogger(BatchPoster.class);
    /** Most batches one finalize call walks (its gas grows with the count). */
    static final int FINALIZE_AT_ONCE = 64;

    /** Posting cannot go on without an operator; the message says why and what to look at. */
    public abstract static sealed class Stopped extends IllegalStateException permits Divergence, BatchTooLong, Frozen, NotSequencer {
        Stopped(String message) {
            super(message);
        }
    }

    /** The L1 tip does not continue from the sequencer's batch: another proposer posted, or the sequencer diverged. */
    public static final class Divergence extends Stopped {
        Divergence(String message) {
            super(message);
        }
    }

    /**
     * The rollup reserves posting to another address (its {@code sequencer}): this key's batches would
     * be refused while the sequencer is in time, so the node must run with that key, or governance
     * must hand the role to this one.
     */
    public static final class NotSequencer extends Stopped {
        NotSequencer(String message) {
            super(message);
        }
    }

    /**
     * The sequencer sealed a batch longer than the rollup's {@code maxTransitions}: L1 would refuse it
     * on every try, and every later batch with it. The node's batch policy (or its fill limit per
     * order, {@code Exchange.LONGEST_ORDER_RUN}) does not suit this deployment.
     */
    public static final class BatchTooLong extends Stopped {
        BatchTooLong(String message) {
            super(message);
        }
    }

    /**
     * The rollup is frozen (an op the sequencer did not consume in time): it takes no batch and no op
     * from now on, for good, so nothing the sequencer takes can settle. Not an operator's fix: the
     * node should stop taking orders, and traders leave through the escape hatch.
     */
    public static final class Frozen extends Stopped {
        public Frozen(String message) {
            super(message);
        }

        /** Frozen when the rollup says so, with what it means for an operator; empty while it is live. */
        public static java.util.Optional<Frozen> of(Rollup rollup) throws IOException {
            long frozenAt = call(() -> rollup.frozenAt().send()).longValueExact();
            if (frozenAt == 0) return java.util.Optional.empty();
            long finalized = call(() -> rollup.finalizedCount().send()).longValueExact();
            return java.util.Optional.of(new Frozen("the rollup " + rollup.getContractAddress() + " froze at L1 time " + frozenAt + " ("
                    + (finalized == 0 ? "the genesis root" : "batch " + (finalized - 1) + "'s root") + " is final): it takes no more batches"
                    + " or priority ops, so orders taken now could never settle; traders leave with ./clearline escape, and a venue needs"
                    + " a new deployment"));
        }
    }

    private final Web3j web3j;
    private final Rollup rollup;
    /** The rollup's custom errors by name in the log (an operator reads "RollupFrozen(frozenAt=..)", not 0xb5ca3037..). */
    private final dev.clearline.contracts.Refusals refusals =
            new dev.clearline.contracts.Refusals(dev.clearline.contracts.Artifacts.onClasspath(), java.util.List.of("Rollup"));
    private final TxSender sender;
    private final SequencerLink sequencer;
    private long posted;
    /**
     * The L1 block of this poster's newest mined batch, -1 before its first. Reads of the rollup's
     * tip are pinned at or past it: a node a block behind (a load balancer's other member) would
     * otherwise show that batch missing, and posting it again costs a reverted transaction.
     */
    private long lastPostBlock = -1;
    /**
     * The L1 timestamp of the newest batch the sequencer's log holds as posted and not yet final,
     * read at start: after a restart this poster has no {@link #lastPostBlock}, and a node whose
     * head is older than that batch would show it missing.
     */
    private long loggedPostAt;
    /** Whether the poll now waiting on a lagging node has said so (once per wait, not per poll). */
    private boolean saidBehind;
    private boolean started;
    /** The rollup's most transitions per batch, read once at start (immutable in the contract). */
    private long maxTransitions;

    public BatchPoster(Web3j web3j, String rollupAddress, TxSender sender, SequencerLink sequencer) {
        this.web3j = web3j;
        this.sender = sender;
        this.sequencer = sequencer;
        this.rollup = Rollup.load(rollupAddress, web3j, new ReadonlyTransactionManager(web3j, sender.address()), new DefaultGasProvider());
    }

    /** Batches this poster sent and saw mined. */
    public long posted() {
        return posted;
    }

    public TxSender sender() {
        return sender;
    }

    /**
     * Refuses to start under a key the rollup does not take batches from: its bond would be locked
     * and every batch refused ({@code ReservedForSequencer}) while the queue ages towards a freeze.
     */
    void requireSequencer() throws IOException {
        requireSequencer(rollup, sender.address(), "; posting stopped");
    }

    /**
     * As {@link #requireSequencer()}, for {@code operator}'s key, before any poster is built (the node's start checks it
     * first); {@code then} ends the message with what happens next.
     */
    static void requireSequencer(Rollup rollup, String operator, String then) throws IOException {
        String designated = call(() -> rollup.sequencer().send());
        if (new BigInteger(designated.substring(2), 16).signum() == 0 || designated.equalsIgnoreCase(operator)) return;
        throw new NotSequencer("the rollup " + rollup.getContractAddress() + " takes batches from its sequencer " + designated
                + ", not from this operator key " + operator + ": run the node with the sequencer's key, or have governance"
                + " hand the role to this key (./clearline set-sequencer " + operator + " --key GOVERNANCE_KEY --rollup "
                + rollup.getContractAddress() + " --rpc-url L1_URL)" + then);
    }

    /**
     * Bonds the poster's key as a proposer, or tops its bond back up to the rollup's
     * {@code proposerBond} (after a slash); does nothing when the bond is whole.
     *
     * @return whether it bonded (false: the bond was whole)
     */
    public boolean ensureBond() throws IOException, InterruptedException {
        Optional<ProposerBond> owed = ProposerBond.missing(rollup, sender.address()); // the rule propose and the censorship guard bond by
        if (owed.isEmpty()) return false;
        BigInteger value = owed.get().value();
        String data = owed.get().call(rollup);
        BigInteger balance = call(() -> web3j.ethGetBalance(sender.address(), org.web3j.protocol.core.DefaultBlockParameterName.LATEST).send().getBalance());
        if (balance.compareTo(value) <= 0) {
            // the node's own refusal ("insufficient funds") names neither the bond nor the address to fund
            throw new IOException("the operator " + sender.address() + " holds " + eth(balance) + " ETH and must lock " + eth(value)
                    + " ETH as its proposer bond, plus gas, before it can post a batch; send it ETH (the node keeps retrying)");
        }
        try {
            TxSender.Sent s = sender.send(rollup.getContractAddress(), data, value);
            if (!s.receipt().isStatusOK()) throw new IOException("bonding reverted in " + s.receipt().getTransactionHash());
            log.info("event=proposer_bonded proposer={} paid={} action={}", sender.address(), value, owed.get().action());
            return true;
        } catch (TxSender.WouldRevert e) {
            throw new IOException("cannot bond " + sender.address() + " as a proposer (" + refusals.named(e.getMessage())
                    + "); does the key hold " + value + " wei plus gas?", e);
        }
    }

    /**
     * Posts every sealed batch the rollup does not have yet, oldest first; returns how many.
     *
     * @throws Divergence when the rollup's tip root is not the pre-state root of the sequencer's
     *     next batch: posting would only revert, an operator must look
     * @throws BatchTooLong when the next batch is longer than the rollup accepts
     */
    public int postAvailable() throws IOException, InterruptedException {
        if (!started) {
            if (!sender.awaitIdle(60_000)) {
                log.warn("event=poster_pool_not_empty proposer={} action=replace_under_same_nonce", sender.address());
                sender.replacePooled();
            }
            requireSequencer();
            ensureBond();
            maxTransitions = call(() -> rollup.maxTransitions().send()).longValueExact();
            loggedPostAt = sequencer.l1Progress().lastPostedAt();
            started = true;
        }
        int n = 0;
        while (true) {
            long head = call(() -> web3j.ethBlockNumber().send().getBlockNumber()).longValueExact();
            long headTime = loggedPostAt == 0 ? 0 : blockTime(head);
            if (head < lastPostBlock || headTime < loggedPostAt) {
                if (!saidBehind) {
                    log.info("event=rpc_behind_own_post head={} headTime={} lastPostBlock={} loggedPostAt={} action=wait", head, headTime,
                            lastPostBlock, loggedPostAt);
                    saidBehind = true;
                }
                return n;
            }
            saidBehind = false;
            Rollup at = pinned(head);
            long next = call(() -> at.nextBatchIndex().send()).longValueExact();
            Optional<SealedBatch> b = sequencer.batch(next);
            if (b.isEmpty()) return n;
            Tuple3<byte[], BigInteger, BigInteger> tip = call(() -> at.tip().send());
            BatchHeader h = b.get().header();
            Hash32 tipRoot = new Hash32(tip.component1());
            if (!tipRoot.equals(h.prevStateRoot())) {
                throw new Divergence("the rollup's tip (batch " + next + ") has root " + tipRoot + " but the sequencer's batch " + next
                        + " starts from " + h.prevStateRoot() + ": another proposer posted (a rollup naming this key its sequencer lets"
                        + " one only after an op waited half the force delay; one naming none lets any) or this sequencer's state is not"
                        + " the chain's; posting stopped. " + TAKE_UP);
            }
            if (h.transitionCount() > maxTransitions) {
                throw new BatchTooLong("the sequencer's batch " + next + " holds " + h.transitionCount() + " transitions but the rollup at "
                        + rollup.getContractAddress() + " accepts at most " + maxTransitions + " per batch: it can never be posted."
                        + " Run the node with a batch policy of at most " + maxTransitions + " transitions (and at least "
                        + dev.clearline.engine.exchange.Exchange.LONGEST_ORDER_RUN + ", the most one IOC/FOK order needs), or deploy"
                        + " a rollup that accepts the node's batches; posting stopped");
            }
            if (!postOne(b.get())) return n;
            n++;
        }
    }

    private boolean postOne(SealedBatch b) throws IOException, InterruptedException {
        BatchHeader h = b.header();
        Rollup.BatchHeader header = new Rollup.BatchHeader(BigInteger.valueOf(h.batchIndex()), h.prevStateRoot().bytes(),
                h.postStateRoot().bytes(), BigInteger.valueOf(h.transitionCount()), h.transitionsRoot().bytes(),
                BigInteger.valueOf(h.priorityOpsConsumed()));
        String data = rollup.submitBatch(header, b.calldata()).encodeFunctionCall();
        TxSender.Sent s;
        try {
            s = sender.send(rollup.getContractAddress(), data, BigInteger.ZERO);
        } catch (TxSender.WouldRevert e) {
            long now = call(() -> rollup.nextBatchIndex().send()).longValueExact();
            if (now > h.batchIndex()) return true; // it is there already (a pooled attempt of an earlier run landed)
            String why = refusals.named(e.getMessage());
            // governance handed the role to another key while this node ran: no retry will post, the start-up check says what to do
            if (why.contains("ReservedForSequencer")) requireSequencer();
            // the bond may be gone since the last post (slashed, or the key left the proposers from another tool): bonded
            // again, the batch goes in this round; refused with a whole bond, it is for an operator
            if (ensureBond()) return postOne(b);
            throw new IOException("the rollup would refuse batch " + h.batchIndex() + ": " + why);
        }
        if (!s.receipt().isStatusOK()) {
            throw new IOException("batch " + h.batchIndex() + " reverted on L1 in " + s.receipt().getTransactionHash()
                    + " although its gas estimate passed; the chain moved under it (another proposer?)");
        }
        posted++;
        lastPostBlock = s.receipt().getBlockNumber().longValueExact();
        recordPosted(h.batchIndex(), s.receipt());
        log.info("event=batch_posted index={} transitions={} priorityOps={} postRoot={} tx={} gasUsed={} calldataBytes={} attempts={}",
                h.batchIndex(), h.transitionCount(), h.priorityOpsConsumed(), h.postStateRoot(), s.receipt().getTransactionHash(),
                s.receipt().getGasUsed(), b.calldata().length, s.attempts().size());
        return true;
    }

    /**
     * Tells the sequencer's log at once that L1 holds the batch, so that a restart right after this
     * post still finds it there ({@link #loggedPostAt}); {@link #reportProgress} would say so only at
     * the end of the round. Skipped when the answering node lacks the receipt's block or the log
     * refuses (an earlier batch not reported yet): {@link #reportProgress} reads the rollup and
     * reports every batch in order.
     */
    private void recordPosted(long index, TransactionReceipt receipt) throws IOException {
        var block = call(() -> web3j.ethGetBlockByHash(receipt.getBlockHash(), false).send().getBlock());
        if (block == null) return;
        long at = block.getTimestamp().longValueExact();
        long period = call(() -> rollup.challengePeriod().send()).longValueExact();
        Optional<String> refused = sequencer.batchPosted(index, at, at + period);
        if (refused.isEmpty()) loggedPostAt = at;
        else log.debug("event=l1_report_deferred batch={} reason=\"{}\"", index, refused.get());
    }

    /** The timestamp of L1 block {@code number}, or -1 when the node answering lacks the block. */
    private long blockTime(long number) throws IOException {
        var b = call(() -> web3j.ethGetBlockByNumber(DefaultBlockParameter.valueOf(BigInteger.valueOf(number)), false).send().getBlock());
        return b == null ? -1 : b.getTimestamp().longValueExact();
    }

    /**
     * The rollup as of L1 block {@code number}: a node that has not reached it refuses the read
     * ("header not found") instead of answering from an older state, and the poll is tried again.
     */
    private Rollup pinned(long number) {
        Rollup view = Rollup.load(rollup.getContractAddress(), web3j, new ReadonlyTransactionManager(web3j, sender.address()), new DefaultGasProvider());
        view.setDefaultBlockParameter(DefaultBlockParameter.valueOf(BigInteger.valueOf(number)));
        return view;
    }

    /** Finalizes the batches whose challenge period is over and no dispute holds; returns how many. */
    public int finalizeDue() throws IOException, InterruptedException {
        long finalized = call(() -> rollup.finalizedCount().send()).longValueExact();
        long next = call(() -> rollup.nextBatchIndex().send()).longValueExact();
        if (finalized >= next) return 0;
        long period = call(() -> rollup.challengePeriod().send()).longValueExact();
        long now = L1Clock.now(web3j);
        Rollup.Batch oldest = call(() -> rollup.batch(BigInteger.valueOf(finalized)).send());
        if (oldest.submittedAt.longValueExact() + period > now || oldest.openDisputes.signum() != 0) return 0;
        long count = Math.min(FINALIZE_AT_ONCE, next - finalized);
        try {
            TxSender.Sent s = sender.send(rollup.getContractAddress(), rollup.finalizeBatches(BigInteger.valueOf(count)).encodeFunctionCall(),
                    BigInteger.ZERO);
            if (!s.receipt().isStatusOK()) return 0;
        } catch (TxSender.WouldRevert e) {
            return 0; // another caller finalized them first, or a dispute opened meanwhile
        }
        long after = call(() -> rollup.finalizedCount().send()).longValueExact();
        log.info("event=batches_finalized from={} to={}", finalized, after - 1);
        return (int) (after - finalized);
    }

    /**
     * Tells the sequencer's log what L1 holds: each batch posted since the log last heard (with the
     * time it becomes final) and the rollup's finalized count. Reads the rollup, not this poster's
     * memory, so it also covers batches posted before a restart or by an earlier run; returns how
     * many reports it made.
     */
    public int reportProgress() throws IOException {
        SequencerLink.L1Progress known = sequencer.l1Progress();
        long next = call(() -> rollup.nextBatchIndex().send()).longValueExact();
        long finalized = call(() -> rollup.finalizedCount().send()).longValueExact();
        int reports = 0;
        long period = -1;
        for (long i = known.posted(); i < next; i++) {
            if (period < 0) period = call(() -> rollup.challengePeriod().send()).longValueExact();
            long index = i;
            Rollup.Batch onL1 = call(() -> rollup.batch(BigInteger.valueOf(index)).send());
            requireOurs(index, onL1);
            long at = onL1.submittedAt.longValueExact();
            Optional<String> refused = sequencer.batchPosted(i, at, at + period);
            if (refused.isPresent()) {
                log.warn("event=l1_report_refused batch={} reason=\"{}\"", i, refused.get());
                return reports;
            }
            reports++;
        }
        if (finalized > known.finalized()) {
            Optional<String> refused = sequencer.batchesFinal(finalized);
            if (refused.isPresent()) log.warn("event=l1_report_refused finalized={} reason=\"{}\"", finalized, refused.get());
            else reports++;
        }
        return reports;
    }

    /**
     * Refuses to report L1's batch {@code index} as the sequencer's when it is not: another proposer
     * may post the queued ops the sequencer left waiting half the force delay ({@code clearline propose},
     * a watcher guarding against censorship), and L1's batch of that index then holds none of the
     * sequencer's fills or withdrawals. Reported as posted, and later as final, traders would have been
     * told their fills and withdrawals were on L1.
     */
    private void requireOurs(long index, Rollup.Batch onL1) throws IOException {
        Optional<SealedBatch> ours = sequencer.batch(index);
        if (ours.isPresent() && java.util.Arrays.equals(dev.clearline.prover.l1.RollupLog.headerHash(ours.get().header()), onL1.headerHash)) return;
        throw new Divergence("L1's batch " + index + " (posted by " + onL1.proposer + ") is not this sequencer's " + (ours.isEmpty()
                ? "(it sealed no batch " + index + " yet)" : "(its header differs)") + ": another proposer posted the queued ops"
                + " this sequencer left waiting half the force delay (clearline propose, or a watcher run with --propose-censored), or"
                + " its state is not the chain's. Its own batch " + index + " and later ones are not on L1, nor the fills and"
                + " withdrawals in them; posting stopped. " + TAKE_UP);
    }

    /** What an operator whose batches no longer reach L1 does to go on (README.md, "Taking up from L1"). */
    static final String TAKE_UP = "To go on from the state L1 holds: stop this node, ./clearline take-up --out FILE, then"
            + " ./clearline sequencer --take-up FILE on an empty --dir (what only this node's log held is lost)";

    /** Wei as ETH with up to 6 decimals, for operators' messages. */
    static String eth(BigInteger wei) {
        return new java.math.BigDecimal(wei).movePointLeft(18).setScale(6, java.math.RoundingMode.DOWN).stripTrailingZeros().toPlainString();
    }

    /** A web3j call that may fail with any exception, as an IOException that says so. */
    static <T> T call(dev.clearline.prover.l1.L1Call.Remote<T> c) throws IOException {
        return dev.clearline.prover.l1.L1Call.read("reading the rollup failed", c);
    }
}
