package dev.clearline.prover.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.clearline.engine.order.Hash32;
import dev.clearline.prover.replay.BatchVerifier;
import dev.clearline.prover.replay.PostedBatch;
import dev.clearline.prover.replay.TestBatches;
import dev.clearline.prover.replay.Verdict;
import dev.clearline.prover.trace.StepVm;
import dev.clearline.tree.store.MemoryNodeStore;
import dev.clearline.engine.transition.Transition;
import dev.clearline.engine.transition.TransitionCodec;
import dev.clearline.prover.trace.LeafKind;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A dispute over a batch whose proposer lies from its fourth transition on, rehearsed with the
 * DisputeGame's rules against the replayed batch (the one-step proof runs the real StepVerifier in
 * the EVM), reported as text and as one HTML page that a real headless browser opens.
 */
class DisputeReportTest {
    private static final String PROPOSER = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";
    private static final String CHALLENGER = "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc";
    private static StepVm vm;
    private static DisputeRecord record;

    @TempDir
    Path tmp;

    @BeforeAll
    static void rehearseADisputeOverALyingBatch() {
        vm = new StepVm(31337);
        List<PostedBatch> batches = TestBatches.honest(2, 6, 9);
        MemoryNodeStore nodes = new MemoryNodeStore();
        BatchVerifier verifier = new BatchVerifier(TestBatches.stf(), nodes);
        assertThat(verifier.verify(batches.get(0)).honest()).isTrue();
        long pre = nodes.latestVersion();
        Rehearsal rehearsal = new Rehearsal(TestBatches.stf(), vm, 31337, TestBatches.DOMAIN.domainSeparator().bytes());
        List<Hash32> honest = rehearsal.honestRoots(nodes, pre, batches.get(1));
        // The proposer's roots are right up to prefix 3 and made up after it.
        java.util.function.IntFunction<Hash32> claimed = i -> i <= 3 ? honest.get(i) : Hash32.fromHex(String.format("0x%064x", 0xbad00 + i));
        PostedBatch lie = TestBatches.withPostRoot(batches.get(1), claimed.apply(6));
        assertThat(verifier.verify(lie)).isInstanceOf(Verdict.WrongPostRoot.class);
        record = rehearsal.play(nodes, pre, lie, claimed, 2, PROPOSER, CHALLENGER);
    }

    @AfterAll
    static void close() {
        vm.close();
    }

    @Test
    void theBisectionEndsAtTheFirstWrongStepAndTheRealOneStepProvesItWrong() {
        assertThat(record.disputedStep()).isEqualTo(3);
        assertThat(record.outcome()).contains(new DisputeRecord.Outcome("ChallengerWon", "RootMismatch"));
        assertThat(record.oneStep().agree()).as("Java and Solidity agree on the step").isTrue();
        assertThat(record.rounds()).extracting(DisputeRecord.Round::move)
                .containsExactly("challenge", "bisect", "choose", "bisect", "choose", "oneStep");
        assertThat(record.rounds().getLast().lo()).isEqualTo(3);
        assertThat(record.verdict()).isEqualTo("Challenger wins (RootMismatch)");
    }

    @Test
    void theTextReportHasTheVerdictTheRoundsTheDecodedTransitionAndBothVerdicts() {
        String text = TextReport.render(record);
        assertThat(text).contains("Verdict: Challenger wins (RootMismatch)", "rehearsal", "type                     1 (Deposit)",
                "owner", "amount", "Java STF", "Solidity StepVerifier (EVM)", "one-step call (StepVerifier.step): " + record.oneStep().run().gasUsed(),
                "#0 CALL StepVerifier", "#1 STATICCALL PriorityStep");
        assertThat(text.lines().filter(l -> l.matches("\\s+\\d+\\s+(proposer|challenger).*"))).hasSize(record.rounds().size());
    }

