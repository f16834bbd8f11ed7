package dev.clearline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clearline.contracts.generated.Rollup;
import dev.clearline.contracts.generated.TestCollateral;
import dev.clearline.prover.l1.L1Clock;
import java.io.PrintWriter;
import java.math.BigInteger;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * `deposit`: collateral from the key's L1 wallet into the rollup's priority queue, sent only where a sequencer will credit it
 * (one answers for this rollup, has not halted, and no queued op lets anyone freeze the rollup now), and with {@code --wait}
 * until it has.
 */
@Command(name = "deposit", mixinStandardHelpOptions = true,
        description = {"Deposit collateral into the rollup from your L1 key.",
                "Approves the token if needed and enqueues a deposit; the sequencer credits it on L2 when its next batch consumes the queue."})
final class DepositCommand extends UserCommands.Base {
    @Parameters(paramLabel = "AMOUNT", converter = Converters.Amount.class, description = "Collateral to deposit, such as 1000 or 12.5 (6 decimals).")
    long amount;

    @Option(names = "--anyway", description = "Deposit even when the sequencer (--api) does not answer, serves another rollup or has halted,"
            + " or when a queued op is past the rollup's force delay (anyone may freeze it): the"
            + " deposit then waits in L1's queue until an operator consumes it, and if none ever does it comes back only after a freeze"
            + " and its claim window.")
    boolean anyway;

    @Option(names = "--wait", description = "Then wait until the sequencer has credited the deposit on L2 (at most --wait-seconds),"
            + " so that an order sent next can use it; exit code 1 if it has not by then (the deposit stands: ./clearline status).")
    boolean await;

    @Option(names = "--wait-seconds", defaultValue = "120", converter = Converters.Seconds.class,
            description = "How long --wait waits for the credit. Default: 120.")
    long waitSeconds;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    DepositCommand(PrintWriter out) {
        super(out);
    }

    @Override
    public Integer call() {
        if (await && anyway) throw UserError.usage("--wait asks the sequencer for the credit, and --anyway deposits where none answers: give one");
        Rollup rollup = o.rollup();
        if (o.l1("read the rollup", () -> rollup.frozenAt().send().longValueExact()) != 0) {
            throw new UserError("nothing was deposited: the rollup " + rollup.getContractAddress() + " is frozen and takes no deposits;"
                    + " what you hold there leaves through the escape hatch (./clearline status says where the escape stands)");
        }
        if (!anyway) requireNoFreezeDue(rollup);
        String tokenAddress = o.l1("read the rollup's token", () -> rollup.token().send());
        TestCollateral token = TestCollateral.load(tokenAddress, o.web3j(), o.transactions(),
                UserOptions.gas());
        String me = o.key().getAddress();
        BigInteger held = o.l1("read your token balance", () -> token.balanceOf(me).send());
        if (held.compareTo(BigInteger.valueOf(amount)) < 0) {
            throw new UserError("you hold " + Units.amount(held.longValueExact()) + " collateral on L1 (" + me + "), less than "
                    + Units.amount(amount) + "; deposit less or get more of token " + tokenAddress
                    + " (on a test deployment its minter, the deploying key, can: ./clearline mint AMOUNT --to " + me + ")");
        }
        if (!anyway) requireOperator(rollup.getContractAddress());
        BigInteger allowed = o.l1("read the allowance", () -> token.allowance(me, rollup.getContractAddress()).send());
        if (allowed.compareTo(BigInteger.valueOf(amount)) < 0) {
            UserCommands.ok(o.l1("approve the rollup", () -> token.approve(rollup.getContractAddress(), BigInteger.valueOf(amount)).send()), "approve");
        }
        TransactionReceipt r = UserCommands.ok(o.l1("deposit", () -> rollup.deposit(BigInteger.valueOf(amount)).send()), "deposit");
        long index = Rollup.getPriorityOpEnqueuedEvents(r).getFirst().index.longValueExact();
        ObjectNode res = result().put("amount", Units.amount(amount)).put("queueIndex", index).put("tx", r.getTransactionHash());
        String deposited = "Deposited " + Units.amount(amount) + " (queue op " + index + ", tx " + r.getTransactionHash() + ")";
        if (await) return awaitCredit(res, deposited, index);
        // with --anyway nobody asked a sequencer: "within seconds" would promise what the user was just told may not happen
        o.print(out, res, deposited + "; "
                + (anyway ? "it waits in L1's queue until a sequencer consumes it (./clearline status shows it waiting); if none does"
                        + " within the rollup's force delay, anyone may ./clearline freeze, and ./clearline escape refunds it from then on"
                        : "it is credited on L2 once the sequencer consumes the op, usually within seconds: ./clearline positions"));
        return 0;
    }

