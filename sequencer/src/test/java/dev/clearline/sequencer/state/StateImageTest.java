package dev.clearline.sequencer.state;

import dev.clearline.engine.image.ImageWriter;
import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.engine.order.SignatureVerifier;
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
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The snapshot as a state image (format 2): a state restored from its image anywhere in a log
 * answers everything that follows exactly as the state that wrote it (replies byte for byte,
 * resends, queries, roots, the next image), loading it runs no command and recovers no signature,
 * and an image this build cannot restore is refused with a reason.
 */
class StateImageTest {
    /** Recovers signatures for real, except while an image loads: loading replays nothing, so it never asks. */
    static final class GuardedVerifier implements SignatureVerifier {
        private final SignatureVerifier real = new NativeSecp256k1Verifier();
        boolean loading;

        @Override
        public dev.clearline.engine.order.Address recover(dev.clearline.engine.order.Hash32 digest, dev.clearline.engine.order.Signature sig) {
            if (loading) throw new AssertionError("loading an image recovered a signature: it replayed something");
            return real.recover(digest, sig);
        }

        SequencerState load(byte[] image) throws Snapshot.SnapshotException {
            loading = true;
            try {
                return Snapshot.read(image, Market.GENESIS, this);
            } finally {
                loading = false;
            }
        }
    }

    /** The shared session with L1 reports, a liquidation and resends woven in (chosen by {@code seed}). */
    static List<Command> session(long seed) {
        List<Command> cs = new ArrayList<>(FinalityTest.withReports(seed));
        Random r = new Random(seed);
        // resends of earlier requests: answered from the client's window, which the image must carry
        for (int i = 0; i < 12; i++) {
            int at = 1 + r.nextInt(cs.size() - 1);
            Command again = cs.get(r.nextInt(at));
            if (!(again instanceof Command.Query)) cs.add(at, again);
        }
        return cs;
    }

    static String reply(SequencerState s, Command c, int i) {
        return new String(ReplyCodec.encode(s.apply(c, FinalityTest.ts(i))));
    }

    /** Every query a trader, the poster or an auditor can make, answered by {@code s}. */
    static List<String> queries(SequencerState s, List<Command> cs) {
        List<String> out = new ArrayList<>();
        List<Command> qs = new ArrayList<>();
        qs.add(new Command.Query(9, 0, Command.QueryKind.STATE, 0, null, null));
        qs.add(new Command.Query(9, 0, Command.QueryKind.DEPTH, Market.MARKET, null, null));
        qs.add(new Command.Query(9, 0, Command.QueryKind.HISTORY, 0, null, null));
        for (var t : SequencerStateTest.M.traders) qs.add(new Command.Query(9, 0, Command.QueryKind.ACCOUNT, 0, t.address(), null));
        qs.add(new Command.Query(9, 0, Command.QueryKind.ACCOUNT, 0, dev.clearline.engine.order.Address.INSURANCE_FUND, null));
        for (Command c : cs) {
            if (c instanceof Command.Place p) qs.add(new Command.Query(9, 0, Command.QueryKind.ORDER, 0, null, p.order().hash()));
        }
        for (long b = 0; b < 40; b++) qs.add(new Command.Query(9, 0, Command.QueryKind.BATCH, 0, null, null, b));
        for (Command q : qs) out.add(new String(ReplyCodec.encode(s.apply(q, 0))));
        return out;
    }

    static byte[] body(SequencerState s) {
        s.stateRoot();
        ImageWriter w = new ImageWriter();
        s.writeImage(w);
        return w.toByteArray();
    }

