package dev.clearline.cli;

import dev.clearline.contracts.generated.Rollup;
import dev.clearline.engine.batch.BatchHeader;
import dev.clearline.engine.batch.BatchPolicy;
import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Eip712;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.engine.stf.LeafStore;
import dev.clearline.prover.escape.FinalizedState;
import dev.clearline.prover.l1.L1Clock;
import dev.clearline.prover.l1.RollupLog;
import dev.clearline.prover.l1.SequencerSilence;
import dev.clearline.prover.replay.BatchVerifier;
import dev.clearline.sequencer.state.CommandHistory;
import dev.clearline.sequencer.state.FillsOnL1;
import dev.clearline.sequencer.state.Genesis;
import dev.clearline.sequencer.state.SequencerState;
import dev.clearline.sequencer.state.Snapshot;
import java.io.IOException;
import java.io.PrintWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;
import java.util.function.LongSupplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The state a sequencer takes up from L1 alone, for an operator whose own log cannot go on: every member's disk lost
 * (L1 is then the record), or another proposer's batch on L1 where its own should be (its node halts on it and cannot
 * build on a state L1 does not hold). Rebuilt as {@code propose} rebuilds it: the finalized state, then every live
 * batch replayed and judged (a wrong one refuses: a batch on top of it would be rejected with it), checked against the
 * rollup's tip; written as the first state of a new log, which {@code ./clearline sequencer --take-up FILE} starts from
 * on an empty directory. What L1 never held is gone (resting orders, fills and withdrawals acknowledged after the last
 * posted batch): traders place their orders again.
 */
@Command(name = "take-up", mixinStandardHelpOptions = true,
        description = {"Rebuild from L1 alone the state a sequencer goes on from when its own log cannot (every member's disk lost, or another"
                + " proposer's batch where its own should be), and write it for ./clearline sequencer --take-up FILE.",
                "Every live batch is replayed and judged first (a wrong one refuses), the result checked against the rollup's tip. Balances,"
                        + " positions, markets, withdrawals and every posted order's hash carry over; books start empty (an order L1 holds as"
                        + " resting is pruned, never filled again: its owner places it again, signed anew), and what L1 never held is gone."})
final class TakeUpCommand extends EscapeCommands.HatchBase {
    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Where to write the state (replaced if it exists).")
    Path outFile;

    @Option(names = "--batch-seconds", defaultValue = "" + Genesis.BATCH_SECONDS, paramLabel = "S",
            description = "The --batch-seconds the sequencer will run with (part of what every member agrees on). Default: ${DEFAULT-VALUE}.")
    long batchSeconds;

    @Option(names = "--confirmations", paramLabel = "N",
            description = "L1 blocks L1's last batch must lie under before its state is taken up: at least how deep the chain reorganises"
                    + " (Ethereum: 64 for finality), since a batch a reorganisation takes away leaves the new node's batches off L1. Default: 0"
                    + " on a development node, required elsewhere.")
    Integer confirmations;

    /** A sequencer that posted more recently than this (L1 seconds) may still run: the take-up warns. */
    static final long RECENT_SECONDS = 60;

    TakeUpCommand(PrintWriter out, PrintWriter err, LongSupplier nanos) {
        super(out, err, nanos);
    }

    /** 0 on a development node (instant finality); elsewhere how deep L1 reorganises is the operator's call, so it is asked for. */
    private int depthOnDevNode() {
        long chain = o.chainId();
        String client = o.l1("read the L1 node's version", () -> {
            var v = o.web3j().web3ClientVersion().send();
            return v.hasError() ? "" : v.getWeb3ClientVersion();
        });
        if (dev.clearline.prover.l1.PublicKeys.isDevNode(chain, client)) return 0;
        throw UserError.usage("chain " + chain + " is not a development node: pass --confirmations N, the L1 blocks L1's last batch must lie"
                + " under before its state is taken up, at least how deep the chain reorganises (Ethereum: 64 for finality)");
    }

