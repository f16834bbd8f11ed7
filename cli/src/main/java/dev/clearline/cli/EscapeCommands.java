package dev.clearline.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clearline.contracts.generated.EscapeHatch;
import dev.clearline.contracts.generated.Rollup;
import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Eip712;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.state.MarketLeaf;
import dev.clearline.engine.state.PositionLeaf;
import dev.clearline.engine.state.StateKeys;
import dev.clearline.prover.escape.Claim;
import dev.clearline.prover.escape.Escape;
import dev.clearline.prover.escape.EscapePlan;
import dev.clearline.prover.escape.FinalizedState;
import dev.clearline.prover.escape.FreezeReporter;
import dev.clearline.prover.escape.Report;
import dev.clearline.prover.l1.L1Clock;
import dev.clearline.prover.l1.RollupLog;
import dev.clearline.prover.l1.UnreadableBatchException;
import dev.clearline.prover.replay.BatchVerifier;
import dev.clearline.prover.replay.SignaturesAhead;
import dev.clearline.prover.replay.Verdict;
import dev.clearline.prover.replay.VerdictText;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.LongSupplier;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Leaving a frozen rollup (docs/protocol.md section 7.5) from the command line, with only L1: the
 * frozen state is rebuilt by replaying every finalized batch from its calldata (no operator), and
 * each claim or report is sent with its Merkle proof. {@code escape} takes everything a trader has
 * once the claim window is over; {@code escape report} is what anyone runs during the window so
 * the escape rate counts every bad debt and all of the insurance fund.
 */
final class EscapeCommands {
    private EscapeCommands() {}

    /** What both commands read first: the rollup, the hatch and where the freeze stands. */
    abstract static class HatchBase extends UserCommands.Base {
        final PrintWriter err;
        final LongSupplier nanos;

        HatchBase(PrintWriter out, PrintWriter err, LongSupplier nanos) {
            super(out);
            this.err = err;
            this.nanos = nanos;
        }

        @Override
        boolean asksSequencer() {
            return false; // the state is rebuilt from L1 alone: these are the commands for when the operator is gone
        }

        @Option(names = "--state-cache", paramLabel = "DIR",
                description = "Where the finalized state rebuilt from L1 is kept between runs (one directory per chain and rollup inside),"
                        + " so the next run replays only the batches finalized since. Default: ~/.clearline/l1-state.")
        java.nio.file.Path stateCache;

        /** The state rebuilt for this run, released when it ends. */
        private FinalizedState rebuilt;

        /** Runs the command, then releases the rebuilt state's cache directory. */
        @Override
        public final Integer call() {
            try {
                return run();
            } finally {
                if (rebuilt != null) rebuilt.close();
            }
        }

        abstract Integer run();

        /**
         * The cache of this chain's rollup: one directory per chain id and rollup address. A devnet started again
         * has both of the one before, so it meets that chain's cache: the rebuild checks the cache against L1 and
         * drops it when it does not match (FinalizedState.rebuild).
         */
        java.nio.file.Path cacheDir(String rollupAddress) {
            java.nio.file.Path base = stateCache != null ? stateCache
                    : java.nio.file.Path.of(System.getProperty("clearline.home", System.getProperty("user.home") + "/.clearline"), "l1-state");
            return base.resolve(o.chainId() + "-" + rollupAddress.toLowerCase(java.util.Locale.ROOT));
        }

        /**
         * The finalized state (kept in --state-cache between runs, as claim and escape keep it), then every
         * live batch after it (the last posting of each index below {@code next}) replayed and judged from
         * L1; the verified state must be the rollup's tip. {@code each} sees every live posting once it is judged honest;
         * {@code again} ends the refusals (what to do once the cause is gone).
         */
        /** Told of transition {@code t} of live batch {@code batch}, applied, with the state it left (reads only). */
        @FunctionalInterface
        interface StepsOf {
            void applied(long batch, dev.clearline.engine.transition.Transition t, dev.clearline.engine.stf.LeafStore state);
        }

        BatchVerifier verifiedTip(FinalizedState finalized, RollupLog log, long head, long next, Hash32 tipRoot, String again,
                                  java.util.function.BiConsumer<RollupLog.Posted, BatchVerifier> each) {
            return verifiedTip(finalized, log, head, next, tipRoot, again, each, null);
        }

