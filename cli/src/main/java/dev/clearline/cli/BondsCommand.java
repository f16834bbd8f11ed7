package dev.clearline.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clearline.contracts.generated.DisputeGame;
import dev.clearline.contracts.generated.Rollup;
import dev.clearline.prover.l1.L1Clock;
import java.io.PrintWriter;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.tuples.generated.Tuple4;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The ether the rollup and its dispute game hold for a key, and taking it back. Both contracts pay
 * by pull: a won game's bonds, a challenge bond returned by an obsolete game, a slashed proposer's
 * bond won by its challenger and a proposer's own bond once it left all wait in a credit until the
 * key asks for them. Without this a watcher that won a dispute, or an operator retiring its key,
 * needed a script of its own to be paid.
 */
@Command(name = "bonds", mixinStandardHelpOptions = true,
        description = {"Your ether held by the rollup and its dispute game: your proposer bond (an operator's or a proposer's) and the"
                + " credits games and the rollup owe you (a challenge bond returned, an opponent's bond won, a slashed proposer's bond"
                + " won, your own bond once you left the proposers).",
                "Reads only, unless --withdraw: then every credit is sent to your key; --leave first releases your proposer bond into"
                        + " your credit (allowed once your last batch is final, or the rollup froze)."})
final class BondsCommand extends UserCommands.Base {
    @Option(names = "--withdraw", description = "Send every credit to your key (the game's withdrawCredit, the rollup's withdrawEth).")
    boolean withdraw;

    @Option(names = "--leave", description = "Leave the proposers first, so your bond joins the rollup's credit and --withdraw sends it"
            + " (a running sequencer node under this key bonds again before its next batch).")
    boolean leave;

    BondsCommand(PrintWriter out) {
        super(out);
    }

    @Override
    boolean asksSequencer() {
        return false; // bonds and credits are L1's alone
    }

    /** The key's proposer record and where its bond stands. */
    record Proposer(boolean active, BigInteger bond, boolean hasBatch, long lastBatch, long lockedUntilFinal) {
        boolean locked() {
            return lockedUntilFinal >= 0;
        }
    }

    @Override
    public Integer call() {
        if (leave && !withdraw) {
            throw UserError.usage("--leave releases the bond into your credit, which only --withdraw sends: give both (bonds --withdraw --leave)");
        }
        Rollup rollup = o.rollup();
        String me = o.key().getAddress();
        String gameAddress = o.l1("read the rollup's dispute game", () -> rollup.disputeGame().send());
        DisputeGame game = DisputeGame.load(gameAddress, o.web3j(), o.transactions(), UserOptions.gas());
        Proposer proposer = proposer(rollup, me);
        BigInteger gameCredit = o.l1("read your credit in the dispute game", () -> game.credit(me).send());
        BigInteger rollupCredit = o.l1("read your credit in the rollup", () -> rollup.ethCredit(me).send());

        ObjectNode result = result().put("account", me);
        ObjectNode p = result.putObject("proposer").put("active", proposer.active()).put("bondWei", proposer.bond().toString());
        if (proposer.hasBatch()) p.put("lastBatch", proposer.lastBatch());
        if (proposer.locked()) p.put("lockedUntilBatchFinal", proposer.lastBatch());
        result.putObject("creditsWei").put("disputeGame", gameCredit.toString()).put("rollup", rollupCredit.toString());
        List<String> lines = new ArrayList<>();
        lines.add("Account " + me + " (ether held for it by the rollup " + rollup.getContractAddress() + " and its dispute game " + gameAddress + ")");
        lines.add("  proposer bond: " + describe(rollup, proposer));
        lines.add("  credit in the dispute game: " + Units.ether(gameCredit) + " ETH (challenge bonds returned or won)");
        lines.add("  credit in the rollup: " + Units.ether(rollupCredit) + " ETH (slashed bonds won, your bond after leaving)");

        if (!withdraw) {
            boolean any = gameCredit.signum() > 0 || rollupCredit.signum() > 0;
            if (any) lines.add("Withdraw them: ./clearline bonds --withdraw");
            if (proposer.active() && !proposer.locked()) lines.add("Release the bond too: ./clearline bonds --withdraw --leave");
            o.print(out, result, String.join("\n", lines));
            return 0;
        }

        // every check before the first transaction: a refused leave sends nothing at all
        if (leave && proposer.active() && proposer.locked()) {
            String sequencer = o.l1("read the rollup's sequencer", () -> rollup.sequencer().send());
            throw new UserError("your proposer bond stays locked while your last batch " + proposer.lastBatch() + " can still be challenged: "
                    + finalIn(rollup, proposer.lastBatch()) + "; nothing was sent (without --leave, --withdraw sends your credits now)"
                    + (sequencer.equalsIgnoreCase(me) ? ". Your key is the rollup's sequencer: while its node runs it posts again and"
                    + " again; stop the node, let its last batch become final, then leave" : ""));
        }
        ObjectNode sent = result.putObject("withdrawnWei");
        if (leave && proposer.active()) {
            TransactionReceipt r = UserCommands.ok(o.l1("leave the proposers", () -> rollup.leaveProposers().send()), "leaveProposers");
            result.put("leaveTx", r.getTransactionHash());
            lines.add("Left the proposers (tx " + r.getTransactionHash() + "): the bond of " + Units.ether(proposer.bond()) + " ETH joined your rollup credit");
            rollupCredit = o.l1("read your credit in the rollup", () -> rollup.ethCredit(me).send());
        } else if (leave) {
            lines.add("Not a proposer: no bond to release");
        }
        boolean any = false;
        if (gameCredit.signum() > 0) {
            TransactionReceipt r = UserCommands.ok(o.l1("withdraw your credit from the dispute game", () -> game.withdrawCredit().send()), "withdrawCredit");
            sent.put("disputeGame", gameCredit.toString());
            result.put("disputeGameTx", r.getTransactionHash());
            lines.add("Withdrew " + Units.ether(gameCredit) + " ETH from the dispute game (tx " + r.getTransactionHash() + ")");
            any = true;
        }
        if (rollupCredit.signum() > 0) {
            BigInteger amount = rollupCredit;
            TransactionReceipt r = UserCommands.ok(o.l1("withdraw your credit from the rollup", () -> rollup.withdrawEth().send()), "withdrawEth");
            sent.put("rollup", amount.toString());
            result.put("rollupTx", r.getTransactionHash());
            lines.add("Withdrew " + Units.ether(amount) + " ETH from the rollup (tx " + r.getTransactionHash() + ")");
            any = true;
        }
        if (!any) lines.add("Nothing to withdraw: no credit is held for you");
        o.print(out, result, String.join("\n", lines));
        return 0;
    }

