package dev.clearline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.clearline.contracts.generated.TestCollateral;
import dev.clearline.devnet.junit.DevnetContext;
import dev.clearline.devnet.junit.WithDevnet;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;
import org.web3j.tx.gas.StaticGasProvider;
import org.web3j.utils.Numeric;

/**
 * A sequencer that ignores a forced withdrawal (here: none runs at all): the user queues it on L1
 * from the CLI, `freeze` refuses while the op may still be consumed, and once its deadline has
 * passed `freeze` freezes the rollup, which `status` then reports.
 */
@WithDevnet(http = true)
class CensorshipFreezeTest {
    @Test
    void anIgnoredForcedWithdrawalLetsAnyoneFreezeTheRollupAfterItsDeadline(DevnetContext l1) throws Exception {
        Credentials user = l1.key(3);
        TestCollateral minter = TestCollateral.load(l1.address("TestCollateral"), l1.web3j(), l1.deployer(),
                new StaticGasProvider(BigInteger.valueOf(2_000_000_000L), BigInteger.valueOf(3_000_000)));
        assertThat(minter.mint(user.getAddress(), BigInteger.valueOf(50_000_000)).send().isStatusOK()).isTrue();
        List<String> common = List.of("--rpc-url", l1.devnet().rpcUrl(), "--rollup", l1.address("Rollup"), "--api", "http://127.0.0.1:1",
                "--key", Numeric.toHexStringWithPrefixZeroPadded(user.getEcKeyPair().getPrivateKey(), 64), "--json");

        Run deposit = cli(common, "deposit", "50");
        assertThat(deposit.code()).as(deposit.err()).isZero();
        Run nothing = cli(common, "freeze");
        assertThat(nothing.code()).isEqualTo(1);
        assertThat(nothing.err()).contains("not overdue yet", "queue op 0");

        Run forced = cli(common, "force-withdraw", "20");
        assertThat(forced.code()).as(forced.err()).isZero();
        assertThat(json(forced).path("queueIndex").asLong()).isEqualTo(1);

        long forceDelay = Long.parseLong(l1.manifest().parameters().get("rollup.forceDelay"));
        l1.time().advance(Duration.ofSeconds(forceDelay + 1));
        Run freeze = cli(common, "freeze");
        assertThat(freeze.code()).as(freeze.err()).isZero();
        assertThat(json(freeze).path("overdueOp").asLong()).as("the oldest op no batch consumed").isZero();

        Run status = cli(common, "status");
        assertThat(status.code()).as(status.err()).isZero();
        assertThat(json(status).path("l1").path("frozen").asBoolean()).isTrue();
        assertThat(json(status).path("sequencer").asText()).contains("cannot reach the sequencer");
        Run again = cli(common, "freeze");
        assertThat(again.code()).isEqualTo(1);
        assertThat(again.err()).contains("already frozen");
        Run late = cli(common, "force-withdraw", "1");
        assertThat(late.code()).isEqualTo(1);
        assertThat(late.err()).doesNotContain("\tat ");
    }

    record Run(int code, String out, String err) {}

    static Run cli(List<String> common, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(common);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(all.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true), stop -> { });
        return new Run(code, out.toString(), err.toString());
    }

    static JsonNode json(Run r) throws Exception {
        return UserOptions.JSON.readTree(r.out());
    }
}
