package dev.clearline.sequencer.command;

import dev.clearline.engine.exchange.CancelRequest;
import dev.clearline.engine.exchange.SignedOrder;
import dev.clearline.engine.exchange.VerifiedCancel;
import dev.clearline.engine.exchange.VerifiedOrder;
import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.sequencer.Market;
import dev.clearline.sequencer.state.SequencerState;
import dev.clearline.testkit.property.Gen;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.random.RandomGenerator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The log's message format: one command, or a gateway's batch of them. A batch reads back as its
 * commands, in order, each from its own bytes; a malformed command inside is refused alone; and no
 * message at all, random or a mutation of a good one, makes the decoder throw, nor the state applying
 * what it decoded and a gateway could have sent.
 *
 * <p>Only gateways write to the log (the cluster admits no session without its secret,
 * {@code ClusterSecret}), and a gateway sends an order or a cancel only once its signature has been
 * checked, its signer recovered and its hash computed; the state trusts those (the check is what lets
 * it run on every core). So a mutated order or cancel whose carried hash or signer no gateway would
 * have worked out is not applied here: with them the state's exchange and its tree can judge the same
 * order differently (seed 8680655909975976982 found it, before the cluster authenticated sessions).
 */
class CommandBatchTest {
    static final Market M = new Market(4);
    /** Opening plus a trading flow, signed once (signing is slow on a shared machine). */
    static final List<Command> SESSION = session();
    static final List<byte[]> ENCODED = SESSION.stream().map(CommandCodec::encode).toList();

    static List<Command> session() {
        List<Command> cs = new ArrayList<>(M.opening(7));
        cs.addAll(M.flow(7, cs.size() + 1, 120, new Random(5)));
        // stops armed under and over the mark, one then fired by a price the flow did not reach
        Random r = new Random(6);
        for (long trigger : new long[] {95 * Market.TICK, 105 * Market.TICK, 90 * Market.TICK}) {
            cs.add(new Command.PlaceStop(7, cs.size() + 1, M.randomOrder(r), trigger));
        }
        cs.add(new Command.PlaceStop(7, cs.size() + 1, M.randomOrder(r), new StopTrigger.Trailing(3 * Market.TICK))); // its own type
        cs.add(new Command.Oracle(7, cs.size() + 1, M.price(89 * Market.TICK, Market.START + 200)));
        // a dead man's switch set, and one turned off: a mutated one must not verify, a verified one the state judges
        var trader = M.traders.get(1);
        for (long deadline : new long[] {Market.START + 300, 0}) {
            long n = deadline == 0 ? 2 : 1;
            cs.add(new Command.CancelAllAfter(7, cs.size() + 1, trader.address(), deadline, n,
                    trader.sign(M.domain.cancelAllAfterDigest(trader.address(), deadline, n))));
        }
        // the leader's poster halted and started again: commands with a text payload, mutated like the rest
        cs.add(new Command.PostingHalted(7, cs.size() + 1, "its batches no longer reach L1 (batch 0 holds 5 transitions, ü)"));
        cs.add(new Command.PostingResumed(7, cs.size() + 1));
        return cs;
    }

    /** What decodeMessage found in one message, as hex (commands) or "malformed@index". */
    static List<String> read(byte[] message) {
        List<String> out = new ArrayList<>();
        CommandCodec.decodeMessage(message, 0, message.length, new CommandCodec.Entries() {
            @Override
            public void command(Command c, byte[] bytes, int offset, int length) {
                byte[] own = Arrays.copyOfRange(bytes, offset, offset + length);
                // one encoding per command: what the history keeps (these bytes) is what encoding the command gives
                assertThat(CommandCodec.encode(c)).isEqualTo(own);
                out.add(HexFormat.of().formatHex(own));
            }

            @Override
            public void malformed(int index, String reason) {
                assertThat(reason).isNotBlank();
                out.add("malformed@" + index);
            }
        });
        return out;
    }

    static Gen<List<byte[]>> batches() {
        return Gens.listOf(Gens.elements(ENCODED), 1, CommandCodec.MAX_BATCH_COMMANDS);
    }

    @Test
    void aBatchReadsBackAsItsCommandsInOrderEachFromItsOwnBytes() {
        Property.forAll(batches()).tries(200).check(cs -> {
            List<String> expected = cs.stream().map(b -> HexFormat.of().formatHex(b)).toList();
            assertThat(read(CommandCodec.encodeBatch(cs))).isEqualTo(expected);
        });
        // a single command is a message of its own, as before batches
        for (byte[] b : ENCODED) assertThat(read(b)).containsExactly(HexFormat.of().formatHex(b));
    }

    /** Ways to spoil one command's bytes so that it can no longer be a command. */
    enum Spoil { TRUNCATE, EXTEND, VERSION, TYPE, NESTED_BATCH }