        /** As above, {@code steps} (when not null) told of every transition of every live batch as the replay applies it. */
        BatchVerifier verifiedTip(FinalizedState finalized, RollupLog log, long head, long next, Hash32 tipRoot, String again,
                                  java.util.function.BiConsumer<RollupLog.Posted, BatchVerifier> each, StepsOf steps) {
            long first = finalized.finalizedCount();
            List<RollupLog.Posted> posted;
            try {
                posted = log.batches(Math.max(finalized.postedFromBlock(), o.firstBlock()), head);
            } catch (UnreadableBatchException e) {
                throw new UserError(e.getMessage() + "; a batch nobody can read is fraud: ./clearline watch challenges it, then " + again);
            } catch (java.io.IOException e) {
                posted = o.l1("read the posted batches", () -> { throw e; });
            }
            // a won challenge rewinds the chain and the index is posted again: the last posting of an index is the live one
            List<RollupLog.Posted> live = new ArrayList<>();
            for (long i = first; i < next; i++) live.add(null);
            for (RollupLog.Posted p : posted) {
                long index = p.batch().header().batchIndex();
                if (index >= first && index < next) live.set((int) (index - first), p);
            }
            BatchVerifier verifier = finalized.verifierAhead(SignaturesAhead.stf(new Eip712(o.chainId(), Address.fromHex(o.rollupAddress()))));
            EscapeCommands.ReplayProgress progress = new EscapeCommands.ReplayProgress(err, nanos);
            long transitions = 0;
            for (int k = 0; k < live.size(); k++) {
                long i = first + k;
                RollupLog.Posted p = live.get(k);
                if (p == null) {
                    throw new UserError("the L1 node's logs hold no posting of batch " + i + " although the rollup counts " + next + " batches;"
                            + " is --rpc-url a node that keeps the rollup's logs (read from block " + o.firstBlock() + ")?");
                }
                Verdict v = steps == null ? verifier.verify(p.batch()) : verifier.verify(p.batch(), (t, state) -> steps.applied(i, t, state));
                verifier.forgetHistory(); // one state in memory, however long the chain
                if (!v.honest()) {
                    throw new UserError("batch " + i + " (block " + p.blockNumber() + ", tx " + p.transactionHash() + ") is wrong: "
                            + VerdictText.of(v) + "; a batch on top of it would be rejected with it. A watcher must challenge it first"
                            + " (./clearline watch does), then " + again);
                }
                each.accept(p, verifier);
                transitions += p.batch().header().transitionCount();
                progress.replayed(i + 1, next, transitions);
            }
            progress.done();
            if (!verifier.verifiedRoot().equals(tipRoot)) {
                throw new UserError("the state replayed from L1 has root " + verifier.verifiedRoot() + " but the rollup's tip is " + tipRoot
                        + " (the chain moved while it was read?); " + again);
            }
            return verifier;
        }

        /** The finalized state, from the cache and L1, with progress on stderr; released when the command ends. */
        FinalizedState finalizedState(Rollup rollup, long finalized) {
            Eip712 domain = new Eip712(o.chainId(), Address.fromHex(rollup.getContractAddress()));
            ReplayProgress progress = new ReplayProgress(err, nanos);
            rebuilt = o.l1("rebuild the L2 state from L1", () -> FinalizedState.rebuild(
                    FinalizedState.Postings.of(new RollupLog(o.web3j(), rollup.getContractAddress()), o.firstBlock()), finalized, SignaturesAhead.stf(domain),
                    progress, cacheDir(rollup.getContractAddress())));
            progress.done();
            return rebuilt;
        }

        /**
         * The batches posted after the finalized ones, replayed from L1 on top of that state: the withdrawals
         * they make to {@code who}, each with when its batch becomes final. A trader whose operator went quiet
         * with a withdrawal posted learns it is on its way (no freeze needed, only the challenge window), which
         * the sequencer's status told before it went; one who claims too early learns when to claim. A batch
         * that does not replay to its posted root is named: a watcher disputes it, and it and what follows will
         * not stand as posted. {@code forClaim}: no text when there is neither (the JSON says it), and no hint to
         * finalize (claim says so itself when a batch is left past its window).
         */
        void postedNotFinal(Address who, Rollup live, FinalizedState state, ObjectNode res, StringBuilder text, boolean forClaim) {
            lookAhead(live, state).ifPresent(ahead -> postedNotFinal(who, live, state, ahead, res, text, forClaim));
        }

        /** What the batches posted after the finalized ones do ({@code ahead}), and how many batches are posted in all. */
        record LookAhead(FinalizedState.Ahead ahead, long posted) {}

        /** The batches posted after {@code state}'s, replayed from L1 onto it (progress on stderr); empty when none is. */
        java.util.Optional<LookAhead> lookAhead(Rollup live, FinalizedState state) {
            long next = o.l1("read the rollup", () -> live.nextBatchIndex().send().longValueExact());
            if (next <= state.finalizedCount()) return java.util.Optional.empty();
            Eip712 domain = new Eip712(o.chainId(), Address.fromHex(live.getContractAddress()));
            ReplayProgress progress = new ReplayProgress(err, nanos);
            FinalizedState.Ahead ahead = o.l1("replay the posted batches from L1", () -> state.ahead(
                    FinalizedState.Postings.of(new RollupLog(o.web3j(), live.getContractAddress()), o.firstBlock()), next, SignaturesAhead.stf(domain),
                    progress));
            progress.done();
            return java.util.Optional.of(new LookAhead(ahead, next));
        }