    @Test
    void theLeavesAreDecodedFieldByFieldWithWhoseTheyAreInHumanUnits() throws Exception {
        Transition.Deposit deposit = (Transition.Deposit) TransitionCodec.decode(record.oneStep().stepCase().transition());
        List<LeafView.Decoded> leaves = ReportModel.decodedLeaves(record);
        assertThat(leaves).extracting(LeafView.Decoded::kind).contains(LeafKind.GLOBAL, LeafKind.BALANCE).doesNotContain(LeafKind.UNKNOWN);
        LeafView.Decoded balance = leaves.stream().filter(l -> l.kind() == LeafKind.BALANCE).findFirst().orElseThrow();
        assertThat(balance.label()).isEqualTo(deposit.owner().toString());
        LeafView.Field free = balance.fields().stream().filter(f -> f.name().equals("free")).findFirst().orElseThrow();
        BigDecimal before = free.before() == null ? BigDecimal.ZERO : new BigDecimal(free.before());
        assertThat(new BigDecimal(free.after()).subtract(before)).as("the deposit, in collateral with six decimals")
                .isEqualByComparingTo(BigDecimal.valueOf(deposit.amount(), 6));
        LeafView.Field consumed = leaves.stream().filter(l -> l.kind() == LeafKind.GLOBAL).findFirst().orElseThrow().fields().stream()
                .filter(f -> f.name().equals("priorityOpsConsumed")).findFirst().orElseThrow();
        assertThat(Long.parseLong(consumed.after())).isEqualTo(Long.parseLong(consumed.before()) + 1);

        String text = TextReport.render(record);
        assertThat(text).contains("BALANCE " + deposit.owner() + "  written", "* free", "->  " + free.after(), "* priorityOpsConsumed")
                .doesNotContain("before 0x");
    }

    @Test
    void theHtmlPageIsSelfContainedAndAHeadlessBrowserFindsTheVerdictAndBuildsTheTraceBrowser() throws Exception {
        String html = HtmlReport.render(record);
        assertThat(html).doesNotContain("src=", "href=", "http://", "https://", "@import", "url(");
        Path page = tmp.resolve("dispute.html");
        Files.writeString(page, html, StandardCharsets.UTF_8);

        Optional<Path> chromium = Chromium.find();
        assumeTrue(chromium.isPresent(), "chromium not found on PATH: install Debian's chromium (apt-get install -y chromium); .ci/run does");
        String dom = Chromium.dumpDom(chromium.get(), page, tmp);
        Matcher verdict = Pattern.compile("<div id=\"verdict\"[^>]*>([^<]*)</div>").matcher(dom);
        assertThat(verdict.find()).as(dom.substring(0, Math.min(2_000, dom.length()))).isTrue();
        assertThat(verdict.group(1)).isEqualTo("Challenger wins (RootMismatch)");
        assertThat(dom).as("the inline script ran to its end").contains("data-trace-ready=\"true\"");
        Matcher free = Pattern.compile("<td class=\"field changed\" data-field=\"free\">free</td><td[^>]*>[^<]*</td><td[^>]*>([^<]*)</td>")
                .matcher(dom);
        assertThat(free.find()).as("the BALANCE leaf's free field, decoded, in the page").isTrue();
        LeafView.Field decoded = ReportModel.decodedLeaves(record).stream().filter(l -> l.kind() == LeafKind.BALANCE).findFirst().orElseThrow()
                .fields().stream().filter(f -> f.name().equals("free")).findFirst().orElseThrow();
        assertThat(free.group(1)).isEqualTo(decoded.after()).matches("\\d+\\.\\d{6}");
        assertThat(dom).contains("data-kind=\"BALANCE\"", "data-kind=\"GLOBAL\"");
        int frames = record.oneStep().toNode().path("frames").size();
        for (int i = 0; i < frames; i++) assertThat(dom).contains("data-frame=\"" + i + "\"");
        long stepRows = Pattern.compile("<td class=\"stack\">").matcher(dom).results().count();
        assertThat(stepRows).as("opcode steps of frame 0 shown").isEqualTo(Math.min(500,
                record.oneStep().toNode().path("frames").get(0).path("stepCount").asLong()));
    }
}
