package dev.clearline.devnet.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.clearline.devnet.Devnet;
import dev.clearline.devnet.compat.Chain;
import dev.clearline.devnet.junit.ChainEdits;
import dev.clearline.devnet.junit.TimeTravel;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.protocol.core.methods.request.Transaction;

/**
 * Hardhat's account edits on the devnet, where a chain is re-executed (a reopened data directory,
 * a read or trace at a past block, a revert): each edit is recorded in the chain before the block
 * that came after it, so re-execution passes through it in the same place and reaches the roots
 * the blocks record. The behaviour a client sees is checked against Hardhat's node in the
 * compatibility suite.
 */
class StateEditsTest {
    private static final String CAROL = "0x00000000000000000000000000000000000c0001";
    private static final String BOB = "0x00000000000000000000000000000000000000b0";

    @TempDir
    Path dir;

    private static NodeConfig onDisk(Path dir) {
        return NodeConfig.defaults(() -> 1_700_000_000L).withDataDir(dir);
    }

    private static BigInteger balance(Devnet d, String who, long block) {
        return d.node().balance(who, block);
    }

    @Test
    void editsAreReExecutedInTheirPlaceWhenTheChainReopens() throws Exception {
        try (Devnet first = Devnet.inProcess(onDisk(dir))) {
            Chain chain = new Chain(first.web3j(), 31337);
            ChainEdits edits = new ChainEdits(first.web3jService());
            chain.send(first.accounts().first(), BOB, "0x", 21_000);      // block 1
            edits.setBalance(CAROL, BigInteger.valueOf(5));                // before block 2
            chain.send(first.accounts().first(), BOB, "0x", 21_000);      // block 2
            edits.setBalance(CAROL, BigInteger.valueOf(7));                // after the head
            edits.setStorageAt(CAROL, BigInteger.TWO, BigInteger.TEN);
        }
        assertThat(Files.readAllLines(dir.resolve("chain.jsonl"), StandardCharsets.UTF_8))
                .as("each edit is a line before the block after it").filteredOn(l -> l.startsWith("{\"edit\":")).hasSize(3);
        try (Devnet again = Devnet.inProcess(onDisk(dir))) {
            assertThat(again.node().blockNumber()).isEqualTo(2);
            assertThat(again.node().repair()).as("a clean close wrote the edited state").isEmpty();
            assertThat(balance(again, CAROL, DevnetNode.LATEST)).isEqualTo(7);
            assertThat(new BigInteger(1, again.node().storage(CAROL, word(2), DevnetNode.LATEST))).isEqualTo(10);
            // as on Hardhat's node, the state at a block includes the edits made while it was the head
            assertThat(balance(again, CAROL, 2)).isEqualTo(7);
            assertThat(balance(again, CAROL, 1)).isEqualTo(5);
            assertThat(balance(again, CAROL, 0)).isZero();
            new TimeTravel(again.web3jService()).mine();
            assertThat(balance(again, CAROL, 3)).as("the next block carries the head's edits").isEqualTo(7);
            assertThat(balance(again, CAROL, 2)).as("the same answer once it is no longer the head").isEqualTo(7);
        }
        try (Devnet third = Devnet.inProcess(onDisk(dir))) {
            assertThat(third.node().blockNumber()).isEqualTo(3);
            assertThat(balance(third, CAROL, 3)).isEqualTo(7);
            assertThat(balance(third, CAROL, 2)).isEqualTo(7);
            assertThat(balance(third, CAROL, 1)).isEqualTo(5);
        }
    }