    static byte[] spoil(byte[] good, Spoil how, RandomGenerator r) {
        return switch (how) {
            case TRUNCATE -> Arrays.copyOf(good, 1 + r.nextInt(good.length - 1));
            case EXTEND -> Arrays.copyOf(good, good.length + 1 + r.nextInt(8));
            case VERSION -> { byte[] b = good.clone(); b[0] = (byte) (CommandCodec.VERSION + 1 + r.nextInt(100)); yield b; }
            // past the last type there is: 13 was once past it, until PostingHalted took it (seed -4438744367053009963 spoiled one to itself)
            case TYPE -> { byte[] b = good.clone(); b[1] = (byte) (r.nextBoolean() ? 0 : CommandCodec.LAST_TYPE + 1 + r.nextInt(100)); yield b; }
            case NESTED_BATCH -> CommandCodec.encodeBatch(List.of(good));
        };
    }

    @Test
    void aPostingHaltsReasonReadsBackWholeOrCutAtACharacterNeverPastItsBound() {
        Property.forAll(Gens.ints(0, 3_000), Gens.ints(0, 2)).tries(200).check((n, width) -> {
            String unit = width == 0 ? "a" : width == 1 ? "ü" : "€"; // 1, 2 and 3 bytes in UTF-8
            String why = unit.repeat(n);
            byte[] bytes = CommandCodec.encode(new Command.PostingHalted(3, 9, why));
            Command back = CommandCodec.decode(bytes, 0, bytes.length);
            assertThat(back).isInstanceOf(Command.PostingHalted.class);
            String kept = ((Command.PostingHalted) back).why();
            int whole = why.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            if (whole <= Command.PostingHalted.MAX_WHY_BYTES) assertThat(kept).isEqualTo(why);
            else {
                assertThat(why).startsWith(kept);
                int keptBytes = kept.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
                assertThat(keptBytes).isLessThanOrEqualTo(Command.PostingHalted.MAX_WHY_BYTES)
                        .isGreaterThan(Command.PostingHalted.MAX_WHY_BYTES - unit.getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
            }
            assertThat(CommandCodec.encode(back)).as("one encoding per command").isEqualTo(bytes);
        });
        // a declared length past the bound is malformed, not a 64 KB string
        byte[] over = CommandCodec.encode(new Command.PostingHalted(3, 9, ""));
        over = Arrays.copyOf(over, over.length + Command.PostingHalted.MAX_WHY_BYTES + 1);
        java.nio.ByteBuffer.wrap(over).putShort(18, (short) (Command.PostingHalted.MAX_WHY_BYTES + 1));
        byte[] tooLong = over;
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> CommandCodec.decode(tooLong, 0, tooLong.length))
                .isInstanceOf(MalformedCommandException.class).hasMessageContaining("at most " + Command.PostingHalted.MAX_WHY_BYTES);
    }

