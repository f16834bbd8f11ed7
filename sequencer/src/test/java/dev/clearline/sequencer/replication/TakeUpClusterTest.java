package dev.clearline.sequencer.replication;

import com.fasterxml.jackson.databind.JsonNode;
import dev.clearline.engine.batch.BatchPolicy;
import dev.clearline.engine.exchange.SignatureStage;
import dev.clearline.engine.exchange.SignedOrder;
import dev.clearline.engine.exchange.VerifiedOrder;
import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Eip712;
import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.engine.order.Order;
import dev.clearline.engine.order.Side;
import dev.clearline.engine.order.Signer;
import dev.clearline.engine.order.TimeInForce;
import dev.clearline.engine.transition.Transition;
import dev.clearline.sequencer.DevAccounts;
import dev.clearline.sequencer.api.OrderJson;
import dev.clearline.sequencer.command.Command;
import dev.clearline.sequencer.state.CommandHistory;
import dev.clearline.sequencer.state.Genesis;
import dev.clearline.sequencer.state.SequencerState;
import dev.clearline.sequencer.state.Snapshot;
import dev.clearline.sequencer.state.TakeUps;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A three-member cluster taken up from L1 (docs/replication.md, "Taking up from L1"): every member starts on an empty
 * directory with the same {@code --take-up FILE}, as the docs tell an operator. They must elect a leader and agree on
 * the state the file holds (a position opened before the take-up shows on every member), go on trading from it through
 * any member's API, and a member wiped and started without the flag must stop (exit 3) at the leader's configuration
 * fingerprint, saying to start it with the same file, instead of replaying the new log from genesis into other roots;
 * started again with the file on an empty directory it catches up and agrees with the others.
 */
class TakeUpClusterTest {
    private static final long START = 1_700_000_000L;

    @TempDir
    Path dir;

    @Test
    void everyMemberStartsFromTheSameTakeUpAndOneStartedWithoutItStops() throws Exception {
        Genesis genesis = nodeGenesis();
        Path file = dir.resolve("take-up.snapshot");
        String root = writeTakeUp(genesis, file);
        Signer buyer = DevAccounts.trader(0), seller = DevAccounts.trader(1);

        try (MemberProcesses members = MemberProcesses.start(dir.resolve("cluster"), 3,
                "--take-up", file.toString(), "--snapshot-every", "0", "--rate-per-key", "1000000", "--leader-timeout-ms", "2000")) {
            int leader = members.awaitLeader(60_000);
            List<JsonNode> all = members.awaitAgreement(0, 60_000);
            assertThat(all).hasSize(3);
            for (int m = 0; m < 3; m++) {
                assertThat(members.output(m)).as("member %d starts from the file", m).contains("event=sequencer_start from=take_up").contains(root);
                assertThat(position(members, m, buyer)).as("member %d: the buyer's position as L1 holds it", m).isEqualTo(3_000);
            }

            // trading goes on from the state taken up, through a follower's API
            int follower = (leader + 1) % 3;
            Eip712 domain = genesis.domain();
            FollowerReadsTest reads = new FollowerReadsTest();
            int api = members.apiPort(follower);
            reads.call(api, "/orders", OrderJson.order(seller, new Order(seller.address(), 1, Side.SELL, 10_000, 2_000, 0, TimeInForce.GTC, 0, 0, 3,
                    1_000_000), domain).toString());
            long acked = reads.call(api, "/orders", OrderJson.order(buyer, new Order(buyer.address(), 1, Side.BUY, 10_000, 2_000, 0, TimeInForce.GTC,
                    0, 0, 3, 1_000_000), domain).toString()).path("seq").asLong();
            members.awaitAgreement(acked, 60_000);
            for (int m = 0; m < 3; m++) assertThat(position(members, m, buyer)).as("member %d after the new fill", m).isEqualTo(5_000);

            // a member whose disk is replaced, started without the flag, would replay the new log from genesis: it stops instead
            int wiped = follower;
            members.kill9(wiped);
            LeaderFailoverTest.deleteRecursively(members.memberDir(wiped));
            Process bare = members.launchWithout(wiped, "--take-up");
            assertThat(bare.waitFor(120, TimeUnit.SECONDS)).as("the member without the file stops by itself").isTrue();
            String said = members.output(wiped);
            assertThat(bare.exitValue()).as("exit code; output:%n%s", said).isEqualTo(3);
            assertThat(said).contains("start: the cluster's log has take-up " + root).contains("the same --take-up FILE");

            // with the file, on an empty directory again, it replays the new log from the same state and agrees
            LeaderFailoverTest.deleteRecursively(members.memberDir(wiped));
            members.restart(wiped);
            List<JsonNode> again = members.awaitAgreement(acked, 90_000);
            assertThat(again).hasSize(3);
            assertThat(position(members, wiped, buyer)).as("the member started again with the file").isEqualTo(5_000);
            System.out.println("take-up cluster: 3 members from root " + root + "; member " + wiped + " without the file stopped (exit 3), with it"
                    + " agreed at seq " + again.getFirst().path("seq").asLong());
        }
    }