        void postedNotFinal(Address who, Rollup live, FinalizedState state, LookAhead look, ObjectNode res, StringBuilder text, boolean forClaim) {
            FinalizedState.Ahead ahead = look.ahead();
            long fin = state.finalizedCount();
            long next = look.posted();
            long period = o.l1("read the challenge period", () -> live.challengePeriod().send().longValueExact());
            long l1Now = o.l1("read the L1 time", () -> L1Clock.now(o.web3j()));
            long speed = o.l1TimeSpeed();
            ObjectNode p = res.putObject("postedNotFinal").put("firstBatch", fin).put("lastBatch", next - 1).put("batchesReplayed", ahead.batchesReplayed());
            ArrayNode rows = p.putArray("withdrawals");
            String range = fin + 1 < next ? "batches " + fin + " to " + (next - 1) : "batch " + fin;
            List<FinalizedState.PendingWithdrawal> mine = ahead.to(who);
            if (forClaim && mine.isEmpty() && ahead.firstWrong().isEmpty()) return;
            text.append("Posted, not final yet (").append(range).append(", replayed from L1 onto the final state):\n");
            for (FinalizedState.PendingWithdrawal w : mine) {
                var batch = o.l1("read batch " + w.batchIndex(), () -> live.batch(BigInteger.valueOf(w.batchIndex())).send());
                long left = Math.max(0, batch.submittedAt.longValueExact() + period - l1Now);
                boolean disputed = batch.openDisputes.signum() != 0;
                rows.addObject().put("withdrawalId", w.id()).put("amount", Units.amount(w.amount())).put("batch", w.batchIndex())
                        .put("finalInSeconds", left).put("disputed", disputed);
                text.append("  withdrawal ").append(w.id()).append(" of ").append(Units.amount(w.amount())).append(" in batch ").append(w.batchIndex())
                        .append(disputed ? ": disputed, final only if its dispute ends in its favour"
                                : left > 0 ? ": final in about " + UserOptions.l1Wait(left, speed) + " unless disputed"
                                : ": its challenge window has passed, final once the batch is finalized (the operator does it)")
                        .append("; then ./clearline claim pays it").append(forClaim ? "" : " (claim --finalize if nobody has finalized it)").append('\n');
            }
            if (mine.isEmpty()) text.append("  no withdrawal to ").append(who).append(ahead.firstWrong().isPresent() ? " before the batch below" : "").append('\n');
            ahead.firstWrong().ifPresent(k -> {
                p.put("wrongBatch", k).put("wrongBecause", ahead.wrongBecause());
                text.append("  batch ").append(k).append(" does not stand as posted (").append(ahead.wrongBecause()).append("): a watcher can dispute it"
                        + " (./clearline watch), and neither it nor a batch after it will become final as posted; nothing from it on is listed\n");
            });
        }

        Rollup rollup;
        EscapeHatch hatch;
        long frozenAt;
        long windowEnd;
        long now;

        /** Loads the contracts and refuses when the rollup is not frozen. */
        void open() {
            rollup = o.rollup();
            frozenAt = o.l1("read the rollup", () -> rollup.frozenAt().send().longValueExact());
            if (frozenAt == 0) {
                throw new UserError("the rollup is not frozen: withdraw normally (./clearline withdraw, then claim); if the operator ignores you,"
                        + " ./clearline force-withdraw and, after its deadline, ./clearline freeze; ./clearline escape --dry-run shows what you hold"
                        + " in the last finalized state");
            }
            String hatchAddress = o.l1("read the escape hatch", () -> rollup.escapeHatch().send());
            hatch = EscapeHatch.load(hatchAddress, o.web3j(), o.transactions(), UserOptions.gas());
            windowEnd = o.l1("read the claim window", () -> hatch.claimWindowEnd().send().longValueExact());
            now = o.l1("read the L1 time", () -> L1Clock.now(o.web3j()));
        }

        /** The frozen state, replayed from L1 with progress on stderr, checked against the frozen root. */
        FinalizedState frozenState() {
            long finalized = o.l1("read the rollup", () -> rollup.finalizedCount().send().longValueExact());
            FinalizedState s = finalizedState(rollup, finalized);
            byte[] frozenRoot = o.l1("read the frozen root", () -> rollup.frozenRoot().send());
            if (!java.util.Arrays.equals(frozenRoot, s.root().bytes())) {
                throw new UserError("the state rebuilt from L1 has root " + s.root() + " but the rollup froze at " + hex(frozenRoot)
                        + "; is --rpc-url a full node of this chain?");
            }
            return s;
        }

