package dev.clearline.sequencer.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.sequencer.Market;
import dev.clearline.sequencer.command.Command;
import dev.clearline.sequencer.command.ReplyCodec;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fill and withdrawal stages (matched, posted, final) from the L1 loop's reports in the log, and
 * final batches dropped from memory without changing what a replay of the log gives.
 */
class FinalityTest {
    static final long L1 = 2;
    static final long PERIOD = 600;

    /** The shared session with L1 reports woven in wherever L1 could have posted or finalized, chosen by {@code seed}. */
    static List<Command> withReports(long seed) {
        Random r = new Random(seed);
        SequencerState s = new SequencerState(Market.GENESIS, new NativeSecp256k1Verifier());
        List<Command> out = new ArrayList<>();
        long posted = 0, fin = 0, seq = 0;
        for (int i = 0; i < SequencerStateTest.SESSION.size(); i++) {
            Command c = SequencerStateTest.SESSION.get(i);
            out.add(c);
            s.apply(c, ts(i));
            List<Command> reports = new ArrayList<>();
            if (posted < sealed(s) && r.nextInt(3) == 0) {
                reports.add(new Command.BatchPosted(L1, ++seq, posted, 1_000 + posted, 1_000 + posted + PERIOD));
                posted++;
            }
            if (fin < posted && r.nextInt(4) == 0) {
                fin += 1 + r.nextInt((int) (posted - fin));
                reports.add(new Command.BatchesFinal(L1, ++seq, fin));
            }
            for (Command x : reports) {
                out.add(x);
                s.apply(x, ts(i));
            }
        }
        return out;
    }

    static long ts(int i) {
        return Market.START * 1000 + i;
    }

    static long sealed(SequencerState s) {
        return json(s.apply(new Command.Query(9, 0, Command.QueryKind.STATE, 0, null, null), 0)).path("sealedBatches").asLong();
    }