    private Proposer proposer(Rollup rollup, String me) {
        Tuple4<BigInteger, BigInteger, Boolean, Boolean> t = o.l1("read your proposer record", () -> rollup.proposers(me).send());
        boolean active = t.component3();
        boolean hasBatch = t.component4();
        long lastBatch = t.component2().longValueExact();
        if (!active || !hasBatch) return new Proposer(active, t.component1(), hasBatch, lastBatch, -1);
        // the rollup's own rule (leaveProposers): locked while the last batch is live and not final, unless frozen
        long frozen = o.l1("read the rollup", () -> rollup.frozenAt().send().longValueExact());
        long finalized = o.l1("read the rollup", () -> rollup.finalizedCount().send().longValueExact());
        long next = o.l1("read the rollup", () -> rollup.nextBatchIndex().send().longValueExact());
        boolean locked = frozen == 0 && lastBatch >= finalized && lastBatch < next;
        return new Proposer(true, t.component1(), true, lastBatch, locked ? lastBatch : -1);
    }

    private String describe(Rollup rollup, Proposer p) {
        if (!p.active()) return "none (not a proposer)";
        String bond = Units.ether(p.bond()) + " ETH";
        if (!p.hasBatch()) return bond + ", no batch posted: free to leave";
        if (p.locked()) return bond + ", locked while your last batch " + p.lastBatch() + " can be challenged: " + finalIn(rollup, p.lastBatch());
        return bond + ", your last batch " + p.lastBatch() + " is final (or was replaced): free to leave";
    }

    /** When batch {@code index} can be finalized, in words; a dispute holds it for as long as the game lasts. */
    private String finalIn(Rollup rollup, long index) {
        var b = o.l1("read batch " + index, () -> rollup.batch(BigInteger.valueOf(index)).send());
        if (b.openDisputes.signum() > 0) {
            return "it is disputed (" + b.openDisputes + " open game(s)); it can be final only once they end (./clearline watch defends it)";
        }
        long period = o.l1("read the rollup", () -> rollup.challengePeriod().send().longValueExact());
        long now = o.l1("read the L1 time", () -> L1Clock.now(o.web3j()));
        long left = b.submittedAt.longValueExact() + period - now;
        if (left <= 0) return "its challenge window has passed; it is final once finalized (./clearline claim --finalize does it)";
        return "its challenge window ends in " + UserOptions.l1Wait(left, o.l1TimeSpeed()) + ", then it is final once finalized";
    }
}
