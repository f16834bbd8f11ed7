package dev.clearline.contracts.l1;

import static dev.clearline.contracts.l1.L1Fixture.*;

import dev.clearline.contracts.Artifacts;
import dev.clearline.contracts.l1.FrozenWorld.Account;
import dev.clearline.contracts.l1.FrozenWorld.Withdrawal;
import dev.clearline.evm.Address;
import dev.clearline.evm.ExecutionResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * The L1 gas report: every user-facing call of the rollup, the dispute game and the escape hatch,
 * and a whole dispute over a 1,024-transition batch, run in the embedded EVM. Gas is per
 * transaction as a receipt shows it (21,000 intrinsic and calldata included). Deterministic: no
 * timing, so no idle share is needed beside the figures.
 *
 * <p>Run: {@code ./mvnw -B -q -pl contracts -am install -DskipTests && ./mvnw -B -q -pl contracts -Pl1-gas exec:exec@l1-gas};
 * writes {@code bench-results/l1-gas.md}.
 */
public final class L1GasReport {
    static final Address USER = Address.ofLong(0xa11ce);
    static final Address PROPOSER = Address.ofLong(0x9909);
    static final Address CHALLENGER = Address.ofLong(0xc4a1);

    private final List<String> rows = new ArrayList<>();

    public static void main(String[] args) throws IOException {
        Path out = Path.of(System.getProperty("clearline.benchResults", "bench-results"), "l1-gas.md");
        L1GasReport report = new L1GasReport();
        report.queueAndBatches();
        String dispute = report.dispute(1_024, 16);
        report.escape();
        StringBuilder md = new StringBuilder();
        md.append("# L1 contracts: gas\n\n");
        md.append("- command: `./mvnw -B -q -pl contracts -am install -DskipTests && ./mvnw -B -q -pl contracts -Pl1-gas exec:exec@l1-gas`\n");
        md.append("- date: ").append(LocalDate.now()).append(", JDK ").append(Runtime.version()).append(", embedded EVM (Shanghai)\n");
        md.append("- gas per transaction as in a receipt (21,000 intrinsic and calldata included); deterministic.\n");
        md.append("- the one-step verifier here is the test-only ToyStepVerifier: the one-step figures measure the game's own\n");
        md.append("  work (inclusion proof, clocks, settlement) plus a trivial step; the Solidity STF's per-type cost is in the\n");
        md.append("  solstf conformance report, and a whole dispute with the real verifier in bench-results/dispute-gas.md\n");
        md.append("  (the same command with -pl contracts,prover runs both reports).\n\n");
        md.append("| operation | gas |\n| --- | ---: |\n");
        for (String r : report.rows) md.append(r).append('\n');
        md.append('\n').append(dispute).append('\n');
        md.append("## Bytecode (runtime bytes, limit 24,576)\n\n| contract | bytes |\n| --- | ---: |\n");
        for (String name : List.of("Rollup", "DisputeGame", "EscapeHatch", "StepVerifier", "PriorityStep", "AccountStep", "TradingStep")) {
            md.append("| ").append(name).append(" | ").append(String.format("%,d", Artifacts.onClasspath().load(name).deployedBytecode().length))
                    .append(" |\n");
        }
        Files.createDirectories(out.getParent());
        Files.writeString(out, md.toString());
        System.out.println(md);
    }

    private void row(String what, ExecutionResult r) {
        if (!r.succeeded()) throw new IllegalStateException(what + " failed: " + r.failure());
        rows.add(String.format("| %s | %,d |", what, r.gasUsed()));
    }

    private void queueAndBatches() {
        try (L1Fixture l1 = new L1Fixture()) {
            l1.fund(USER, 10_000_000);
            row("deposit (first ever)", l1.send(USER, l1.rollup, "deposit(uint256)", uint(1_000)));
            row("deposit (later)", l1.send(USER, l1.rollup, "deposit(uint256)", uint(1_000)));
            row("requestForcedWithdrawal", l1.send(USER, l1.rollup, "requestForcedWithdrawal(uint256)", uint(5)));
            row("joinProposers", l1.send(PROPOSER, l1.rollup, PROPOSER_BOND, "joinProposers()"));
            long[] sizes = {1, 16, 256, 1_024};
            long[] gas = new long[sizes.length];
            for (int k = 0; k < 2; k++) {
                String kind = k == 0 ? "Liquidate, 25 B" : "OraclePrice-sized, 94 B";
                for (int i = 0; i < sizes.length; i++) {
                    List<byte[]> ts = k == 0 ? Transitions.filler((int) sizes[i], i) : tradeSized((int) sizes[i], i);
                    Header h = L1Fixture.header(l1.nextBatchIndex(), l1.tipRoot(), org.web3j.crypto.Hash.sha3(("post" + k + i).getBytes()), ts, 0);
                    ExecutionResult r = l1.submit(PROPOSER, h, Transitions.concat(ts));
                    row("submitBatch, " + sizes[i] + " x " + kind, r);
                    gas[i] = r.gasUsed();
                }
                rows.add(String.format("| submitBatch %s: fixed part ~ | %,d |", kind, gas[0] - (gas[3] - gas[0]) / 1_023));
                rows.add(String.format("| submitBatch %s: per transition ~ | %,d |", kind, (gas[3] - gas[0]) / 1_023));
            }
            l1.advance(CHALLENGE_PERIOD);
            row("finalizeBatches (1 batch)", l1.finalizeBatches(1));
        }
    }

