package dev.clearline.sequencer.replication;

import dev.clearline.contracts.generated.Rollup;
import dev.clearline.contracts.generated.TestCollateral;
import dev.clearline.devnet.junit.DevnetContext;
import dev.clearline.devnet.junit.WithDevnet;
import dev.clearline.prover.l1.RollupLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;
import org.web3j.tx.gas.StaticGasProvider;
import org.web3j.utils.Numeric;

import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A three-member cluster on the devnet's rollup, whose rollup freezes while the leader's L1 loop
 * sleeps (a long round interval, so only the members' own freeze watches can notice): every
 * member stops with exit code 7 and says why. Before the watch, only a leader's L1 loop learned of
 * a freeze, each member stopped when it came to lead, and the last one, without a quorum, could
 * never lead and waited for ever.
 */
@WithDevnet(http = true)
class FrozenClusterTest {
    static final StaticGasProvider GAS = new StaticGasProvider(BigInteger.valueOf(2_000_000_000L), BigInteger.valueOf(3_000_000));

    @TempDir
    Path dir;

    @Test
    void everyMemberStopsWhenTheRollupFreezesNotOnlyTheLeader(DevnetContext l1) throws Exception {
        String rollupAddress = l1.address("Rollup");
        Path manifest = dir.resolve("deployment.json");
        l1.manifest().write(manifest);
        Credentials operator = l1.key(5);
        try (MemberProcesses members = MemberProcesses.start(dir, 3, "--l1-rpc", l1.devnet().rpcUrl(), "--manifest",
                manifest.toString(), "--operator-key", Numeric.toHexStringNoPrefixZeroPadded(operator.getEcKeyPair().getPrivateKey(), 64),
                "--l1-interval-ms", "600000")) {
            members.awaitLeader(60_000);
            // the leader's first L1 round bonds the operator; its next round is ten minutes away
            Rollup rollup = Rollup.load(rollupAddress, l1.web3j(), l1.deployer(), GAS);
            long deadline = System.currentTimeMillis() + 60_000;
            while (!rollup.proposers(operator.getAddress()).send().component3() && System.currentTimeMillis() < deadline) Thread.sleep(200);
            assertThat(rollup.proposers(operator.getAddress()).send().component3()).as("the leader's first round bonded the operator").isTrue();

            // a deposit no batch consumes in time: past the force delay anyone freezes the rollup over it
            Credentials user = l1.key(3);
            TestCollateral.load(l1.address("TestCollateral"), l1.web3j(), l1.deployer(), GAS).mint(user.getAddress(), BigInteger.TEN).send();
            TestCollateral.load(l1.address("TestCollateral"), l1.web3j(), user, GAS).approve(rollupAddress, BigInteger.TEN).send();
            Rollup asUser = Rollup.load(rollupAddress, l1.web3j(), user, GAS);
            assertThat(asUser.deposit(BigInteger.TEN).send().isStatusOK()).isTrue();
            l1.time().advance(Duration.ofSeconds(asUser.forceDelay().send().longValueExact() + 1));
            RollupLog log = new RollupLog(l1.web3j(), rollupAddress);
            long queued = rollup.queueLength().send().longValueExact();
            byte[] overdue = log.priorityOpEncoding(queued - 1, l1.manifest().blockNumber()).orElseThrow();
            assertThat(asUser.freeze(overdue).send().isStatusOK()).isTrue();

            for (int id = 0; id < 3; id++) {
                assertThat(members.awaitExit(id, 60_000)).as("member %d's exit code:\n%s", id, String.join("\n", members.tail(id, 20))).isEqualTo(7);
                assertThat(members.output(id)).contains("member " + id + " stopped: the rollup", "froze at L1 time", "could never settle");
            }
        }
    }
}