    @Test
    void aStateRestoredAnywhereAnswersTheRestOfTheLogAsTheOneThatWroteIt() {
        Property.forAll(Gens.seeds(), Gens.ints(0, 1_000)).tries(6).check((seed, a) -> {
            int b = new Random(seed ^ a).nextInt(1_001);
            List<Command> cs = session(seed);
            SequencerState straight = new SequencerState(Market.GENESIS, new NativeSecp256k1Verifier());
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < cs.size(); i++) expected.add(reply(straight, cs.get(i), i));

            // restored twice: a state restored from an image must write an image that restores too
            int cut1 = (int) ((long) cs.size() * Math.min(a, b) / 1_000), cut2 = (int) ((long) cs.size() * Math.max(a, b) / 1_000);
            GuardedVerifier verifier = new GuardedVerifier();
            SequencerState s = new SequencerState(Market.GENESIS, verifier);
            List<String> got = new ArrayList<>();
            for (int i = 0; i < cs.size(); i++) {
                if (i == cut1 || i == cut2) s = verifier.load(Snapshot.write(s));
                got.add(reply(s, cs.get(i), i));
                assertThat(got.get(i)).as("reply %d (cuts at %d and %d)", i, cut1, cut2).isEqualTo(expected.get(i));
            }
            assertThat(s.stateRoot()).isEqualTo(straight.stateRoot());
            assertThat(queries(s, cs)).isEqualTo(queries(straight, cs));
            byte[] mine = body(s), theirs = body(straight);
            assertThat(java.util.Arrays.mismatch(mine, theirs)).as("first byte where the restored state's image differs (of %d and %d)",
                    mine.length, theirs.length).isEqualTo(-1);
        });
    }

    /**
     * Orders that expire a few oracle seconds after they are placed, most filled at once, oracle
     * prices moving the clock: the hashes of finished orders wait in the exchange's image for their
     * expiry. A state restored at any cut prunes them in the same commands as the original (same
     * replies, roots and images), and at the end every finished order's hash whose expiry has passed
     * is gone from the state while the ones still ahead of the clock are there.
     */
    @Test
    void hashesWaitingForTheirExpiryTravelInTheImageAndArePrunedAsByTheOriginal() throws Exception {
        Market m = SequencerStateTest.M;
        List<Command> cs = new ArrayList<>(m.opening(7));
        Random r = new Random(5);
        long ts = Market.START;
        List<dev.clearline.engine.exchange.VerifiedOrder> placed = new ArrayList<>();
        for (int i = 0; i < 90; i++) {
            if (i % 9 == 8) {
                cs.add(new Command.Oracle(7, cs.size() + 1, m.price(10_000, ++ts)));
                continue;
            }
            var trader = m.traders.get(i % m.traders.size());
            var side = (i / 2) % 2 == 0 ? dev.clearline.engine.order.Side.BUY : dev.clearline.engine.order.Side.SELL;
            long expiry = r.nextInt(4) == 0 ? 0 : ts + 1 + r.nextInt(3);
            var o = m.order(trader, new dev.clearline.engine.order.Order(trader.address(), Market.MARKET, side, 10_000, Market.LOT, 0,
                    dev.clearline.engine.order.TimeInForce.GTC, 0, expiry, 500_000 + i, 1_000_000));
            placed.add(o);
            cs.add(new Command.Place(7, cs.size() + 1, o));
        }
        SequencerState straight = new SequencerState(Market.GENESIS, new NativeSecp256k1Verifier());
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < cs.size(); i++) expected.add(reply(straight, cs.get(i), i));
        for (int cut = cs.size() / 4; cut < cs.size(); cut += cs.size() / 4) {
            GuardedVerifier verifier = new GuardedVerifier();
            SequencerState s = new SequencerState(Market.GENESIS, verifier);
            for (int i = 0; i < cs.size(); i++) {
                if (i == cut) s = verifier.load(Snapshot.write(s));
                assertThat(reply(s, cs.get(i), i)).as("reply %d (cut at %d)", i, cut).isEqualTo(expected.get(i));
            }
            assertThat(s.stateRoot()).isEqualTo(straight.stateRoot());
            assertThat(java.util.Arrays.mismatch(body(s), body(straight))).isEqualTo(-1);
        }
        int pruned = 0, kept = 0;
        for (var o : placed) {
            var leaf = dev.clearline.engine.stf.StateReads.orderHash(straight.leaves(), o.hash());
            var live = dev.clearline.engine.stf.StateReads.order(straight.leaves(), o.hash());
            boolean due = o.order().expiry() != 0 && ts > o.order().expiry();
            if (due) assertThat(leaf).as("the hash of %s, expired at %d", o.order(), ts).isNull();
            if (leaf == null && due) pruned++;
            if (leaf != null && live == null) kept++;
        }
        assertThat(pruned).as("hashes pruned").isPositive();
        assertThat(kept).as("finished orders' hashes kept (no expiry, or not yet passed)").isPositive();
    }

    @Test
    void aSnapshotOfTheFormerFormatStillLoadsByReplayingItsHistory() throws Exception {
        List<Command> cs = session(7);
        int cut = cs.size() / 2;
        SequencerState first = new SequencerState(Market.GENESIS, new NativeSecp256k1Verifier());
        SequencerState straight = new SequencerState(Market.GENESIS, new NativeSecp256k1Verifier());
        for (int i = 0; i < cut; i++) {
            reply(first, cs.get(i), i);
            reply(straight, cs.get(i), i);
        }
        SequencerState old = Snapshot.read(Snapshot.writeHistory(first), Market.GENESIS, new NativeSecp256k1Verifier());
        for (int i = cut; i < cs.size(); i++) assertThat(reply(old, cs.get(i), i)).isEqualTo(reply(straight, cs.get(i), i));
        assertThat(old.stateRoot()).isEqualTo(straight.stateRoot());
    }

    @Test
    void anImageThatDoesNotRestoreIsRefusedWithAReasonNeverAnotherError() throws Exception {
        List<Command> cs = session(11);
        SequencerState s = new SequencerState(Market.GENESIS, new NativeSecp256k1Verifier());
        for (int i = 0; i < cs.size() / 2; i++) reply(s, cs.get(i), i);
        byte[] image = Snapshot.frame(s, 1 << 16).toByteArray(); // the image alone: its history part follows it in a snapshot
        // damage the checksum cannot see (a bug, or a build that reads the image otherwise): the checksum is made to match
        Property.forAll(Gens.ints(60, image.length - 5), Gens.ints(1, 255)).tries(200).check((at, flip) -> {
            byte[] bad = image.clone();
            bad[at] ^= (byte) (int) flip;
            withChecksum(bad);
            try {
                SequencerState back = Snapshot.read(bad, Market.GENESIS, new NativeSecp256k1Verifier(), copyOf(s.history()));
                back.stateRoot(); // restored something: it must at least be a state that answers
            } catch (Snapshot.SnapshotException e) {
                assertThat(e.getMessage()).contains("snapshot");
            }
        });
        byte[] cut = java.util.Arrays.copyOf(image, image.length - 40);
        java.nio.ByteBuffer.wrap(cut).putInt(8 + 4 + 4 + 60 + 8 + 32, cut.length - (8 + 4 + 4 + 60 + 8 + 32 + 4) - 4);
        withChecksum(cut);
        assertThatThrownBy(() -> Snapshot.read(cut, Market.GENESIS, new NativeSecp256k1Verifier(), copyOf(s.history())))
                .isInstanceOf(Snapshot.SnapshotException.class).hasMessageContaining("damaged");
    }

    /** A history holding what {@code h} holds, as a snapshot's history part restores it. */
    private static CommandHistory copyOf(CommandHistory h) {
        CommandHistory copy = CommandHistory.inMemory();
        byte[] encoded = h.encoded();
        copy.appendEncoded(encoded, 0, encoded.length);
        copy.restored(h.count());
        return copy;
    }

    private static void withChecksum(byte[] image) {
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(image, 0, image.length - 4);
        java.nio.ByteBuffer.wrap(image).putInt(image.length - 4, (int) crc.getValue());
    }

    /**
     * The image of a fixed session, pinned by its hash: a change to any class's image layout fails
     * here first. Members keep snapshots across upgrades, so such a change must bump
     * {@link Snapshot#FORMAT} and keep reading the former format (as format 1 is still read), then
     * update this hash. The session comes from {@code Market.flow}, so a change to that generator
     * (margin moves joined it) moves the hash too, with the layout unchanged: then only the hash is re-pinned. So does
     * a change to what the views keep (events leave out fields that do not apply, so the kept history holds fewer
     * entries; an image written before still reads, its null entries served as they were; fills gained the taker's side
     * and both fees, which an older image's fills lack and are served without), and so did the protocol's
 * PruneOrder (the state holds fewer ORDER leaves and the batches more transitions; no layout changed). Format 4
     * (the history part's dropped counts) changed only the number in the image's header; format 5 added the posting
     * halt at the image's end; format 6 the rules version after the format ({@link RulesVersion}), so rules 2 (resting
     * reduce-only orders) moved this hash with the layout unchanged (the format-5 hash, which has no version, did not).
     */
    @Test
    void thePostingHaltSurvivesASnapshotAndAFormat4OneReadsAsPosting() throws Exception {
        SequencerState s = new SequencerState(Market.GENESIS, new NativeSecp256k1Verifier());
        List<Command> cs = FinalityTest.withReports(2);
        for (int i = 0; i < cs.size(); i++) reply(s, cs.get(i), i);
        String why = "its batches no longer reach L1 (the rollup's tip is not this node's batch 3, ü)";
        Reply halted = s.apply(new Command.PostingHalted(77, 1, why), 0);
        assertThat(halted.body()).containsEntry("type", "postingHalted").containsEntry("why", why);
        assertThat(s.postingHalt()).isEqualTo(why);
        assertThat(s.apply(new Command.Query(77, 0, Command.QueryKind.STATE, 0, null, null), 0).body()).containsEntry("postingHalted", why);

        SequencerState restored = Snapshot.read(Snapshot.write(s), Market.GENESIS, new NativeSecp256k1Verifier());
        assertThat(restored.postingHalt()).as("a member restarted from its snapshot halts again").isEqualTo(why);
        assertThat(restored.stateRoot()).isEqualTo(s.stateRoot());
        SequencerState former = Snapshot.read(Snapshot.writeWithoutPostingHalt(s), Market.GENESIS, new NativeSecp256k1Verifier());
        assertThat(former.postingHalt()).as("format 4 had none").isNull();
        assertThat(former.stateRoot()).isEqualTo(s.stateRoot());

        restored.apply(new Command.PostingResumed(77, 2), 0);
        assertThat(restored.postingHalt()).isNull();
        assertThat(Snapshot.read(Snapshot.write(restored), Market.GENESIS, new NativeSecp256k1Verifier()).postingHalt()).isNull();
        assertThat(restored.stateRoot()).as("the halt is no leaf").isEqualTo(s.stateRoot());
    }

    @Test
    void aSnapshotNamesTheRulesThatMadeItAndAFormer5OneReadsAsUnversioned() throws Exception {
        SequencerState s = new SequencerState(Market.GENESIS, new NativeSecp256k1Verifier());
        List<Command> cs = FinalityTest.withReports(2);
        for (int i = 0; i < cs.size(); i++) reply(s, cs.get(i), i);
        Property.forAll(Gens.ints(0, 255)).tries(30).check(rules -> {
            byte[] snapshot = Snapshot.write(s, rules);
            assertThat(Snapshot.rules(snapshot)).isEqualTo(rules);
            assertThat(Snapshot.read(snapshot, Market.GENESIS, new NativeSecp256k1Verifier()).stateRoot()).as("rules are no part of the state")
                    .isEqualTo(s.stateRoot());
        });
        assertThat(Snapshot.rules(Snapshot.write(s))).isEqualTo(RulesVersion.CURRENT);
        byte[] five = Snapshot.writeWithoutRules(s);
        assertThat(Snapshot.format(five)).isEqualTo(5);
        assertThat(Snapshot.rules(five)).isEqualTo(RulesVersion.UNVERSIONED);
        assertThat(Snapshot.read(five, Market.GENESIS, new NativeSecp256k1Verifier()).stateRoot()).isEqualTo(s.stateRoot());
        assertThat(Snapshot.rules(Snapshot.writeWithoutPostingHalt(s))).isEqualTo(RulesVersion.UNVERSIONED);
        assertThat(Snapshot.rules(new byte[3])).isEqualTo(RulesVersion.UNVERSIONED);
    }

    @Test
    void theImageLayoutIsPinnedSoThatAChangeBumpsTheFormat() throws Exception {
        SequencerState s = new SequencerState(Market.GENESIS, new NativeSecp256k1Verifier());
        List<Command> cs = FinalityTest.withReports(3);
        for (int i = 0; i < cs.size(); i++) reply(s, cs.get(i), i);
        byte[] image = Snapshot.write(s);
        String hash = sha256(image);
        assertThat(Snapshot.FORMAT).isEqualTo(11);
        String ten = sha256(Snapshot.writeWithoutCosts(s, 6));
        assertThat(ten).as("format 10 of rules 6 as it was pinned before format 11 (no position costs), still written alike for the tests that read it")
                .isEqualTo("a2aea06edad2dee6aade705d0e2be9ec0c688cf5adc866c465eb44485c7566ab");
        String nine = sha256(Snapshot.writeWithoutSchedules(s, 5));
        assertThat(nine).as("format 9 of rules 5 as it was pinned before format 10 (no dead man's switches), still written alike for the tests that read it")
                .isEqualTo("d7199862cf4f338db7bd3fd5260a9bd515f501da31cb721cf99d8230c4f7e079");
        String eight = sha256(Snapshot.writeWithoutTrails(s, 4));
        assertThat(eight).as("format 8 of rules 4 as it was pinned before format 9 (no trails), still written alike for the tests that read it")
                .isEqualTo("fc9065305899e704b5c3119ac797cf28406136461b74fa593c8366d9df34b8ff");
        String seven = sha256(Snapshot.writeWithoutStops(s, 3));
        assertThat(seven).as("format 7 of rules 3 as it was pinned before format 8 (no armed stops), still written alike for the tests that read it")
                .isEqualTo("a60c8cec2cf768593031632cf853521e3e35465e1f5449e3be45cf979d6257cc");
        String six = sha256(Snapshot.writeWithoutTrims(s, 2));
        assertThat(six).as("format 6 of rules 2 as it was pinned before format 7 (no trimmed lots), still written alike for the tests that read it")
                .isEqualTo("6bbe56c3b1a10aa600ff450657adcbe0bd020e2b090d6f98323a6bd0791ffa4d");
        String five = sha256(Snapshot.writeWithoutRules(s));
        assertThat(five).as("format 5 as it was pinned before format 6 (no rules version), still written alike for the tests that read it")
                .isEqualTo("1e125f84a2abb2b9edf597f20b9b6b461fc45c3cf3898e796d219a10c967da28");
        String four = sha256(Snapshot.writeWithoutPostingHalt(s));
        assertThat(four).as("format 4 as it was pinned before format 5 (no posting halt), still written alike for the tests that read it")
                .isEqualTo("58f6d9e2f50f76b5573529ac2d3b5dee2cdd2db75afae0c24d0d7b2381e6f4ba");
        String former = sha256(Snapshot.writeHistoryInImage(s));
        assertThat(former).as("format 2 as it was pinned before format 3 (its history in the image), still written alike for the tests that read it")
                .isEqualTo("eabcc6f8a5014d3bfe2156664a4f2142a9688441bd5cefffedc463bd2c7a0b2b");
        String three = sha256(Snapshot.writeWholeHistoryAfterImage(s));
        assertThat(three).as("format 3 as it was pinned before format 4 (no dropped counts), still written alike for the tests that read it")
                .isEqualTo("3d524edc27e1b4f7b10f510301272b54375639657dce0d781710f0f13ea02ccd");
        assertThat(hash).as("the format-%d image of the pinned session (%d bytes): changed its layout? bump Snapshot.FORMAT,"
                + " keep reading the former one, then pin the new hash", Snapshot.FORMAT, image.length).isEqualTo("37d2b0d462fd7470f74757a17f70600fd0ae9b97463ad9b5b28520b9c207adda");
    }

    /** A snapshot's SHA-256, as the pins of its layout name it. */
    private static String sha256(byte[] image) throws java.security.NoSuchAlgorithmException {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(image));
    }
}