        /** The escape rate's inputs as they stand: pool, bad debt, fund credit. */
        Rate rate() {
            BigInteger pool = o.l1("read the escape pool", () -> rollup.escapePool().send());
            BigInteger debt = o.l1("read the bad debt", () -> hatch.badDebt().send());
            BigInteger credit = o.l1("read the fund credit", () -> hatch.fundCredit().send());
            return new Rate(pool, debt, credit);
        }

        boolean used(org.web3j.abi.datatypes.generated.Bytes32 key) {
            return o.l1("read the escape hatch", () -> hatch.leafUsed(key.getValue()).send());
        }
    }

    /** {@code pool / (pool + max(0, badDebt - fundCredit))}: what every claim is multiplied by. */
    record Rate(BigInteger pool, BigInteger badDebt, BigInteger fundCredit) {
        BigInteger pays(BigInteger amount) {
            return Escape.pays(amount, pool, badDebt, fundCredit);
        }

        String text() {
            if (badDebt.compareTo(fundCredit) <= 0) return "1";
            return new BigDecimal(pool).divide(new BigDecimal(pool.add(badDebt).subtract(fundCredit)), 6, RoundingMode.DOWN).toPlainString();
        }

        ObjectNode json(ObjectNode into) {
            into.put("rate", text()).put("escapePool", Units.amount(pool)).put("badDebt", Units.amount(badDebt))
                    .put("fundCredit", Units.amount(fundCredit));
            return into;
        }
    }

    @Command(name = "escape", mixinStandardHelpOptions = true, subcommands = Reports.class,
            description = {"After a freeze and its claim window: take out everything you have, from L1 alone.",
                    "The frozen state is rebuilt from L1 (no operator): your free balance, each open position at its equity at the frozen mark, your finalized withdrawals not yet claimed (each scaled by the escape rate) and your deposits the frozen state never consumed (refunded in full, at any time after the freeze: paid during the window too). During the window, anyone may fix the rate with ./clearline escape report."})
    static final class Take extends HatchBase {
        @Option(names = "--owner", converter = Converters.L1Address.class, description = "Escape for this address (anyone may; the owner is paid)."
                + " Default: your key's address.")
        Address owner;

        @Option(names = "--dry-run", description = "List what would be claimed and paid at the rate as it stands; send nothing."
                + " Before a freeze: what you hold in the last finalized state, rebuilt from L1 alone (no operator needed), and your"
                + " withdrawals in batches posted since, with when each becomes final.")
        boolean dryRun;

        Take(PrintWriter out, PrintWriter err, LongSupplier nanos) {
            super(out, err, nanos);
        }