    /** The genesis a node without L1 runs with (SequencerMain's defaults: chain 31337, the devnet's first contract address). */
    static Genesis nodeGenesis() {
        Genesis dev = Genesis.devnet(Address.fromHex("0x5FbDB2315678afecb367f032d93F642f64180aa3"));
        return new Genesis(31337, dev.verifyingContract(), dev.books(), new BatchPolicy(dev.batches().maxTransitions(), Genesis.BATCH_SECONDS));
    }

    /**
     * What {@code ./clearline take-up} would write after a venue listed market 1, credited dev traders 0 and 1, marked it and
     * filled 3 lots between them, every batch of it on L1 and final. Returns the state root.
     */
    static String writeTakeUp(Genesis genesis, Path file) throws Exception {
        NativeSecp256k1Verifier verifier = new NativeSecp256k1Verifier();
        Eip712 domain = genesis.domain();
        SignatureStage stage = new SignatureStage(domain, verifier);
        Signer oracle = DevAccounts.oracle(), buyer = DevAccounts.trader(0), seller = DevAccounts.trader(1);
        SequencerState a = new SequencerState(genesis, verifier);
        long ms = START * 1000;
        long seq = 0;
        a.apply(new Command.L1Op(1, ++seq, new Transition.MarketConfig(0, 0, 1, 100, 1_000, 100_000, 50_000, 200, 500, oracle.address())), ms);
        a.apply(new Command.L1Op(1, ++seq, new Transition.Deposit(1, 0, buyer.address(), 1_000_000_000_000L)), ms);
        a.apply(new Command.L1Op(1, ++seq, new Transition.Deposit(2, 0, seller.address(), 1_000_000_000_000L)), ms);
        a.apply(new Command.Oracle(1, ++seq, new Transition.OraclePrice(1, 10_000, 0, START, oracle.sign(domain.oraclePriceDigest(1, 10_000, 0, START)))), ms);
        for (Signer s : List.of(seller, buyer)) {
            Order o = new Order(s.address(), 1, s == seller ? Side.SELL : Side.BUY, 10_000, 3_000, 0, TimeInForce.GTC, 0, 0, 1, 1_000_000);
            VerifiedOrder v = (VerifiedOrder) stage.verify(new SignedOrder(o, domain.chainId(), domain.verifyingContract(), s.sign(domain.orderDigest(o))));
            a.apply(new Command.Place(1, ++seq, v), ms);
        }
        a.apply(new Command.TimeTick(1, ++seq, START + 60), (START + 60) * 1000); // seals the open batch
        SequencerState.L1Start l1 = TakeUps.allFinal(a, 600);
        a.close();
        SequencerState taken = SequencerState.takeUp(genesis, verifier, CommandHistory.inMemory(), l1);
        try {
            Files.write(file, Snapshot.write(taken));
            return taken.stateRoot().toString();
        } finally {
            taken.close();
        }
    }

    private static long position(MemberProcesses members, int member, Signer trader) throws Exception {
        JsonNode positions = new FollowerReadsTest().call(members.apiPort(member), "/accounts/" + trader.address(), null).path("account").path("positions");
        return positions.isEmpty() ? 0 : positions.get(0).path("size").asLong();
    }
}
