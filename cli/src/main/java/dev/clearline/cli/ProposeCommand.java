package dev.clearline.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clearline.contracts.generated.Rollup;
import dev.clearline.engine.batch.BatchHeader;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.transition.Transition;
import dev.clearline.prover.l1.L1Clock;
import dev.clearline.prover.l1.RollupLog;
import dev.clearline.prover.l1.SequencerSilence;
import dev.clearline.prover.replay.BatchVerifier;
import dev.clearline.prover.replay.PostedBatch;
import java.io.PrintWriter;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.tuples.generated.Tuple3;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A batch of the queued priority ops, posted by anyone with a proposer bond: what a trader does when
 * the operator ignores their forced withdrawal or deposit, instead of waiting for the whole force
 * delay and freezing the venue for everybody. The rollup was built for it (a batch from another
 * proposer is taken once the oldest op has waited half the force delay); without a tool, nobody
 * but the operator could build a batch L1 takes and a watcher judges honest.
 *
 * <p>The state comes from L1 alone: every live batch replayed and judged with the Java STF (a wrong
 * one refuses the proposal: a batch on top of it would be rejected with it), the ops read from the
 * queue's events, the batch built on the verified state ({@link BatchVerifier#propose}) and
 * checked against the rollup's tip before anything is sent.
 */
@Command(name = "propose", mixinStandardHelpOptions = true,
        description = {"Post a batch of the ops waiting in L1's priority queue yourself (deposits, forced withdrawals and cancels,"
                + " listings, in queue order) when the operator leaves them: the state is rebuilt from L1 alone and the batch built"
                + " with the Java STF.",
                "While the rollup names a sequencer, L1 takes another proposer's batch once the oldest op has waited half the force delay"
                        + " (a freeze needs all of it). Bonds your key as a proposer first (the rollup's proposer bond, locked until the batch"
                        + " is final; ./clearline bonds --withdraw --leave returns it). Defend the batch until then: ./clearline watch."})
final class ProposeCommand extends EscapeCommands.HatchBase {
    @Option(names = "--max-ops", defaultValue = "256", description = "Most queued ops in the batch (also capped by the rollup's"
            + " maxTransitions). Default: ${DEFAULT-VALUE}.")
    int maxOps;

    @Option(names = "--dry-run", description = "Rebuild the state and build the batch, print it, send nothing.")
    boolean dryRun;

    @Option(names = "--anyway", description = "Post it even when the operator has posted nothing for longer than the force delay (gone, not"
            + " censoring): the batch then postpones the freeze that lets every position escape at its equity.")
    boolean anyway;

    ProposeCommand(PrintWriter out, PrintWriter err, LongSupplier nanos) {
        super(out, err, nanos); // built from L1 alone, like escape: the operator is the one not doing it
    }

    @Override
    Integer run() {
        if (maxOps < 1) throw UserError.usage("--max-ops must be 1 or more, got " + maxOps);
        Rollup rollup = o.rollup();
        long frozen = o.l1("read the rollup", () -> rollup.frozenAt().send().longValueExact());
        if (frozen != 0) {
            throw new UserError("the rollup is frozen (since L1 time " + frozen + ") and takes no batches; what you hold there leaves"
                    + " through the escape hatch (./clearline status says where the escape stands)");
        }
        Tuple3<byte[], BigInteger, BigInteger> tip = o.l1("read the rollup's tip", () -> rollup.tip().send());
        long consumed = tip.component2().longValueExact();
        long queued = o.l1("read the rollup", () -> rollup.queueLength().send().longValueExact());
        if (consumed >= queued) {
            o.print(out, result().put("queued", queued).put("waiting", 0), "Nothing to propose: the posted batches consumed all "
                    + queued + " queued op(s)");
            return 0;
        }
        String me = o.key().getAddress();
        requireOpen(rollup, me, consumed);
        long maxTransitions = o.l1("read the rollup", () -> rollup.maxTransitions().send().longValueExact());
        int take = (int) Math.min(Math.min(queued - consumed, maxOps), maxTransitions);

        RollupLog log = new RollupLog(o.web3j(), rollup.getContractAddress());
        long head = o.l1("read the L1 head", log::latestBlock);
        long next = o.l1("read the rollup", () -> rollup.nextBatchIndex().send().longValueExact());
        long finalized = o.l1("read the rollup", () -> rollup.finalizedCount().send().longValueExact());
        BatchVerifier verifier = verifiedTip(finalizedState(rollup, finalized), log, head, next, new Hash32(tip.component1()),
                "propose again; nothing was sent", (p, v) -> { });
        List<Transition> ops = o.l1("read the queued ops", () -> log.priorityOps(consumed, take, o.firstBlock(), head));
        PostedBatch batch;
        try {
            batch = verifier.propose(next, ops);
        } catch (IllegalArgumentException e) {
            throw new UserError("the queued ops do not make a batch: " + e.getMessage());
        }
        BatchHeader h = batch.header();
        Map<String, Integer> kinds = new TreeMap<>();
        ops.forEach(t -> kinds.merge(t.getClass().getSimpleName(), 1, Integer::sum));
        ObjectNode result = result().put("batchIndex", h.batchIndex()).put("firstOp", consumed).put("ops", ops.size())
                .put("waiting", queued - consumed).put("prevStateRoot", h.prevStateRoot().toString()).put("postStateRoot", h.postStateRoot().toString())
                .put("calldataBytes", batch.calldata().length).put("finalBatches", finalized).put("batchesJudged", next - finalized);
        ObjectNode kindsNode = result.putObject("kinds");
        kinds.forEach(kindsNode::put);
        String what = "batch " + h.batchIndex() + " of queue op(s) " + consumed + (ops.size() > 1 ? " to " + (consumed + ops.size() - 1) : "")
                + " (" + kinds + (queued - consumed > ops.size() ? "; " + (queued - consumed - ops.size()) + " more wait for the next one" : "")
                + "), state root " + h.prevStateRoot() + " -> " + h.postStateRoot();
        if (dryRun) {
            o.print(out, result.put("sent", false), "Would post " + what + "; nothing was sent (--dry-run)");
            return 0;
        }

        String bondTx = ensureBond(rollup, me);
        if (bondTx != null) result.put("bondTx", bondTx);
        Rollup.BatchHeader header = new Rollup.BatchHeader(BigInteger.valueOf(h.batchIndex()), h.prevStateRoot().bytes(), h.postStateRoot().bytes(),
                BigInteger.valueOf(h.transitionCount()), h.transitionsRoot().bytes(), BigInteger.valueOf(h.priorityOpsConsumed()));
        TransactionReceipt r = UserCommands.ok(o.l1("post the batch", () -> rollup.submitBatch(header, batch.calldata()).send()), "submitBatch");
        long period = o.l1("read the rollup", () -> rollup.challengePeriod().send().longValueExact());
        o.print(out, result.put("sent", true).put("tx", r.getTransactionHash()),
                (bondTx == null ? "" : "Bonded your key as a proposer (tx " + bondTx + ")\n")
                        + "Posted " + what + " (tx " + r.getTransactionHash() + ").\n"
                        + "It is final " + UserOptions.l1Wait(period, o.l1TimeSpeed()) + " from now unless disputed: defend it until then, since a"
                        + " challenge nobody answers is lost on time with your bond: ./clearline watch --key-file FILE --rollup "
                        + rollup.getContractAddress() + " --rpc-url " + o.rpcUrl + " (the file holding this key).\n"
                        + "Once it is final: ./clearline claim --finalize pays its forced withdrawals; ./clearline bonds --withdraw --leave"
                        + " returns your bond.");
        return 0;
    }