    /** Transitions of an OraclePrice's length (type 5, 94 bytes; only their length matters to submitBatch). */
    static List<byte[]> tradeSized(int n, int salt) {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] t = new byte[94];
            t[0] = 5;
            byte[] h = org.web3j.crypto.Hash.sha3(("oracle" + salt + "/" + i).getBytes());
            System.arraycopy(h, 0, t, 1, 32);
            System.arraycopy(h, 0, t, 33, 32);
            t[93] = 27;
            out.add(t);
        }
        return out;
    }

    private String dispute(int n, int arity) {
        try (L1Fixture l1 = new L1Fixture(L1Fixture.Params.defaults().withArity(arity))) {
            l1.join(PROPOSER);
            DisputeGameTest.Scenario s = new DisputeGameTest.Scenario(l1, Transitions.filler(n, 7), ToyStf.State.GENESIS, n / 2 + 3);
            s.submit(PROPOSER);
            ExecutionResult c = l1.challenge(CHALLENGER, s.header);
            row("challenge", c);
            long id = word(event(c, "Challenged(uint256,uint64,address,address,uint32)").topics().get(1).bytes(), 0).longValueExact();
            Dispute d = new Dispute(l1, id, PROPOSER, CHALLENGER, s.transitions, s.claimed,
                    (i, root) -> java.util.Arrays.equals(s.truth.get(i).root(), root), i -> s.truth.get(i).witness());
            List<String> moves = new ArrayList<>();
            while (d.status() == Dispute.ACTIVE) {
                long len = d.field(Dispute.HI) - d.field(Dispute.LO);
                ExecutionResult r = d.sideToMove() == 0 ? d.bisect() : len > 1 ? d.choose() : d.oneStep();
                row(d.moves.getLast().replaceAll(" \\d+(/\\d+)?$", "") + " (segment " + len + ")", r);
                moves.add(d.moves.getLast());
            }
            long challengerGas = d.challengerGas + c.gasUsed();
            int challengerTxs = d.challengerTxs + 1;
            return String.format("## A whole dispute over a %,d-transition batch (k = %d, the proposer lies from the middle)%n%n"
                            + "| side | transactions | gas |%n| --- | ---: | ---: |%n| challenger (challenge + moves + one step) | %d | %,d |%n"
                            + "| proposer (bisections) | %d | %,d |%n%nMoves: %s. Outcome: %s.%n",
                    n, arity, challengerTxs, challengerGas, d.proposerTxs, d.proposerGas, moves,
                    d.status() == Dispute.CHALLENGER_WON ? "challenger won, batch rejected" : "status " + d.status());
        }
    }

    private void escape() {
        StateTree.Market market = new StateTree.Market(1, 10, 100_000, 50_000, 0, 0, 20_000, Address.ofLong(0x0c), 1_000, 5, 1, 0);
        Account a = new Account(Address.ofLong(0xa1), 300, 0, 0, 0);
        Account b = new Account(Address.ofLong(0xb1), 0, 2, 100, 0);
        Account c = new Account(Address.ofLong(0xc1), 0, -2, 1_500, 0);
        Withdrawal w = new Withdrawal(0, Address.ofLong(0xe1), 50);
        try (L1Fixture l1 = new L1Fixture()) {
            FrozenWorld world = new FrozenWorld(l1, market, List.of(a, b, c), List.of(w));
            row("freeze", world.freeze());
            row("refundDeposit", world.refundLateDeposit(CHALLENGER));
            row("reportBadDebt (position + market multi-proof)", world.reportBadDebt(CHALLENGER, c));
            l1.advance(CLAIM_WINDOW);
            row("escapeBalance", world.escapeBalance(CHALLENGER, a));
            row("escapePosition (position + market multi-proof)", world.escapePosition(CHALLENGER, b));
            row("claimWithdrawal (after a freeze, scaled)", world.claimWithdrawal(CHALLENGER, w));
        }
        try (L1Fixture l1 = new L1Fixture()) {
            RollupTest.WithdrawalSetup ws = RollupTest.WithdrawalSetup.create(l1, 1_000, 400);
            l1.advance(CHALLENGE_PERIOD);
            l1.finalizeBatches(1);
            row("claimWithdrawal", ws.claim(l1));
        }
    }
}