    static ObjectNode json(Reply r) {
        try {
            byte[] b = ReplyCodec.encode(r);
            return ReplyCodec.decode(b, 0, b.length);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    static List<String> run(SequencerState s, List<Command> cs) {
        List<String> replies = new ArrayList<>();
        for (int i = 0; i < cs.size(); i++) replies.add(new String(ReplyCodec.encode(s.apply(cs.get(i), ts(i)))));
        return replies;
    }

    @Test
    void everyFillAndWithdrawalShowsTheStageOfItsBatch() {
        SequencerState s = new SequencerState(Market.GENESIS, new NativeSecp256k1Verifier());
        run(s, SequencerStateTest.SESSION);
        long sealed = sealed(s);
        assertThat(sealed).as("the session seals batches").isGreaterThanOrEqualTo(3);
        long posted = sealed - 1, fin = sealed - 2;
        for (long i = 0; i < posted; i++) assertThat(s.apply(new Command.BatchPosted(L1, i + 1, i, 100 * i, 100 * i + PERIOD), 0).body().get("outcomes").toString()).contains("accepted=true");
        assertThat(s.apply(new Command.BatchesFinal(L1, posted + 1, fin), 0).body().toString()).contains("accepted=true");

        int seen = 0;
        for (var t : SequencerStateTest.M.traders) {
            JsonNode a = json(s.apply(new Command.Query(9, 0, Command.QueryKind.ACCOUNT, 0, t.address(), null), 0)).path("account");
            assertThat(a.path("l1").path("batchesPosted").asLong()).isEqualTo(posted);
            assertThat(a.path("l1").path("batchesFinal").asLong()).isEqualTo(fin);
            for (JsonNode f : a.path("fills")) {
                seen++;
                long b = f.path("batch").asLong(-1);
                assertThat(b).as("every fill names its batch: %s", f).isBetween(0L, sealed);
                String stage = b < fin ? "final" : b < posted ? "posted" : "matched";
                assertThat(f.path("stage").asText()).as("fill %s", f).isEqualTo(stage);
                if (stage.equals("posted")) assertThat(f.path("finalAt").asLong()).isEqualTo(100 * b + PERIOD);
                else assertThat(f.has("finalAt")).isFalse();
            }
        }
        assertThat(seen).as("the session has fills").isPositive();
        JsonNode l1 = json(s.apply(new Command.Query(9, 0, Command.QueryKind.STATE, 0, null, null), 0)).path("l1");
        assertThat(l1.path("lastPostedAt").asLong()).as("the newest posted batch's L1 time (a restarted poster's floor)").isEqualTo(100 * (posted - 1));
    }

    @Test
    void aReportOutOfOrderIsRefusedAndChangesNothing() {
        SequencerState s = new SequencerState(Market.GENESIS, new NativeSecp256k1Verifier());
        run(s, SequencerStateTest.SESSION);
        var root = s.stateRoot();
        assertThat(s.apply(new Command.BatchPosted(L1, 1, 1, 0, PERIOD), 0).body().toString()).contains("L1_REPORT_OUT_OF_ORDER", "next batch L1 lacks is 0");
        assertThat(s.apply(new Command.BatchesFinal(L1, 2, 1), 0).body().toString()).contains("L1_REPORT_OUT_OF_ORDER", "only 0 are posted");
        assertThat(s.apply(new Command.BatchPosted(L1, 3, 10_000, 0, PERIOD), 0).body().toString()).contains("L1_REPORT_OUT_OF_ORDER");
        assertThat(s.apply(new Command.BatchPosted(L1, 4, 0, 10, 5), 0).body().toString()).contains("before it was posted");
        assertThat(s.stateRoot()).isEqualTo(root);
        assertThat(s.batchesInMemory()).isEqualTo((int) sealed(s));
    }

    @Test
    void finalBatchesLeaveMemoryAndAReplayFromAnyCutGivesTheSameRepliesRootAndMemory() {
        Property.forAll(Gens.seeds(), Gens.ints(0, 1_000)).tries(6).check((seed, cutPerMille) -> {
            List<Command> cs = withReports(seed);
            SequencerState straight = new SequencerState(Market.GENESIS, new NativeSecp256k1Verifier());
            List<String> expected = run(straight, cs);
            JsonNode st = json(straight.apply(new Command.Query(9, 0, Command.QueryKind.STATE, 0, null, null), 0));
            long fin = st.path("l1").path("batchesFinal").asLong();
            assertThat(straight.batchesInMemory()).as("only batches not final stay in memory").isEqualTo(st.path("sealedBatches").asLong() - fin);
            if (fin > 0) {
                JsonNode gone = json(straight.apply(new Command.Query(9, 0, Command.QueryKind.BATCH, 0, null, null, fin - 1), 0));
                assertThat(gone.has("batch")).isFalse();
                assertThat(gone.path("final").asBoolean()).isTrue();
            }
            JsonNode next = json(straight.apply(new Command.Query(9, 0, Command.QueryKind.BATCH, 0, null, null, fin), 0));
            if (fin < st.path("sealedBatches").asLong()) assertThat(next.path("batch").path("index").asLong()).isEqualTo(fin);

            int cut = (int) ((long) cs.size() * cutPerMille / 1_000);
            SequencerState first = new SequencerState(Market.GENESIS, new NativeSecp256k1Verifier());
            List<String> got = new ArrayList<>(run(first, cs.subList(0, cut)));
            SequencerState restored = Snapshot.read(Snapshot.write(first), Market.GENESIS, new NativeSecp256k1Verifier());
            assertThat(restored.batchesInMemory()).isEqualTo(first.batchesInMemory());
            for (int i = cut; i < cs.size(); i++) got.add(new String(ReplyCodec.encode(restored.apply(cs.get(i), ts(i)))));
            assertThat(got).isEqualTo(expected);
            assertThat(restored.stateRoot()).isEqualTo(straight.stateRoot());
            assertThat(restored.batchesInMemory()).isEqualTo(straight.batchesInMemory());
            for (var t : SequencerStateTest.M.traders) {
                Command q = new Command.Query(9, 0, Command.QueryKind.ACCOUNT, 0, t.address(), null);
                assertThat(json(restored.apply(q, 0))).isEqualTo(json(straight.apply(q, 0)));
            }
        });
    }
}
