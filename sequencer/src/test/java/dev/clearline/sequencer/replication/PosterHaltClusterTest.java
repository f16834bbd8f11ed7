package dev.clearline.sequencer.replication;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clearline.contracts.generated.Rollup;
import dev.clearline.contracts.generated.TestCollateral;
import dev.clearline.devnet.junit.DevnetContext;
import dev.clearline.devnet.junit.WithDevnet;
import dev.clearline.sequencer.DevAccounts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.utils.Numeric;

import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A three-member cluster whose leader's poster stops for an operator to fix (the rollup takes at most
 * 4 transitions a batch; the first batch holds a market listing and four deposits): every member's
 * trader API halts with the reason, not only the leader's. Before, the halt was the leader's alone,
 * and the followers' APIs kept taking orders no batch of this node would carry; now it goes through
 * the log ({@code Command.PostingHalted}) and each member's API follows its own log.
 */
@WithDevnet(http = true, parameters = "rollup.maxTransitions=4")
class PosterHaltClusterTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void everyMembersApiHaltsWhenTheLeadersPosterStopsNotOnlyTheLeaders(DevnetContext l1) throws Exception {
        String rollupAddress = l1.address("Rollup");
        // queued before the members start, so the leader's first round takes all five into batch 0 (a batch opens with
        // its first op and seals --batch-seconds later in whole log seconds: with 1 s, a tick in the next second could
        // seal it after the first op and no batch would be too long)
        ok(Rollup.load(rollupAddress, l1.web3j(), l1.deployer(), FrozenClusterTest.GAS).configureMarket(BigInteger.ONE, BigInteger.valueOf(100),
                BigInteger.valueOf(1_000), BigInteger.valueOf(100_000), BigInteger.valueOf(50_000), BigInteger.valueOf(200), BigInteger.valueOf(500),
                BigInteger.valueOf(10_000), DevAccounts.oracle().address().toString()).send());
        for (int k = 1; k <= 4; k++) deposit(l1, rollupAddress, l1.key(k));
        Path manifest = dir.resolve("deployment.json");
        l1.manifest().write(manifest);
        Credentials operator = l1.key(5);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        try (MemberProcesses members = MemberProcesses.start(dir, 3, "--l1-rpc", l1.devnet().rpcUrl(), "--manifest", manifest.toString(),
                "--operator-key", Numeric.toHexStringNoPrefixZeroPadded(operator.getEcKeyPair().getPrivateKey(), 64), "--batch-seconds", "5")) {
            int leader = members.awaitLeader(60_000);
            for (int id = 0; id < 3; id++) {
                String halted = awaitHalted(http, members.apiPort(id), 60_000);
                assertThat(halted).as("member %d (the leader is %d); its log:\n%s", id, leader, String.join("\n", members.tail(id, 20)))
                        .contains("no longer reach L1", "batch 0 holds 5 transitions");
            }
            // what an operator's dashboard shows: the halt on every member, the stopped poster on the leader, which alone runs it
            for (int id = 0; id < 3; id++) {
                var metrics = members.metrics(id);
                assertThat(metrics).as("member %d's /metrics (the leader is %d)", id, leader).containsEntry("clearline_posting_halted", 1L)
                        .containsEntry("clearline_leader", id == leader ? 1L : 0L)
                        .containsEntry("clearline_l1_poster_active", id == leader ? 1L : 0L);
                if (id == leader) {
                    assertThat(metrics).containsEntry("clearline_l1_poster_stopped", 1L);
                    assertThat(metrics.get("clearline_l1_rounds_total")).isNotNull();
                }
            }
        }
    }

    /** The reason member's API gives in {@code /venue} once it is halted; empty when it is not within {@code timeoutMs}. */
    private static String awaitHalted(HttpClient http, int port, long timeoutMs) throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (System.currentTimeMillis() < deadline) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/venue"))
                        .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
                JsonNode venue = JSON.readTree(r.body());
                if (venue.hasNonNull("halted")) return venue.get("halted").asText();
            } catch (java.io.IOException e) {
                // not answering yet: asked again
            }
            Thread.sleep(200);
        }
        return "";
    }

    private static void deposit(DevnetContext l1, String rollup, Credentials user) throws Exception {
        BigInteger amount = BigInteger.valueOf(100_000_000);
        ok(TestCollateral.load(l1.address("TestCollateral"), l1.web3j(), l1.deployer(), FrozenClusterTest.GAS).mint(user.getAddress(), amount).send());
        ok(TestCollateral.load(l1.address("TestCollateral"), l1.web3j(), user, FrozenClusterTest.GAS).approve(rollup, amount).send());
        ok(Rollup.load(rollup, l1.web3j(), user, FrozenClusterTest.GAS).deposit(amount).send());
    }

    private static void ok(TransactionReceipt r) {
        assertThat(r.isStatusOK()).as("transaction %s: %s", r.getTransactionHash(), r.getRevertReason()).isTrue();
    }
}