        @Override
        Integer run() {
            Address who = owner == null ? o.address() : owner;
            if (who.equals(Address.INSURANCE_FUND)) {
                throw new UserError(who + " is the insurance fund: its leaves are fund credit, never a claim; report them with ./clearline escape report");
            }
            if (dryRun) {
                Rollup live = o.rollup();
                if (o.l1("read the rollup", () -> live.frozenAt().send().longValueExact()) == 0) return beforeFreeze(who, live);
            }
            open();
            boolean windowOpen = now < windowEnd;
            boolean swept = o.l1("read the escape hatch", () -> hatch.remainderSwept().send());
            // a deposit the frozen state never consumed is refunded whole at any time after the freeze (docs/protocol.md 7.5):
            // while the window is open, or after the pool was swept, only those are paid; the rest waits, or is gone
            String refundsOnly = dryRun ? null : windowOpen ? "the claim window is open until L1 time " + windowEnd + " ("
                    + UserOptions.l1Wait(windowEnd - now, o.l1TimeSpeed()) + " from now): escapes pay after it closes, all at one rate;"
                    + " meanwhile anyone may report bad debt and the insurance fund with ./clearline escape report, and ./clearline escape"
                    + " --dry-run shows what you would get"
                    : swept ? "the escape deadline passed at L1 time " + o.l1("read the escape hatch", () -> hatch.remainderSweepAt().send().longValueExact())
                    + ": the rest of the escape pool went to governance and claims on the frozen state pay nothing now (docs/protocol.md 7.5)"
                    : null;
            FinalizedState state = frozenState();
            List<Claim> all = new ArrayList<>(EscapePlan.claims(state, who));
            List<dev.clearline.engine.transition.Transition> queue = o.l1("read the priority queue", () -> {
                RollupLog log = new RollupLog(o.web3j(), rollup.getContractAddress());
                return log.priorityOps(o.firstBlock(), log.latestBlock());
            });
            all.addAll(EscapePlan.refunds(queue, state.priorityOpsConsumed(), who));
            Set<Long> refunded = refundedDeposits();
            List<Claim> open = new ArrayList<>();
            List<Claim> paidBefore = new ArrayList<>();
            for (Claim c : all) {
                if (claimed(c, refunded)) paidBefore.add(c);
                else open.add(c);
            }
            int done = paidBefore.size();
            // which claims were paid before, by name: "1 claim(s) were paid before" left a trader guessing whether
            // it was the withdrawal they claimed or an escape someone sent for them
            String paidNames = String.join(", ", paidBefore.stream().map(Take::label).toList());
            if (all.isEmpty()) {
                throw new UserError("nothing to escape: the frozen state (after " + state.finalizedCount() + " finalized batch(es)) holds no free balance,"
                        + " no position with positive equity and no withdrawal for " + who + ", and the queue holds no deposit of theirs it never"
                        + " consumed; a position at or below zero equity pays nothing");
            }
            String waiting = "";
            if (refundsOnly != null) {
                List<Claim> later = open.stream().filter(c -> !(c instanceof Claim.Refund)).toList();
                open.removeAll(later);
                if (open.isEmpty()) throw new UserError(refundsOnly + "; a deposit never consumed is refunded at any time, and none of yours is left");
                if (!later.isEmpty()) {
                    waiting = "\nNot paid now: " + String.join(", ", later.stream().map(Take::label).toList()) + "; " + refundsOnly;
                }
            }
            if (open.isEmpty()) {
                // a withdrawal claimed before the freeze counts too: the count differed from what escape itself had paid
                throw new UserError("already escaped: all " + done + " claim(s) of " + who + " on the frozen state were paid before (" + paidNames
                        + ")" + (paidBefore.stream().anyMatch(c -> c instanceof Claim.Withdrawal) ? ", by escape or, for a withdrawal, by claim" : "")
                        + "; nothing is left");
            }
            Rate rate = rate();
            ObjectNode res = rate.json(result().put("owner", who.toString()).put("dryRun", dryRun).put("finalizedBatches", state.finalizedCount())
                    .put("claimWindowEnd", windowEnd).put("alreadyClaimed", done));
            ArrayNode rows = res.putArray("claims");
            StringBuilder text = new StringBuilder();
            BigInteger total = BigInteger.ZERO;
            List<String> paidNow = new ArrayList<>();
            for (Claim c : open) {
                ObjectNode row = describe(rows.addObject(), c);
                BigInteger expected = c instanceof Claim.Refund ? c.amount() : rate.pays(c.amount());
                BigInteger paid;
                try {
                    paid = dryRun ? expected : send(c);
                } catch (UserError e) {
                    throw UserError.afterPaid(e, paidNow, Units.amount(total), "./clearline escape again takes what is left");
                }
                paidNow.add(label(c) + " " + Units.amount(paid));
                if (!dryRun) row.put("tx", lastTx);
                row.put(dryRun ? "wouldPay" : "paid", Units.amount(paid));
                total = total.add(paid);
                text.append(String.format("  %-" + width(open) + "s %s -> %s%s%n", label(c), Units.amount(c.amount()), Units.amount(paid),
                        row.has("tx") ? " (tx " + row.path("tx").asText() + ")" : ""));
            }
            res.put(dryRun ? "wouldPayTotal" : "paidTotal", Units.amount(total));
            String head = (dryRun ? "Would escape " : "Escaped ") + open.size() + " claim(s) of " + who + " for " + Units.amount(total) + " in total, at rate "
                    + rate.text() + (windowOpen ? " so far (the window is open until L1 time " + windowEnd + ", " + UserOptions.l1Wait(windowEnd - now, o.l1TimeSpeed())
                    + " from now; reports may still lower it)" : "") + ":\n";
            // after the list, on a line of its own: put before the colon it read as the heading of the claims below it
            String before = done > 0 ? "Paid before, not counted above: " + paidNames : "";
            if (!waiting.isEmpty()) res.put("notPaidNow", waiting.strip());
            o.print(out, res, (head + text + before).stripTrailing() + waiting);
            return 0;
        }