    @Test
    void aRevertKeepsTheEditsMadeBeforeItsSnapshotAndUndoesTheRest() throws Exception {
        try (Devnet d = Devnet.inProcess(onDisk(dir))) {
            ChainEdits edits = new ChainEdits(d.web3jService());
            TimeTravel time = new TimeTravel(d.web3jService());
            edits.setBalance(CAROL, BigInteger.valueOf(5));
            String snapshot = time.snapshot();
            edits.setBalance(CAROL, BigInteger.valueOf(6));
            time.mine();
            edits.setBalance(CAROL, BigInteger.valueOf(7));
            time.mine();
            assertThat(time.revert(snapshot)).isTrue();
            assertThat(d.node().blockNumber()).isZero();
            assertThat(balance(d, CAROL, DevnetNode.LATEST)).isEqualTo(5);
            time.mine();
            assertThat(balance(d, CAROL, 1)).as("the block after the revert carries the kept edit").isEqualTo(5);
        }
        try (Devnet again = Devnet.inProcess(onDisk(dir))) {
            assertThat(again.node().blockNumber()).isEqualTo(1);
            assertThat(balance(again, CAROL, 1)).as("the rewritten chain file keeps it too").isEqualTo(5);
        }
    }

    @Test
    void aTransactionThatNeedsAnEditIsTracedWithTheEditInPlace() throws Exception {
        try (Devnet d = Devnet.inProcess(NodeConfig.defaults(() -> 1_700_000_000L))) {
            ChainEdits edits = new ChainEdits(d.web3jService());
            edits.setBalance(CAROL, BigInteger.TEN.pow(18)); // nothing else ever funded it
            edits.impersonate(CAROL);
            var sent = d.web3j().ethSendTransaction(Transaction.createEtherTransaction(CAROL, null, null, BigInteger.valueOf(21_000),
                    BOB, BigInteger.valueOf(3))).send();
            assertThat(sent.hasError()).as(sent.getError() == null ? "" : sent.getError().getMessage()).isFalse();
            new TimeTravel(d.web3jService()).mine(); // the traced block is no longer the head: its parent is re-executed
            Outcome<JsonNode> trace = d.node().traceTransaction(sent.getTransactionHash(), "callTracer", null);
            assertThat(trace).isInstanceOf(Outcome.Done.class);
            JsonNode call = ((Outcome.Done<JsonNode>) trace).value();
            assertThat(call.path("error").isMissingNode()).as(call.toString()).isTrue();
            assertThat(call.get("value").asText()).isEqualTo("0x3");
        }
    }

    @Test
    void aProofAtTheHeadProvesTheStateItsHeaderCommitsTo() throws Exception {
        try (Devnet d = Devnet.inProcess(NodeConfig.defaults(() -> 1_700_000_000L))) {
            new ChainEdits(d.web3jService()).setBalance(CAROL, BigInteger.valueOf(9));
            JsonNode before = d.node().proof(CAROL, List.of(), DevnetNode.LATEST);
            assertThat(before.get("balance").asText()).as("no header holds the edit yet").isEqualTo("0x0");
            new TimeTravel(d.web3jService()).mine();
            assertThat(d.node().proof(CAROL, List.of(), DevnetNode.LATEST).get("balance").asText()).isEqualTo("0x9");
        }
    }

    @Test
    void aTornStateEditIsCutOffAndTheChainReopensWithoutIt() throws Exception {
        try (Devnet first = Devnet.inProcess(onDisk(dir))) {
            ChainEdits edits = new ChainEdits(first.web3jService());
            edits.setBalance(CAROL, BigInteger.valueOf(5));
            edits.setBalance(CAROL, BigInteger.valueOf(6));
        }
        Path file = dir.resolve("chain.jsonl");
        byte[] bytes = Files.readAllBytes(file);
        int lastLineStart = new String(bytes, StandardCharsets.UTF_8).stripTrailing().lastIndexOf('\n') + 1;
        Files.write(file, java.util.Arrays.copyOf(bytes, lastLineStart + (bytes.length - lastLineStart) / 2));
        try (Devnet again = Devnet.inProcess(onDisk(dir))) {
            assertThat(again.node().repair()).hasValueSatisfying(note -> assertThat(note).contains("torn", "state edit", "after block 0"));
            assertThat(balance(again, CAROL, DevnetNode.LATEST)).as("the complete edit stays").isEqualTo(5);
        }
    }

    private static byte[] word(long n) {
        return org.web3j.utils.Numeric.toBytesPadded(BigInteger.valueOf(n), 32);
    }
}