    @Test
    void aMalformedCommandInsideABatchIsRefusedAloneAndTheRestIsRead() {
        Gen<Object[]> cases = batches().flatMap(cs -> Gen.of(r -> new Object[] {cs, r.nextInt(cs.size()),
                Spoil.values()[r.nextInt(Spoil.values().length)], r.nextLong()}));
        Property.forAll(cases).tries(300).check(k -> {
            @SuppressWarnings("unchecked") List<byte[]> cs = new ArrayList<>((List<byte[]>) k[0]);
            int bad = (int) k[1];
            cs.set(bad, spoil(cs.get(bad), (Spoil) k[2], new java.util.SplittableRandom((long) k[3])));
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < cs.size(); i++) expected.add(i == bad ? "malformed@" + i : HexFormat.of().formatHex(cs.get(i)));
            assertThat(read(CommandCodec.encodeBatch(cs))).isEqualTo(expected);
        });
    }

    @Test
    void aBrokenBatchEnvelopeIsRefusedWhole() {
        byte[] good = CommandCodec.encodeBatch(ENCODED.subList(0, 5));
        assertThat(read(Arrays.copyOf(good, good.length - 1))).containsExactly("malformed@-1");
        assertThat(read(Arrays.copyOf(good, good.length + 3))).containsExactly("malformed@-1");
        byte[] zero = good.clone();
        zero[2] = 0;
        zero[3] = 0;
        assertThat(read(zero)).containsExactly("malformed@-1");
        assertThat(read(Arrays.copyOf(good, 3))).containsExactly("malformed@-1");
    }

    /** A random message: noise, a good message with a few bytes changed, cut or lengthened, or a batch of such. */
    static Gen<byte[]> rawMessages() {
        Gen<byte[]> noise = Gens.bytes(0, 600);
        Gen<byte[]> headedNoise = Gens.bytes(2, 400).map(b -> {
            b[0] = CommandCodec.VERSION; // past the version check, into the payload decoders
            b[1] = (byte) (1 + Math.floorMod(b[1], CommandCodec.LAST_TYPE));
            return b;
        });
        Gen<byte[]> mutatedCommand = Gen.of(r -> mutate(ENCODED.get(r.nextInt(ENCODED.size())), r));
        Gen<byte[]> mutatedBatch = Gen.of(r -> {
            List<byte[]> cs = new ArrayList<>();
            for (int i = 1 + r.nextInt(8); i > 0; i--) cs.add(ENCODED.get(r.nextInt(ENCODED.size())));
            byte[] b = CommandCodec.encodeBatch(cs);
            return r.nextInt(4) == 0 ? mutate(b, r) : b;
        });
        Gen<byte[]> batchOfMutations = Gen.of(r -> {
            List<byte[]> cs = new ArrayList<>();
            for (int i = 1 + r.nextInt(8); i > 0; i--) {
                byte[] m = mutate(ENCODED.get(r.nextInt(ENCODED.size())), r);
                cs.add(m.length == 0 ? new byte[] {0} : m); // a batch entry has at least one byte
            }
            return CommandCodec.encodeBatch(cs);
        });
        return Gens.frequency(1, noise, 2, headedNoise, 4, mutatedCommand, 2, mutatedBatch, 2, batchOfMutations);
    }

    static byte[] mutate(byte[] good, RandomGenerator r) {
        byte[] b = good.clone();
        switch (r.nextInt(4)) {
            case 0 -> { for (int i = 1 + r.nextInt(4); i > 0; i--) b[r.nextInt(b.length)] = (byte) r.nextInt(256); }
            case 1 -> b = Arrays.copyOf(b, r.nextInt(b.length));
            case 2 -> b = Arrays.copyOf(b, b.length + 1 + r.nextInt(40));
            default -> b[2 + r.nextInt(Math.max(1, b.length - 2))] ^= (byte) (1 << r.nextInt(8)); // one bit past the version and type
        }
        return b;
    }

    @Test
    void noMessageRandomOrMutatedMakesTheDecoderOrTheStateThrow() {
        // the state applies what decodes from the mutations after the opening: an order whose bytes changed
        // is refused or applied by the engine's rules, never an exception (which would stop the member)
        SequencerState state = new SequencerState(Market.GENESIS, new NativeSecp256k1Verifier());
        for (int i = 0; i < 6; i++) state.apply(SESSION.get(i), Market.START * 1000);
        long[] time = {Market.START * 1000};
        Property.forAll(rawMessages()).tries(3_000).check(m -> {
            read(m); // asserts each decoded command is canonical, never throws
            CommandCodec.decodeMessage(m, 0, m.length, new CommandCodec.Entries() {
                @Override
                public void command(Command c, byte[] bytes, int offset, int length) {
                    if (!aGatewayCouldSend(c)) return;
                    // applied under a client of its own, so every mutated command is the next in order and really applied
                    Command own = rebase(c, 1_000 + state.seq());
                    byte[] encoded = CommandCodec.encode(own);
                    state.apply(own, time[0] += 1_000, encoded, 0, encoded.length);
                }

                @Override
                public void malformed(int index, String reason) {
                }
            });
        });
        assertThat(state.stateRoot()).isNotNull();
    }

    /** Whether a gateway's signature check gives the signers and hashes {@code c} carries (commands without any always). */
    static boolean aGatewayCouldSend(Command c) {
        return switch (c) {
            case Command.Place p -> checked(p.order());
            case Command.PlaceStop p -> checked(p.order());
            case Command.Cancel x -> checked(x.cancel());
            case Command.Amend a -> checked(a.replaced()) && checked(a.replacement());
            case Command.BatchCancel bc -> bc.cancels().stream().allMatch(CommandBatchTest::checked);
            case Command.CancelAllAfter x -> M.stage.cancelAllAfterSignedBy(x.owner(), x.deadline(), x.nonce(), x.signature());
            default -> true;
        };
    }

    private static boolean checked(VerifiedOrder v) {
        return v.equals(M.stage.verify(new SignedOrder(v.order(), M.domain.chainId(), M.domain.verifyingContract(), v.signature())));
    }

    private static boolean checked(VerifiedCancel v) {
        return v.equals(M.stage.verify(new CancelRequest(v.owner(), v.orderHash(), v.signature())));
    }

    /** The same command from a fresh client, as its first request (so a mutated sequence number cannot hide it). */
    static Command rebase(Command c, long client) {
        return switch (c) {
            case Command.Place p -> new Command.Place(client, 1, p.order());
            case Command.PlaceStop p -> new Command.PlaceStop(client, 1, p.order(), p.trigger());
            case Command.Cancel x -> new Command.Cancel(client, 1, x.cancel());
            case Command.CancelAllAfter x -> new Command.CancelAllAfter(client, 1, x.owner(), x.deadline(), x.nonce(), x.signature());
            case Command.Amend a -> new Command.Amend(client, 1, a.replaced(), a.replacement());
            case Command.BatchCancel bc -> new Command.BatchCancel(client, 1, bc.cancels());
            case Command.L1Op op -> new Command.L1Op(client, 1, op.op());
            case Command.Oracle o -> new Command.Oracle(client, 1, o.price());
            case Command.Signed s -> new Command.Signed(client, 1, s.request());
            case Command.TimeTick t -> new Command.TimeTick(client, 1, t.unixSeconds());
            case Command.BatchPosted p -> new Command.BatchPosted(client, 1, p.index(), p.postedAt(), p.finalAt());
            case Command.BatchesFinal f -> new Command.BatchesFinal(client, 1, f.count());
            case Command.PostingHalted h -> new Command.PostingHalted(client, 1, h.why());
            case Command.PostingResumed r -> new Command.PostingResumed(client, 1);
            case Command.Query q -> q;
        };
    }
}