        /**
         * {@code --dry-run} before a freeze: what {@code who} holds in the last finalized state, rebuilt from L1
         * alone and checked against the root L1 finalized. A trader whose operator went quiet asks this first:
         * the sequencer, which would have answered, is the part that is gone.
         */
        private Integer beforeFreeze(Address who, Rollup live) {
            rollup = live;
            long finalized = o.l1("read the rollup", () -> live.finalizedCount().send().longValueExact());
            FinalizedState state = finalizedState(live, finalized);
            byte[] expected = finalized == 0 ? o.l1("read the genesis root", () -> live.genesisRoot().send())
                    : o.l1("read batch " + (finalized - 1), () -> live.batch(BigInteger.valueOf(finalized - 1)).send().postStateRoot);
            if (!java.util.Arrays.equals(expected, state.root().bytes())) {
                throw new UserError("the state rebuilt from L1 has root " + state.root() + " but L1 finalized " + hex(expected)
                        + "; is --rpc-url a full node of this chain?");
            }
            List<Claim> held = new ArrayList<>();
            for (Claim c : EscapePlan.claims(state, who)) {
                if (!(c instanceof Claim.Withdrawal w) || !o.l1("read the rollup", () -> live.withdrawalClaimed(BigInteger.valueOf(w.id())).send())) {
                    held.add(c);
                }
            }
            List<Claim> waiting = EscapePlan.refunds(o.l1("read the priority queue", () -> {
                RollupLog log = new RollupLog(o.web3j(), live.getContractAddress());
                return log.priorityOps(o.firstBlock(), log.latestBlock());
            }), state.priorityOpsConsumed(), who);
            java.util.Optional<LookAhead> look = lookAhead(live, state);
            // a deposit a posted batch credited is on its way like that batch's withdrawals: it is refunded only if that batch never counts
            long creditedAhead = look.map(l -> l.ahead().priorityOpsConsumed()).orElse(state.priorityOpsConsumed());
            ObjectNode res = result().put("owner", who.toString()).put("dryRun", true).put("frozen", false).put("finalizedBatches", finalized);
            ArrayNode rows = res.putArray("claims");
            StringBuilder text = new StringBuilder("The rollup is not frozen. What " + who + " holds in the last finalized state ("
                    + (finalized == 0 ? "genesis, no batch final yet" : finalized + " batch(es)") + ", rebuilt from L1 alone; a position at its equity at that state's mark):\n");
            BigInteger total = BigInteger.ZERO;
            for (Claim c : held) {
                describe(rows.addObject(), c).put("wouldPayAtRate1", Units.amount(c.amount()));
                total = total.add(c.amount());
                text.append(String.format("  %-" + width(held) + "s %s%s%n", label(c), Units.amount(c.amount()),
                        c instanceof Claim.Withdrawal ? "  (final: ./clearline claim pays it now)" : ""));
            }
            for (Claim c : waiting) {
                boolean credited = ((Claim.Refund) c).queueIndex() < creditedAhead;
                describe(rows.addObject(), c).put("notYetConsumed", true).put("creditedByPostedBatch", credited);
                text.append(String.format("  %-" + width(held) + "s %s  (%s)%n", "deposit, queue op " + ((Claim.Refund) c).queueIndex(),
                        Units.amount(c.amount()), credited
                                ? "credited by a batch posted since, not final yet; refunded in full after a freeze only if that batch never counts"
                                : "not consumed by a final batch yet; refunded in full after a freeze if never"));
            }
            if (held.isEmpty() && waiting.isEmpty()) text.append("  nothing: no free balance, no position with positive equity, no unclaimed withdrawal\n");
            res.put("total", Units.amount(total));
            look.ifPresent(l -> postedNotFinal(who, live, state, l, res, text, false));
            text.append("If the operator ignores you: ./clearline force-withdraw AMOUNT, then ./clearline freeze once its deadline passes;"
                    + " a freeze first finalizes the batches past their challenge window (so the state escaped from may be later than this one),"
                    + " and escapes pay at the escape rate (1 unless bad debt exceeds the insurance fund).");
            o.print(out, res, text.toString());
            return 0;
        }

        private boolean claimed(Claim c, Set<Long> refunded) {
            return switch (c) {
                case Claim.Balance b -> used(bytes32(StateKeys.balance(b.owner()).toArray()));
                case Claim.Position p -> used(bytes32(StateKeys.position(p.owner(), Integer.toUnsignedLong(p.market())).toArray()));
                case Claim.Withdrawal w -> o.l1("read the rollup", () -> rollup.withdrawalClaimed(BigInteger.valueOf(w.id())).send());
                case Claim.Refund r -> refunded.contains(r.queueIndex());
            };
        }

