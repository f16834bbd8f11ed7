package dev.clearline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clearline.contracts.generated.Rollup;
import dev.clearline.contracts.generated.TestCollateral;
import dev.clearline.engine.order.Address;
import dev.clearline.engine.transition.Transition;
import dev.clearline.prover.l1.L1Clock;
import dev.clearline.prover.l1.SequencerSilence;
import java.io.PrintWriter;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;

/**
 * `status`: where the rollup stands on L1 (batches posted and final, the priority queue and when its oldest op is overdue,
 * a freeze and the escape's stages) and where the key stands on L1 and L2 (each fill and withdrawal matched, posted or
 * final, and whether L1 paid each final withdrawal). The L1 half needs no sequencer.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Where the rollup stands on L1 and where you stand on L1 and L2.",
                "Batches posted and final, the priority queue, and each of your recent fills (bought or sold, and your fee) and withdrawals as matched (in a batch not on L1 yet), posted (on L1, final after the challenge period unless disputed) or final, with about how long until it is final; a final withdrawal as claimed on L1 or still to claim (./clearline claim pays it)."})
final class StatusCommand extends UserCommands.Base {
    StatusCommand(PrintWriter out) {
        super(out);
    }

    @Override
    public Integer call() {
        Rollup rollup = o.readOnlyRollup();
        long next = o.l1("read the rollup", () -> rollup.nextBatchIndex().send().longValueExact());
        long fin = o.l1("read the rollup", () -> rollup.finalizedCount().send().longValueExact());
        long queue = o.l1("read the rollup", () -> rollup.queueLength().send().longValueExact());
        long consumed = o.l1("read the rollup", () -> rollup.tip().send().component2().longValueExact());
        long frozen = o.l1("read the rollup", () -> rollup.frozenAt().send().longValueExact());
        long period = o.l1("read the rollup", () -> rollup.challengePeriod().send().longValueExact());
        long now = o.l1("read the L1 time", () -> L1Clock.now(o.web3j()));
        long speed = o.l1TimeSpeed();
        ObjectNode res = result();
        ObjectNode l1 = res.putObject("l1");
        l1.put("rollup", o.rollupAddress()).put("batchesPosted", next).put("batchesFinal", fin).put("queueLength", queue)
                .put("queueConsumed", consumed).put("frozen", frozen != 0).put("challengePeriodSeconds", period).put("timeSpeed", speed);
        StringBuilder t = new StringBuilder();
        t.append("L1 rollup ").append(o.rollupAddress()).append(": ").append(next).append(" batch(es) posted, ").append(fin).append(" final")
                .append(frozen != 0 ? ", FROZEN (escape with the escape hatch)" : "").append('\n');
        if (next > 0) {
            // how a trader tells a quiet operator from a gone one without a sequencer to ask: when L1 last took a batch
            long posted = o.l1("read batch " + (next - 1), () -> rollup.batch(BigInteger.valueOf(next - 1)).send().submittedAt.longValueExact());
            long ago = Math.max(0, now - posted);
            l1.put("lastBatchPostedSecondsAgo", ago);
            t.append("  last batch posted ").append(ago).append(" L1 second(s) ago")
                    .append(speed > 1 ? " (about " + (ago + speed - 1) / speed + " s here: L1 time runs " + speed + "x)" : "").append('\n');
        }
        t.append("  priority queue: ").append(queue).append(" op(s), ").append(consumed).append(" consumed by posted batches\n");
        if (frozen != 0) {
            // a freeze makes the last final root the one escapes prove against: what was posted after it never counts
            l1.put("batchesNeverFinal", next - fin);
            if (fin < next) {
                t.append("  batch(es) ").append(fin).append(fin + 1 < next ? " to " + (next - 1) : "")
                        .append(" will never be final: the rollup froze with ").append(fin == 0 ? "the genesis root" : "batch " + (fin - 1) + "'s root")
                        .append(" as the last final one\n");
            }
            escapeStage(rollup, now, speed, l1, t);
        } else if (fin < next) {
            var batch = o.l1("read batch " + fin, () -> rollup.batch(BigInteger.valueOf(fin)).send());
            long left = Math.max(0, batch.submittedAt.longValueExact() + period - now);
            boolean disputed = batch.openDisputes.signum() != 0;
            l1.put("nextFinalInSeconds", left).put("nextFinalDisputed", disputed);
            t.append("  batch ").append(fin).append(disputed ? " is disputed: final only if its dispute ends in its favour and its window has passed"
                    : left > 0 ? " becomes final in about " + UserOptions.l1Wait(left, speed)
                    : "'s challenge window has passed: final once anyone finalizes it (the operator does; ./clearline claim --finalize"
                            + " and freeze do it first)").append('\n');
        }
        if (frozen == 0 && consumed < queue) {
            // the one op a trader's escape turns on: the oldest one no batch has consumed, and when it is overdue
            long enqueued = java.nio.ByteBuffer.wrap(UserCommands.queuedOp(o, rollup, consumed), 9, 8).getLong();
            long delay = o.l1("read the force delay", () -> rollup.forceDelay().send().longValueExact());
            long left = enqueued + delay + 1 - now;
            // before the freeze, anyone bonded may post the batch that consumes it (at once on a rollup without a sequencer)
            String sequencer = o.l1("read the rollup's sequencer", () -> rollup.sequencer().send());
            boolean named = new BigInteger(sequencer.substring(2), 16).signum() != 0;
            long openIn = named ? Math.max(0, enqueued + delay / 2 - now) : 0;
            l1.put("oldestUnconsumedOp", consumed).put("overdueInSeconds", Math.max(0, left)).put("proposableInSeconds", openIn);
            // an operator silent past the force delay is gone, not censoring: a batch of the ops would only postpone the freeze
            // (propose asks for --anyway then, the watcher's guard stands down)
            long silent = named ? o.l1("read the operator's last batch", () -> new SequencerSilence(rollup, o.web3j()).silentFor(sequencer, now)) : -1;
            boolean gone = named && SequencerSilence.gone(silent, delay);
            if (named) l1.put("operatorSilentSeconds", silent).put("operatorGone", gone);
            String goneLine = "the operator has posted no batch for " + UserOptions.l1Wait(silent, speed) + ", longer than the force delay:"
                    + " it is gone, and a batch of the ops (./clearline propose --anyway) would only postpone the freeze";
            t.append("  op ").append(consumed).append(" waits for a batch to consume it: ").append(left > 0
                    ? "overdue in " + UserOptions.l1Wait(left, speed) + ", then anyone may ./clearline freeze the rollup; "
                            + (gone ? goneLine : (openIn > 0 ? "in " + UserOptions.l1Wait(openIn, speed) + " anyone bonded may post that batch first"
                            : "until then anyone bonded may post that batch") + ": ./clearline propose")
                    : "overdue: anyone may ./clearline freeze the rollup now" + (gone ? "; " + goneLine
                            : ", or still post the batch: ./clearline propose")).append('\n');
        }
        String who = o.keyNamed() ? o.key().getAddress() : null;
        ObjectNode you = who == null ? null : res.putObject("you").put("address", who);
        // after a freeze no op waits for a batch any more (escape refunds deposits): only the wallet is shown
        if (who != null) youOnL1(rollup, who, frozen == 0 ? consumed : queue, queue, now, speed, you, t);
        if (frozen != 0) {
            // L1 takes nothing from a sequencer now: its balances would mislead, the escape pays from the frozen state
            res.put("sequencer", "not asked: the rollup is frozen");
            t.append("Sequencer: not asked (the rollup is frozen: what you hold is the frozen state's, ./clearline escape --dry-run)\n");
            o.print(out, res, t.toString().stripTrailing());
            return 0;
        }
        try {
            JsonNode s = o.get("/state");
            ObjectNode seq = res.putObject("sequencer");
            seq.put("seq", s.path("seq").asLong()).put("sealedBatches", s.path("sealedBatches").asLong())
                    .put("priorityOpsConsumed", s.path("priorityOpsConsumed").asLong()).put("stateRoot", s.path("stateRoot").asText());
            t.append("Sequencer ").append(o.api).append(": seq ").append(s.path("seq").asLong()).append(", ")
                    .append(s.path("sealedBatches").asLong()).append(" batch(es) sealed, ").append(s.path("sealedBatches").asLong() - next)
                    .append(" not yet on L1\n");
            JsonNode venue = o.venue();
            String halted = venue.path("halted").asText(null);
            if (halted != null) {
                // the node said why before an order of yours is refused: what still works, and where your funds stand
                seq.put("halted", halted);
                t.append("  ").append(UserCommands.haltedLine(halted)).append('\n');
            }
            var stale = UserCommands.staleMarks(venue);
            if (!stale.isEmpty()) seq.set("staleMarks", venue.path("staleMarks"));
            for (var e : stale.entrySet()) t.append("  ").append(UserCommands.staleMarkLine(e.getKey(), e.getValue(), venue)).append('\n');
            if (who != null) {
                JsonNode a = o.get("/accounts/" + who).path("account");
                you.put("l2Free", Units.amount(a.path("free").asLong())).put("positions", a.path("positions").size())
                        .put("openOrders", UserCommands.openOrderCount(a));
                t.append("You ").append(who).append(": L2 free ").append(Units.amount(a.path("free").asLong())).append(", ")
                        .append(a.path("positions").size()).append(" position(s), ").append(UserCommands.openOrderCount(a)).append(" open order(s)\n");
                you.set("fills", stages(a.path("fills"), now, period, speed, fin, "fill", lotSizes(s), null, who, t));
                // asked in batch requests: an account lists up to 200 recent withdrawals, and one call after another would take
                // seconds on a distant node
                List<Long> finalIds = new ArrayList<>();
                for (JsonNode w : a.path("withdrawals")) {
                    if (w.path("stage").asText().equals("final") || w.path("stage").asText().equals("posted") && w.path("batch").asLong(Long.MAX_VALUE) < fin) {
                        finalIds.add(w.path("withdrawalId").asLong());
                    }
                }
                java.util.Map<Long, Boolean> asked = o.l1("read whether your withdrawals were claimed", () -> ClaimReads.claimed(o.web3j(),
                        rollup.getContractAddress(), finalIds, id -> rollup.withdrawalClaimed(BigInteger.valueOf(id)).send()));
                java.util.function.LongPredicate paid = id -> asked.containsKey(id) ? asked.get(id)
                        : o.l1("read whether withdrawal " + id + " was claimed", () -> rollup.withdrawalClaimed(BigInteger.valueOf(id)).send());
                you.set("withdrawals", stages(a.path("withdrawals"), now, period, speed, fin, "withdrawal", lotSizes(s), paid, who, t));
            }
        } catch (UserError e) {
            res.put("sequencer", e.getMessage());
            t.append("Sequencer: ").append(e.getMessage());
        }
        o.print(out, res, t.toString().stripTrailing());
        return 0;
    }

    /**
     * What L1 alone says of you: the collateral in your wallet, and your queued ops that no batch
     * consumed yet (a deposit not credited, a forced withdrawal or cancel the operator has not
     * honoured), each with when it is overdue. It holds when the sequencer is gone.
     */
    /** Where a frozen rollup's escape stands, and the command for that stage: what a user who sees FROZEN asks next. */
    private void escapeStage(Rollup rollup, long now, long speed, ObjectNode l1, StringBuilder t) {
        var hatch = dev.clearline.contracts.generated.EscapeHatch.load(o.l1("read the escape hatch", () -> rollup.escapeHatch().send()), o.web3j(),
                new org.web3j.tx.ReadonlyTransactionManager(o.web3j(), rollup.getContractAddress()), UserOptions.gas());
        long windowEnd = o.l1("read the claim window", () -> hatch.claimWindowEnd().send().longValueExact());
        long sweepAt = o.l1("read the escape deadline", () -> hatch.remainderSweepAt().send().longValueExact());
        boolean swept = o.l1("read the escape hatch", () -> hatch.remainderSwept().send());
        l1.put("claimWindowEnd", windowEnd).put("escapeDeadline", sweepAt).put("remainderSwept", swept);
        if (now < windowEnd) {
            t.append("  escape: the claim window is open until L1 time ").append(windowEnd).append(" (in ").append(UserOptions.l1Wait(windowEnd - now, speed))
                    .append("): anyone may ./clearline escape report; ./clearline escape --dry-run shows what you would get, ./clearline escape pays after it\n");
        } else if (!swept && now < sweepAt) {
            t.append("  escape: the claim window has closed: ./clearline escape pays every claim at the final rate, until L1 time ").append(sweepAt)
                    .append(" (in ").append(UserOptions.l1Wait(sweepAt - now, speed)).append("), when what is left goes to governance\n");
        } else if (!swept) {
            t.append("  escape: the deadline passed at L1 time ").append(sweepAt).append(": anyone may sweep what is left to governance now;"
                    + " ./clearline escape still pays until someone does\n");
        } else {
            t.append("  escape: the deadline passed at L1 time ").append(sweepAt).append(" and the rest of the pool was swept:"
                    + " claims on the frozen state pay nothing now; deposits never consumed are still refunded\n");
        }
    }

    private void youOnL1(Rollup rollup, String who, long consumed, long queue, long now, long speed, ObjectNode you, StringBuilder t) {
        String token = o.l1("read the rollup's token", () -> rollup.token().send());
        BigInteger wallet = o.l1("read your token balance", () -> TestCollateral.load(token, o.web3j(),
                new org.web3j.tx.ReadonlyTransactionManager(o.web3j(), who), UserOptions.gas()).balanceOf(who).send());
        you.put("l1Wallet", Units.amount(wallet));
        t.append("You ").append(who).append(": L1 wallet ").append(Units.amount(wallet)).append(" of the collateral (").append(token).append(")\n");
        ArrayNode waiting = you.putArray("unconsumedOps");
        if (consumed >= queue) return;
        long delay = o.l1("read the force delay", () -> rollup.forceDelay().send().longValueExact());
        for (Transition.PriorityOp op : queuedOps(o, rollup, consumed)) {
            record Queued(Address owner, String what) {}
            Queued q = switch (op) {
                case Transition.Deposit d -> new Queued(d.owner(), "deposit of " + Units.amount(d.amount()));
                case Transition.ForcedWithdrawal w -> new Queued(w.owner(), "forced withdrawal of " + Units.amount(w.amount()));
                case Transition.ForcedCancel c -> new Queued(c.owner(), "forced cancel of " + c.orderHash());
                default -> null; // governance's market listings are no one's
            };
            if (q == null || !q.owner().toString().equalsIgnoreCase(who)) continue;
            String what = q.what();
            long left = op.enqueueTime() + delay + 1 - now;
            waiting.addObject().put("index", op.priorityIndex()).put("what", what).put("overdueInSeconds", Math.max(0, left));
            t.append("  your op ").append(op.priorityIndex()).append(" (").append(what).append(") waits for a batch to consume it: ")
                    .append(left > 0 ? "overdue in " + UserOptions.l1Wait(left, speed) : "overdue").append('\n');
        }
    }

    /** Queued ops from index {@code from} on, from their PriorityOpEnqueued events. */
    private static List<Transition.PriorityOp> queuedOps(UserOptions o, Rollup rollup, long from) {
        return o.l1("read the priority queue", () -> {
            var log = new dev.clearline.prover.l1.RollupLog(o.web3j(), rollup.getContractAddress());
            List<Transition.PriorityOp> ops = new java.util.ArrayList<>();
            for (Transition t : log.priorityOps(o.firstBlock(), log.latestBlock())) {
                if (t instanceof Transition.PriorityOp op && op.priorityIndex() >= from) ops.add(op);
            }
            return ops;
        });
    }


    /** "bought " or "sold " when {@code self} is the fill's taker or maker (the taker took {@code takerSide}), else "". */
    private static String yourSide(JsonNode fill, String self) {
        boolean took = self != null && self.equalsIgnoreCase(fill.path("taker").asText());
        boolean made = self != null && self.equalsIgnoreCase(fill.path("maker").asText());
        if (!took && !made || !fill.has("takerSide")) return "";
        boolean takerBought = fill.path("takerSide").asText().equals("BUY");
        return took == takerBought ? "bought " : "sold ";
    }

    /** ", fee X, maker" or ", fee X, taker": what {@code self} paid for the fill, when the record says. */
    private static String yourFee(JsonNode fill, String self) {
        boolean took = self != null && self.equalsIgnoreCase(fill.path("taker").asText());
        boolean made = self != null && self.equalsIgnoreCase(fill.path("maker").asText());
        JsonNode fee = fill.path(took ? "takerFee" : "makerFee");
        if (!took && !made || !fee.canConvertToLong()) return "";
        return ", fee " + Units.amount(fee.asLong()) + (took ? " as taker" : " as maker");
    }

    /** Each listed market's lot size, from the sequencer's {@code /state}. */
    private static java.util.Map<Integer, Long> lotSizes(JsonNode state) {
        java.util.Map<Integer, Long> lots = new java.util.HashMap<>();
        for (JsonNode m : state.path("marketInfo")) lots.put(m.path("market").asInt(), m.path("lotSize").asLong());
        return lots;
    }

    /**
     * How many things stand at each stage, the ones not final one per line with when they become final; the records with that
     * estimate. A posted record whose batch L1 already holds as final is final (the node learns it only at its L1 loop's next
     * round; L1 is what pays). With {@code claimed} (withdrawals), a final one is asked whether L1 paid it: the stage after final
     * is the claim, which only the trader's {@code ./clearline claim} sends, so one never claimed is named with that command.
     */
    static ArrayNode stages(JsonNode records, long l1Now, long period, long speed, long l1Final, String what, java.util.Map<Integer, Long> lotSizes,
                            java.util.function.LongPredicate claimed, String self, StringBuilder t) {
        ArrayNode out = UserOptions.JSON.createArrayNode();
        int matched = 0, posted = 0, fin = 0, paid = 0;
        StringBuilder pending = new StringBuilder();
        for (JsonNode r : records) {
            ObjectNode c = ((ObjectNode) r).deepCopy();
            String stage = r.path("stage").asText();
            // only a posted record: a matched one's batch index may be one L1 holds from another proposer (the node halts on it)
            if (stage.equals("posted") && r.path("batch").asLong(Long.MAX_VALUE) < l1Final) c.put("stage", stage = "final");
            // a fill a node took up from L1 was never numbered by its log: it is named by its batch below
            String id = what.equals("fill") ? (r.has("seq") ? "fill at seq " + r.path("seq").asLong() : "fill from before the take-up") + " ("
                    + yourSide(r, self) + Units.lots(r.path("size").asLong(), lotSizes.getOrDefault(r.path("market").asInt(), 0L), false) + " at "
                    + Units.amount(r.path("price").asLong()) + " on market " + r.path("market").asLong() + yourFee(r, self) + ")"
                    : "withdrawal " + r.path("withdrawalId").asLong() + " of " + Units.amount(r.path("amount").asLong());
            switch (stage) {
                case "final" -> {
                    fin++;
                    if (claimed == null) break;
                    boolean done = claimed.test(r.path("withdrawalId").asLong());
                    c.put("claimed", done);
                    if (done) paid++;
                    else pending.append("    ").append(id).append(": final in batch ").append(r.path("batch").asLong())
                            .append(", not claimed yet: ").append(UserCommands.claimCommand(r.path("recipient").asText(""), self)).append(" pays it\n");
                }
                case "posted" -> {
                    posted++;
                    long in = Math.max(0, r.path("finalAt").asLong() - l1Now);
                    c.put("finalInSeconds", in);
                    pending.append("    ").append(id).append(": posted in batch ").append(r.path("batch").asLong())
                            .append(", final in about ").append(UserOptions.l1Wait(in, speed)).append(" unless disputed\n");
                }
                default -> {
                    matched++;
                    pending.append("    ").append(id).append(": matched, its batch ").append(r.path("batch").asLong())
                            .append(" is not on L1 yet; final about ").append(UserOptions.l1Wait(period, speed)).append(" after it posts\n");
                }
            }
            out.add(c);
        }
        if (!out.isEmpty()) {
            t.append("  ").append(what).append("s: ").append(fin).append(" final")
                    .append(claimed == null ? "" : " (" + paid + " claimed)").append(", ").append(posted).append(" posted, ").append(matched)
                    .append(" matched\n").append(pending);
        }
        return out;
    }
}