    /** Polls the sequencer twice a second until it has consumed op {@code index}; says so every 10 s while it has not. */
    private int awaitCredit(ObjectNode res, String deposited, long index) {
        boolean credited;
        try {
            credited = CreditWait.await(() -> o.get("/state").path("priorityOpsConsumed").asLong(), index, (int) Math.min(Integer.MAX_VALUE,
                    waitSeconds * 2), 500, 20, consumed -> {
                        java.io.PrintWriter err = spec.commandLine().getErr();
                        err.println("clearline deposit: waiting for the sequencer to credit op " + index + " (it has consumed "
                                + consumed + " of L1's queue)");
                        err.flush();
                    }, Thread::sleep);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            credited = false;
        } catch (UserError e) {
            // the sequencer stopped answering mid-wait: the deposit is on L1 all the same, and a user who read only the failure
            // would deposit again
            throw new UserError(deposited + " stands, but waiting for its credit failed: " + e.getMessage(), e);
        }
        res.put("credited", credited);
        if (!credited) {
            throw new UserError(deposited + " stands, but the sequencer had not credited it within " + waitSeconds + " s (--wait-seconds):"
                    + " it is credited once the sequencer consumes the op; ./clearline status shows it waiting in L1's queue");
        }
        o.print(out, res, deposited + "; credited on L2: ./clearline positions");
        return 0;
    }

    /**
     * A rollup anyone may freeze now (its oldest unconsumed op is past the force delay) takes a deposit only into the escape
     * hatch: it comes back after the freeze and its claim window (days on a real deployment), not as a balance to trade with.
     */
    private void requireNoFreezeDue(Rollup rollup) {
        long consumed = o.l1("read the rollup", () -> rollup.tip().send().component2().longValueExact());
        long queue = o.l1("read the rollup", () -> rollup.queueLength().send().longValueExact());
        if (consumed >= queue) return;
        long enqueued = java.nio.ByteBuffer.wrap(UserCommands.queuedOp(o, rollup, consumed), 9, 8).getLong();
        long delay = o.l1("read the force delay", () -> rollup.forceDelay().send().longValueExact());
        long now = o.l1("read the L1 time", () -> L1Clock.now(o.web3j()));
        // the freeze's own test: overdue once L1's time is past the op's time plus the delay
        if (now > enqueued + delay) {
            throw new UserError("nothing was deposited: queue op " + consumed + " has waited past the rollup's force delay with no batch"
                    + " consuming it, so anyone may freeze the rollup now (./clearline status); a deposit made now would come back only"
                    + " through the escape hatch, after the freeze and its claim window; pass --anyway to deposit regardless");
        }
    }

    /**
     * Money goes in only where an operator will take it: a deposit no sequencer consumes sits in L1's queue,
     * and comes back only after a freeze (at least the force delay: days on a real deployment). So the sequencer at --api must answer,
     * for this rollup on this chain, and not be halted, before anything is sent.
     */
    private void requireOperator(String rollupAddress) {
        String anyway = "; pass --anyway to deposit regardless (it waits in L1's queue for an operator; if none consumes it, it"
                + " is refunded only after a freeze, which anyone may send once it is overdue: the rollup's force delay)";
        JsonNode state;
        try {
            state = o.get("/state");
        } catch (UserError e) {
            Throwable cause = e.getCause();
            String why = cause instanceof java.net.ConnectException ? "connection refused"
                    : cause != null && cause.getMessage() != null ? cause.getMessage() : e.getMessage();
            throw new UserError("nothing was deposited: the sequencer at " + o.api + " does not answer (" + why + "); is it running?"
                    + " pass --api with this rollup's sequencer" + anyway, e);
        }
        String served = state.path("verifyingContract").asText("");
        long chain = state.path("chainId").asLong(-1);
        if (!served.equalsIgnoreCase(rollupAddress) || chain != o.chainId()) {
            throw new UserError("nothing was deposited: the sequencer at " + o.api + " serves rollup " + served + " on chain " + chain
                    + ", not " + rollupAddress + " on chain " + o.chainId() + "; pass --api with this rollup's sequencer" + anyway);
        }
        // a halted node answers but consumes nothing from L1 until its operator acts: the deposit would only wait in the queue
        String halted = o.get("/venue").path("halted").asText(null);
        if (halted != null) {
            throw new UserError("nothing was deposited: the sequencer at " + o.api + " has halted (" + halted + ") and credits no"
                    + " deposit until its operator acts; ./clearline status shows when it takes orders again" + anyway);
        }
    }
}