        private BigInteger send(Claim c) {
            return switch (c) {
                case Claim.Balance b -> {
                    TransactionReceipt r = sent(() -> hatch.escapeBalance(b.owner().toString(), BigInteger.valueOf(b.free()), BigInteger.valueOf(b.nonce()),
                            b.proof()).send(), "escapeBalance");
                    yield EscapeHatch.getBalanceEscapedEvents(r).getFirst().paid;
                }
                case Claim.Position p -> {
                    TransactionReceipt r = sent(() -> hatch.escapePosition(p.owner().toString(), BigInteger.valueOf(Integer.toUnsignedLong(p.market())),
                            position(p.position()), market(p.marketLeaf()), p.proof()).send(), "escapePosition");
                    yield EscapeHatch.getPositionEscapedEvents(r).getFirst().paid;
                }
                case Claim.Withdrawal w -> {
                    TransactionReceipt r = sent(() -> rollup.claimWithdrawal(BigInteger.valueOf(w.batchIndex()), BigInteger.valueOf(w.id()),
                            w.owner().toString(), BigInteger.valueOf(w.withdrawn()), w.proof()).send(), "claimWithdrawal");
                    yield Rollup.getWithdrawalClaimedEvents(r).getFirst().paid;
                }
                case Claim.Refund f -> {
                    TransactionReceipt r = sent(() -> rollup.refundDeposit(BigInteger.valueOf(f.queueIndex()), BigInteger.valueOf(f.enqueueTime()),
                            f.owner().toString(), BigInteger.valueOf(f.deposited())).send(), "refundDeposit");
                    yield Rollup.getDepositRefundedEvents(r).getFirst().amount;
                }
            };
        }

        private TransactionReceipt sent(UserOptions.L1Call<TransactionReceipt> call, String what) {
            TransactionReceipt r = o.l1(what, call);
            lastTx = r.getTransactionHash();
            return UserCommands.ok(r, what);
        }

        private String lastTx;

        private ObjectNode describe(ObjectNode row, Claim c) {
            switch (c) {
                case Claim.Balance b -> row.put("kind", "balance").put("free", Units.amount(b.free()));
                case Claim.Position p -> row.put("kind", "position").put("market", Integer.toUnsignedLong(p.market()))
                        .put("size", p.position().size()).put("equity", Units.amount(p.equity())).put("markPrice", Units.amount(p.marketLeaf().markPrice()));
                case Claim.Withdrawal w -> row.put("kind", "withdrawal").put("withdrawalId", w.id()).put("amount", Units.amount(w.withdrawn()));
                case Claim.Refund f -> row.put("kind", "refund").put("queueIndex", f.queueIndex()).put("deposited", Units.amount(f.deposited()));
            }
            return row;
        }

        /** The label column: wide enough for the longest label, so amounts line up (a position's lot count can be long). */
        private static int width(List<Claim> claims) {
            return Math.max(36, claims.stream().mapToInt(c -> label(c).length()).max().orElse(0));
        }

        private static String label(Claim c) {
            return switch (c) {
                case Claim.Balance b -> "free balance";
                case Claim.Position p -> "position in market " + Integer.toUnsignedLong(p.market()) + " ("
                        + Units.lots(p.position().size(), p.marketLeaf().lotSize(), true) + ")";
                case Claim.Withdrawal w -> "withdrawal " + w.id();
                case Claim.Refund f -> "deposit refund (queue op " + f.queueIndex() + ")";
            };
        }

        /** Queue indices the rollup already refunded (its DepositRefunded events). */
        private Set<Long> refundedDeposits() {
            return o.l1("read the rollup's refunds", () -> {
                RollupLog log = new RollupLog(o.web3j(), rollup.getContractAddress());
                Set<Long> out = new HashSet<>();
                for (Log l : log.events(Rollup.DEPOSITREFUNDED_EVENT, o.firstBlock(), log.latestBlock())) {
                    out.add(Rollup.getDepositRefundedEventFromLog(l).index.longValueExact());
                }
                return out;
            });
        }
    }

    @Command(name = "report", mixinStandardHelpOptions = true,
            description = {"During a freeze's claim window: report bad debt and the insurance fund, to fix the escape rate.",
                    "Every underwater position (bad debt) and the insurance fund's balance and positions (fund credit, which absorbs bad debt first) found in the frozen state rebuilt from L1, so the escape rate pool / (pool + max(0, bad debt - fund credit)) is final when the window closes. Anyone may run it; leaves reported before are skipped."})
    static final class Reports extends HatchBase {
        @Option(names = "--dry-run", description = "List what would be reported and the resulting rate; send nothing.")
        boolean dryRun;

        Reports(PrintWriter out, PrintWriter err, LongSupplier nanos) {
            super(out, err, nanos);
        }