    /**
     * Refuses, before any replay, a proposal L1 would refuse for time: while the rollup names a
     * sequencer other than this key, another proposer's batch must consume an op that waited half
     * the force delay. The op's wait starts at its enqueue time, or later if a rejection un-consumed
     * it (the rollup keeps that time to itself: its refusal, named, then says when). Then, unless
     * --anyway, one that would postpone a due freeze: an operator silent past the force delay is gone,
     * and the watcher's censorship guard stands down for the same reason (SequencerSilence).
     */
    private void requireOpen(Rollup rollup, String me, long oldest) {
        String sequencer = o.l1("read the rollup's sequencer", () -> rollup.sequencer().send());
        if (new BigInteger(sequencer.substring(2), 16).signum() == 0 || sequencer.equalsIgnoreCase(me)) return;
        byte[] encoding = UserCommands.queuedOp(o, rollup, oldest);
        long enqueued = java.nio.ByteBuffer.wrap(encoding, 9, 8).getLong();
        long delay = o.l1("read the force delay", () -> rollup.forceDelay().send().longValueExact());
        long now = o.l1("read the L1 time", () -> L1Clock.now(o.web3j()));
        long openFrom = enqueued + delay / 2;
        if (now < openFrom) {
            throw new UserError("the operator " + sequencer + " may still consume queue op " + oldest + ": L1 takes a batch from another proposer"
                    + " only from L1 time " + openFrom + ", " + UserOptions.l1Wait(openFrom - now, o.l1TimeSpeed()) + " from now (half the"
                    + " force delay after the op was queued; a freeze needs all of it, until L1 time " + (enqueued + delay) + "); try again"
                    + " then, nothing was sent");
        }
        long silent = o.l1("read the operator's last batch", () -> new SequencerSilence(rollup, o.web3j()).silentFor(sequencer, now));
        if (SequencerSilence.gone(silent, delay) && !anyway) {
            long freezeFrom = enqueued + delay;
            throw new UserError("the operator " + sequencer + " has posted no batch for " + UserOptions.l1Wait(silent, o.l1TimeSpeed())
                    + ", longer than the force delay: it is gone, not censoring. A batch of the queued ops would serve them but postpone the"
                    + " freeze, whose escape pays every position at its equity (no op closes a position: while others consume the ops, open"
                    + " positions cannot leave). " + (now >= freezeFrom ? "Anyone may freeze the rollup now: ./clearline freeze"
                    : "Queue op " + oldest + " lets anyone freeze the rollup from L1 time " + freezeFrom + ", " + UserOptions.l1Wait(freezeFrom - now,
                    o.l1TimeSpeed()) + " from now: ./clearline freeze") + "; --anyway posts the batch all the same. Nothing was sent");
        }
    }

    /** Bonds the key as a proposer, or tops its bond up; the transaction's hash, or null when the bond was whole. */
    private String ensureBond(Rollup rollup, String me) {
        var missing = o.l1("read your proposer bond", () -> dev.clearline.prover.l1.ProposerBond.missing(rollup, me));
        if (missing.isEmpty()) return null;
        BigInteger value = missing.get().value();
        BigInteger balance = o.l1("read your ETH balance", () -> o.web3j().ethGetBalance(me,
                org.web3j.protocol.core.DefaultBlockParameterName.LATEST).send().getBalance());
        if (balance.compareTo(value) <= 0) {
            throw new UserError("proposing locks " + Units.ether(value) + " ETH as your proposer bond until the batch is final, plus gas; "
                    + me + " holds " + Units.ether(balance) + " ETH; nothing was sent");
        }
        TransactionReceipt r = UserCommands.ok(o.l1("bond your key as a proposer",
                () -> (missing.get().join() ? rollup.joinProposers(value) : rollup.topUpBond(value)).send()), missing.get().action());
        return r.getTransactionHash();
    }
}
