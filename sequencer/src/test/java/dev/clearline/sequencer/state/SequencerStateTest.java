package dev.clearline.sequencer.state;

import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.sequencer.Market;
import dev.clearline.sequencer.command.Command;
import dev.clearline.sequencer.command.CommandCodec;
import dev.clearline.sequencer.command.ReplyCodec;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SequencerStateTest {
    static final Market M = new Market(4);
    /** Signing is slow on a shared machine: one session is signed once and cut in many places. */
    static final List<Command> SESSION = session(42, 160);

    static List<Command> session(long seed, int n) {
        List<Command> cs = new ArrayList<>(M.opening(7));
        cs.addAll(M.flow(7, cs.size() + 1, n, new Random(seed)));
        return cs;
    }

    static List<String> run(SequencerState s, List<Command> cs, int from) {
        List<String> replies = new ArrayList<>();
        for (int i = from; i < cs.size(); i++) replies.add(new String(ReplyCodec.encode(s.apply(cs.get(i), Market.START * 1000 + i))));
        return replies;
    }

    @Test
    void snapshotTakenAnywhereThenTheRestOfTheLogGivesTheUninterruptedRunsRootAndReplies() {
        SequencerState straight = new SequencerState(Market.GENESIS, new NativeSecp256k1Verifier());
        List<String> expected = run(straight, SESSION, 0);
        Property.forAll(Gens.ints(0, SESSION.size())).tries(12).check(cut -> {
            List<Command> cs = SESSION;
            SequencerState first = new SequencerState(Market.GENESIS, new NativeSecp256k1Verifier());
            int k = Math.min(cut, cs.size());
            List<String> got = new ArrayList<>(run(first, cs.subList(0, k), 0));
            SequencerState restored = Snapshot.read(Snapshot.write(first), Market.GENESIS, new NativeSecp256k1Verifier());
            assertThat(restored.stateRoot()).isEqualTo(first.stateRoot());
            for (int i = k; i < cs.size(); i++) got.add(new String(ReplyCodec.encode(restored.apply(cs.get(i), Market.START * 1000 + i))));

            assertThat(got).isEqualTo(expected);
            assertThat(restored.stateRoot()).isEqualTo(straight.stateRoot());
            assertThat(restored.seq()).isEqualTo(straight.seq());
        });
    }

    @Test
    void theFlowActuallyTradesAndSealsBatches() {
        SequencerState s = new SequencerState(Market.GENESIS, new NativeSecp256k1Verifier());
        String all = String.join("\n", run(s, SESSION, 0));
        assertThat(all).contains("\"event\":\"Filled\"").contains("\"batches\"");
        assertThat(s.seq()).isEqualTo(SESSION.size());
        // margin moves, accepted and refused, are in the log the snapshot properties cut
        List<String> moves = run(new SequencerState(Market.GENESIS, new NativeSecp256k1Verifier()), SESSION, 0).stream()
                .filter(r -> r.contains("\"type\":\"request\"")).toList();
        assertThat(moves).anyMatch(r -> r.contains("\"accepted\":true")).anyMatch(r -> r.contains("\"accepted\":false"));
    }

    @Test
    void anOraclesMarkIsWrittenInTheSameFieldOrderInEveryJvm() {
        // it was a Map.of, whose iteration order is salted per JVM run: two replicas could write different bytes
        SequencerState s = new SequencerState(Market.GENESIS, new NativeSecp256k1Verifier());
        List<String> marks = run(s, SESSION, 0).stream().filter(r -> r.contains("\"mark\"")).toList();
        assertThat(marks).isNotEmpty().allSatisfy(r -> assertThat(r).containsPattern("\"mark\":\\{\"market\":1,\"price\":\\d+}"));
    }

    @Test
    void aResentRequestIsAnsweredWithItsFirstOutcomeAndNotAppliedAgain() {
        SequencerState s = new SequencerState(Market.GENESIS, new NativeSecp256k1Verifier());
        List<Command> cs = SESSION.subList(0, 30);
        run(s, cs, 0);
        long seq = s.seq();
        var root = s.stateRoot();
        Command again = cs.get(cs.size() - 3);
        Reply r = s.apply(again, 1);
        assertThat(r.duplicate()).isTrue();
        assertThat(r.clientSeq()).isEqualTo(again.clientSeq());
        assertThat(r.seq()).isLessThanOrEqualTo(seq);
        assertThat(s.seq()).isEqualTo(seq);
        assertThat(s.stateRoot()).isEqualTo(root);
    }

    @Test
    void commandsSurviveTheirCodec() {
        Property.forAll(Gens.elements(SESSION)).tries(100).check(c -> {
            {
                byte[] b = CommandCodec.encode(c);
                Command back = CommandCodec.decode(b, 0, b.length);
                assertThat(CommandCodec.encode(back)).isEqualTo(b);
            }
        });
    }

    @Test
    void aDamagedOrForeignSnapshotIsRefusedWithTheReason() {
        SequencerState s = new SequencerState(Market.GENESIS, new NativeSecp256k1Verifier());
        run(s, SESSION.subList(0, 50), 0);
        byte[] image = Snapshot.write(s);
        Property.forAll(Gens.ints(0, image.length - 1)).tries(30).check(i -> {
            byte[] bad = image.clone();
            bad[i] ^= 0x40;
            assertThatThrownBy(() -> Snapshot.read(bad, Market.GENESIS, new NativeSecp256k1Verifier()))
                    .isInstanceOf(Snapshot.SnapshotException.class).hasMessageContaining("checksum");
        });
        Genesis other = new Genesis(1, Market.ROLLUP, Market.GENESIS.books(), Market.GENESIS.batches());
        assertThatThrownBy(() -> Snapshot.read(image, other, new NativeSecp256k1Verifier()))
                .isInstanceOf(Snapshot.GenesisMismatch.class)
                .hasMessageContaining("chain id 31337 (the manifest's, or --chain-id) where this node runs 1", "settings it was made with");
    }

    @Test
    void depthDeltasFromTheRepliesAddUpToTheDepthSnapshotAndToTheBook() {
        Property.forAll(Gens.ints(1, SESSION.size())).tries(8).check(cut -> {
            SequencerState s = new SequencerState(Market.GENESIS, new NativeSecp256k1Verifier());
            java.util.TreeMap<String, Long> fromDeltas = new java.util.TreeMap<>();
            for (int i = 0; i < cut; i++) {
                var reply = json(s.apply(SESSION.get(i), i));
                if (reply.has("depth")) for (var d : reply.get("depth")) {
                    String key = d.get("side").asText() + "@" + d.get("price").asLong();
                    if (d.get("size").asLong() == 0) fromDeltas.remove(key);
                    else fromDeltas.put(key, d.get("size").asLong());
                }
            }
            var depth = json(s.apply(new Command.Query(1, 0, Command.QueryKind.DEPTH, Market.MARKET, null, null), 0)).get("depth");
            java.util.TreeMap<String, Long> fromSnapshot = new java.util.TreeMap<>();
            for (var l : depth.get("bids")) fromSnapshot.put("BUY@" + l.get(0).asLong(), l.get(1).asLong());
            for (var l : depth.get("asks")) fromSnapshot.put("SELL@" + l.get(0).asLong(), l.get(1).asLong());
            assertThat(fromDeltas).isEqualTo(fromSnapshot);
            assertThat(fromSnapshot.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(s.restingSize(Market.MARKET));
        });
    }

    static com.fasterxml.jackson.databind.node.ObjectNode json(Reply r) throws java.io.IOException {
        byte[] b = ReplyCodec.encode(r);
        return ReplyCodec.decode(b, 0, b.length);
    }
}