        @Override
        Integer run() {
            open();
            if (now >= windowEnd && !dryRun) {
                Rate r = rate();
                throw new UserError("the claim window closed at L1 time " + windowEnd + ": reports are no longer accepted and the escape rate is final at "
                        + r.text() + " (bad debt " + Units.amount(r.badDebt()) + ", fund credit " + Units.amount(r.fundCredit())
                        + "); escape with ./clearline escape");
            }
            FinalizedState state = frozenState();
            List<Report> reports = EscapePlan.reports(state);
            ArrayNode rows = UserOptions.JSON.createArrayNode();
            StringBuilder text = new StringBuilder();
            int skipped = 0;
            BigInteger debt = BigInteger.ZERO;
            BigInteger credit = BigInteger.ZERO;
            for (Report rep : reports) {
                if (used(key(rep))) {
                    skipped++;
                    continue;
                }
                ObjectNode row = rows.addObject();
                switch (rep) {
                    case Report.BadDebt b -> row.put("kind", "badDebt").put("owner", b.owner().toString()).put("market", Integer.toUnsignedLong(b.market()))
                            .put("debt", Units.amount(b.debt()));
                    case Report.FundBalance f -> row.put("kind", "fundBalance").put("free", Units.amount(f.free()));
                    case Report.FundPosition f -> row.put("kind", "fundPosition").put("market", Integer.toUnsignedLong(f.market()))
                            .put("equity", Units.amount(f.equity()));
                }
                if (rep instanceof Report.BadDebt) debt = debt.add(rep.amount());
                else credit = credit.add(rep.amount());
                if (!dryRun) row.put("tx", send(rep));
                text.append(String.format("  %-60s %s%s%n", label(rep), Units.amount(rep.amount()), row.has("tx") ? " (tx " + row.path("tx").asText() + ")" : ""));
            }
            Rate before = rate();
            Rate after = dryRun ? new Rate(before.pool(), before.badDebt().add(debt), before.fundCredit().add(credit)) : before;
            ObjectNode res = after.json(result().put("dryRun", dryRun).put("claimWindowEnd", windowEnd).put("reported", rows.size())
                    .put("alreadyReported", skipped));
            res.set("reports", rows);
            String head = rows.isEmpty()
                    ? "Nothing to report: the frozen state has no underwater position and no fund credit that was not reported already (" + skipped
                            + " reported before)"
                    : (dryRun ? "Would report " : "Reported ") + rows.size() + " leaf(s)" + (skipped > 0 ? " (" + skipped + " reported before)" : "") + ":\n" + text;
            o.print(out, res, head.stripTrailing() + "\nEscape rate " + (dryRun ? "would be " : "now ") + after.text() + ": bad debt "
                    + Units.amount(after.badDebt()) + ", fund credit " + Units.amount(after.fundCredit()) + ", pool " + Units.amount(after.pool())
                    + "; it is final at L1 time " + windowEnd + " (" + UserOptions.l1Wait(Math.max(0, windowEnd - now), o.l1TimeSpeed())
                    + " from now), then ./clearline escape");
            return 0;
        }

        private static org.web3j.abi.datatypes.generated.Bytes32 key(Report r) {
            return bytes32(FreezeReporter.leafKey(r));
        }

        private String send(Report r) {
            String what = FreezeReporter.action(r);
            TransactionReceipt receipt = o.l1(what, () -> FreezeReporter.call(hatch, r).send());
            return UserCommands.ok(receipt, what).getTransactionHash();
        }

        private static String label(Report r) {
            return switch (r) {
                case Report.BadDebt b -> "bad debt of " + b.owner() + " in market " + Integer.toUnsignedLong(b.market());
                case Report.FundBalance f -> "insurance fund's free balance";
                case Report.FundPosition f -> "insurance fund's position in market " + Integer.toUnsignedLong(f.market());
            };
        }
    }

    static EscapeHatch.PositionLeaf position(PositionLeaf p) {
        return FreezeReporter.position(p);
    }

    static EscapeHatch.MarketLeaf market(MarketLeaf m) {
        return FreezeReporter.market(m);
    }

    static org.web3j.abi.datatypes.generated.Bytes32 bytes32(byte[] b) {
        return new org.web3j.abi.datatypes.generated.Bytes32(b);
    }

    /** Replay progress on stderr: nothing for a replay under a second, then at most one line a second. */
    static final class ReplayProgress implements FinalizedState.Progress {
        private final PrintWriter err;
        private final LongSupplier nanos;
        private final long start;
        private long lastLine;
        private boolean printed;

        ReplayProgress(PrintWriter err, LongSupplier nanos) {
            this.err = err;
            this.nanos = nanos;
            this.start = nanos.getAsLong();
            this.lastLine = start;
        }

        @Override
        public void replayed(long batches, long of, long transitions) {
            long now = nanos.getAsLong();
            if (now - lastLine < 1_000_000_000L || batches == of) return;
            lastLine = now;
            printed = true;
            err.println("replay: batch " + batches + " of " + of + " (" + (100 * batches / of) + "%), " + transitions + " transitions, "
                    + (now - start) / 1_000_000_000L + " s");
            err.flush();
        }

        void done() {
            if (printed) {
                err.println("replay: done in " + (nanos.getAsLong() - start) / 1_000_000_000L + " s");
                err.flush();
            }
        }
    }
}