    @Override
    Integer run() {
        if (batchSeconds < 1 || batchSeconds > 3_600) throw UserError.usage("--batch-seconds must be 1 to 3600, got " + batchSeconds);
        if (confirmations != null && (confirmations < 0 || confirmations > 1_000)) {
            throw UserError.usage("--confirmations must be 0 to 1000 blocks, got " + confirmations);
        }
        Rollup rollup = o.readOnlyRollup(); // reads only: no key needed
        int depth = confirmations != null ? confirmations : depthOnDevNode();
        long frozen = o.l1("read the rollup", () -> rollup.frozenAt().send().longValueExact());
        if (frozen != 0) {
            throw new UserError("the rollup is frozen (since L1 time " + frozen + ") and takes no batches: no sequencer goes on from it; what"
                    + " traders hold leaves through the escape hatch (./clearline escape)");
        }
        Hash32 tipRoot = new Hash32(o.l1("read the rollup's tip", () -> rollup.tip().send()).component1());
        RollupLog log = new RollupLog(o.web3j(), rollup.getContractAddress());
        long head = o.l1("read the L1 head", log::latestBlock);
        long next = o.l1("read the rollup", () -> rollup.nextBatchIndex().send().longValueExact());
        long finalized = o.l1("read the rollup", () -> rollup.finalizedCount().send().longValueExact());
        long period = o.l1("read the rollup", () -> rollup.challengePeriod().send().longValueExact());

        FinalizedState state = finalizedState(rollup, finalized);
        TreeSet<Address> owners = new TreeSet<>(Comparator.comparing(Address::toString));
        TreeSet<Integer> markets = new TreeSet<>(Comparator.comparingLong(Integer::toUnsignedLong));
        owners.addAll(state.owners());
        markets.addAll(state.markets());
        BatchHeader[] last = {null};
        long[] lastBlock = {-1};
        long[] withdrawalCounts = new long[(int) (next - finalized) + 1]; // where each live batch began, then the tip's
        withdrawalCounts[0] = state.withdrawalCount();
        // the fills of the batches not final, so their traders see where they stand (only a wrong batch was told of in part: it refuses)
        Eip712 domain = new Eip712(o.chainId(), Address.fromHex(rollup.getContractAddress()));
        // an order the finalized batches posted is named by its hash too: the finalized state kept the digests of the resting ones
        FillsOnL1 fills = new FillsOnL1(domain::orderDigest, state.restingOrderHashes());
        // the orders with an expiry L1 posted, so the new node prunes their hash leaves once they expire, as the old one would
        List<Hash32> postedHashes = new ArrayList<>(state.expiringOrderHashes());
        BatchVerifier tip = verifiedTip(state, log, head, next, tipRoot, "take up again; nothing was written", (p, v) -> {
            FinalizedState.namedIn(p.batch().calldata(), owners, markets);
            FinalizedState.expiringIn(p.batch().calldata(), domain::orderDigest, postedHashes);
            last[0] = p.batch().header();
            lastBlock[0] = p.blockNumber();
            withdrawalCounts[(int) (p.batch().header().batchIndex() - finalized) + 1] = v.withdrawalCount();
        }, fills::applied);
        if (lastBlock[0] >= 0 && head - lastBlock[0] < depth) {
            throw new UserError("L1's last batch (batch " + (next - 1) + ", block " + lastBlock[0] + ") lies " + (head - lastBlock[0])
                    + " block(s) under L1's head, fewer than --confirmations " + depth + ": a reorganisation could still take it away, and the"
                    + " new node's batches with it. Take up again once L1's head reaches block " + (lastBlock[0] + depth) + "; nothing was written");
        }
        List<LeafStore.Write> leaves = new ArrayList<>();
        tip.forEachLeaf((k, v) -> leaves.add(new LeafStore.Write(k.clone(), v.clone())));
        long[] postedAt = new long[(int) (next - finalized)];
        // batches under challenge: judged honest here, but one whose proposer does not answer is lost by the clock
        java.util.Map<Long, String> disputed = new java.util.TreeMap<>();
        for (int i = 0; i < postedAt.length; i++) {
            BigInteger index = BigInteger.valueOf(finalized + i);
            var b = o.l1("read the rollup's batches", () -> rollup.batch(index).send());
            postedAt[i] = b.submittedAt.longValueExact();
            if (b.openDisputes.signum() > 0) disputed.put(finalized + i, b.proposer);
        }

        Genesis dev = Genesis.devnet(Address.fromHex(rollup.getContractAddress()));
        Genesis genesis = new Genesis(o.chainId(), dev.verifyingContract(), dev.books(), new BatchPolicy(dev.batches().maxTransitions(), batchSeconds));
        SequencerState.L1Start start = new SequencerState.L1Start(leaves, List.copyOf(owners), List.copyOf(markets), next, finalized, tipRoot,
                last[0], postedAt, withdrawalCounts, period, fills.fills(), postedHashes);
        long traders = owners.stream().filter(a -> !a.equals(Address.INSURANCE_FUND)).count(); // the fund is named, nobody trades for it
        byte[] image;
        int dropped;
        int expiring;
        SequencerState taken = SequencerState.takeUp(genesis, new NativeSecp256k1Verifier(), CommandHistory.inMemory(), start);
        try {
            dropped = taken.droppedRestingOrders();
            expiring = taken.hashesAwaitingExpiry();
            image = Snapshot.write(taken);
        } finally {
            taken.close();
        }
        try {
            Path dir = outFile.toAbsolutePath().getParent();
            if (dir != null) Files.createDirectories(dir);
            Path part = outFile.resolveSibling(outFile.getFileName() + ".part");
            Files.write(part, image);
            Files.move(part, outFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UserError("cannot write " + outFile + ": " + e.getMessage());
        }
        // the footgun: a take-up while the old node still posts is stale at once (and its key races the new node's nonces)
        String sequencer = o.l1("read the rollup's sequencer", () -> rollup.sequencer().send());
        Long silent = null;
        if (new BigInteger(sequencer.substring(2), 16).signum() != 0) {
            long now = o.l1("read the L1 time", () -> L1Clock.now(o.web3j()));
            silent = o.l1("read the sequencer's last batch", () -> new SequencerSilence(rollup, o.web3j()).silentFor(sequencer, now));
            if (silent < RECENT_SECONDS) {
                err.println("take-up: warning: the rollup's sequencer " + sequencer + " posted a batch " + silent + " L1 second(s) ago. If its"
                        + " node still runs, stop it first and take up again: a node still posting moves L1 past this state (the new node's"
                        + " batches would not follow L1's last), and two posters under one key race each other's nonces");
                err.flush();
            }
        }
        if (!disputed.isEmpty()) {
            // a challenger whose opponent never moves wins by the clock, rejecting the batch and every later one: the new node's too
            err.println("take-up: warning: batch(es) " + disputed.keySet() + " are challenged on L1. They replay honestly here, but a challenge"
                    + " nobody answers is won by the clock and takes the batch, and every batch after it (the new node's too), off L1: keep"
                    + " ./clearline watch --key-file running with the key of their proposer (" + String.join(", ", new java.util.TreeSet<>(disputed.values()))
                    + ") until they are final; it defends every batch that key posted");
            err.flush();
        }
        o.print(out, result().put("file", outFile.toString()).put("bytes", image.length).put("batches", next).put("finalBatches", finalized)
                        .put("stateRoot", tipRoot.toString()).put("traders", traders).put("markets", markets.size()).put("leaves", leaves.size())
                        .put("droppedRestingOrders", dropped).put("withdrawals", withdrawalCounts[withdrawalCounts.length - 1]).put("fillsNotFinal", start.fills().size())
                        .put("expiringOrderHashes", expiring)
                        .put("sequencerSilentSeconds", silent).set("disputedBatches", UserOptions.JSON.valueToTree(List.copyOf(disputed.keySet()))),
                "Took up the state L1 holds after its " + next + " batch(es) (" + finalized + " final), root " + tipRoot + ": " + traders
                        + " trader(s), " + markets.size() + " market(s), " + leaves.size() + " leaves; wrote " + outFile + " (" + image.length
                        + " bytes).\n" + withdrawalCounts[withdrawalCounts.length - 1] + " withdrawal(s) listed in their recipients' accounts at"
                        + " their stage on L1, and the " + start.fills().size() + " fill(s) of the batches not final yet in their traders'; " + dropped + " order(s) that rested partly filled are dropped (their owners place them again, as"
                        + " every order resting when the old node stopped); the hashes of " + expiring + " order(s) with an expiry leave the state"
                        + " once it passes, as on the old node.\nStart the sequencer from it on an empty directory (every member with this file):\n  ./clearline sequencer"
                        + " --take-up " + outFile + " --dir NEW_DIR --l1-rpc " + o.rpcUrl + " --manifest " + o.manifest
                        + (batchSeconds != Genesis.BATCH_SECONDS ? " --batch-seconds " + batchSeconds : "") + " ...\n"
                        + "Its first batch follows L1's last; books start empty, so traders place their orders again.");
        return 0;
    }
}
