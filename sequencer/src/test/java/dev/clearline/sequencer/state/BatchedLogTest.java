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

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Gateways pack the requests that are ready at once into one log message. The state machine must
 * not be able to tell: the commands of a batch get the replies, sequence numbers, duplicate answers
 * and roots they would have got one message each at the same log time, and a replay (or a snapshot
 * plus the rest of the log) gives the same again.
 */
class BatchedLogTest {
    static final List<Command> SESSION = SequencerStateTest.SESSION;

    /** One log message: its commands' bytes (one alone, or a batch) and its log time. */
    record Message(byte[] bytes, long time, int commands) {}

    /** Cuts the session into messages of the given sizes (cycled), each with its own log time. */
    static List<Message> cut(List<Command> cs, List<Integer> sizes) {
        List<Message> out = new ArrayList<>();
        int at = 0;
        for (int k = 0; at < cs.size(); k++) {
            int n = Math.min(sizes.get(k % sizes.size()), cs.size() - at);
            List<byte[]> encoded = cs.subList(at, at + n).stream().map(CommandCodec::encode).toList();
            out.add(new Message(n == 1 ? encoded.getFirst() : CommandCodec.encodeBatch(encoded), Market.START * 1000 + 700L * k, n));
            at += n;
        }
        return out;
    }

    /** What the service does with one message: each command applied in order with the message's time. */
    static List<String> apply(SequencerState s, Message m) {
        List<String> replies = new ArrayList<>();
        CommandCodec.decodeMessage(m.bytes(), 0, m.bytes().length, new CommandCodec.Entries() {
            @Override
            public void command(Command c, byte[] bytes, int offset, int length) {
                replies.add(new String(ReplyCodec.encode(s.apply(c, m.time(), bytes, offset, length))));
            }

            @Override
            public void malformed(int index, String reason) {
                throw new AssertionError("a good batch refused at " + index + ": " + reason);
            }
        });
        return replies;
    }

    static List<String> applyAll(SequencerState s, List<Message> ms) {
        List<String> replies = new ArrayList<>();
        for (Message m : ms) replies.addAll(apply(s, m));
        return replies;
    }

    @Test
    void batchedCommandsGetTheRepliesAndRootTheyGetOneMessageEachAndReplayIdentically() {
        Property.forAll(Gens.listOf(Gens.ints(1, 12), 1, 6), Gens.ints(0, 40)).tries(10).check((sizes, snapshotAt) -> {
            List<Message> batched = cut(SESSION, sizes);

            // the same commands, one message each, at the log time of the batch they were in
            SequencerState single = new SequencerState(Market.GENESIS, new NativeSecp256k1Verifier());
            List<String> expected = new ArrayList<>();
            for (Message m : batched) {
                for (Message one : cut(commandsOf(m), List.of(1))) expected.addAll(apply(single, new Message(one.bytes(), m.time(), 1)));
            }

            SequencerState s = new SequencerState(Market.GENESIS, new NativeSecp256k1Verifier());
            assertThat(applyAll(s, batched)).isEqualTo(expected);
            assertThat(s.stateRoot()).isEqualTo(single.stateRoot());
            assertThat(s.seq()).isEqualTo(SESSION.size());

            // a replay of the same log: identical acks and root
            SequencerState replay = new SequencerState(Market.GENESIS, new NativeSecp256k1Verifier());
            assertThat(applyAll(replay, batched)).isEqualTo(expected);
            assertThat(replay.stateRoot()).isEqualTo(s.stateRoot());

            // a snapshot between two messages plus the rest of the log: the same
            int k = Math.min(snapshotAt, batched.size());
            SequencerState first = new SequencerState(Market.GENESIS, new NativeSecp256k1Verifier());
            List<String> got = new ArrayList<>(applyAll(first, batched.subList(0, k)));
            SequencerState restored = Snapshot.read(Snapshot.write(first), Market.GENESIS, new NativeSecp256k1Verifier());
            got.addAll(applyAll(restored, batched.subList(k, batched.size())));
            assertThat(got).isEqualTo(expected);
            assertThat(restored.stateRoot()).isEqualTo(s.stateRoot());
        });
    }

    static List<Command> commandsOf(Message m) {
        List<Command> out = new ArrayList<>();
        CommandCodec.decodeMessage(m.bytes(), 0, m.bytes().length, new CommandCodec.Entries() {
            @Override
            public void command(Command c, byte[] bytes, int offset, int length) {
                out.add(c);
            }

            @Override
            public void malformed(int index, String reason) {
                throw new AssertionError(reason);
            }
        });
        return out;
    }

    @Test
    void aRepeatInsideABatchIsAnsweredWithItsFirstOutcomeAndAGapWithTheNumberExpected() throws Exception {
        List<Command> first = SESSION.subList(0, 12);
        List<Command> withRepeat = new ArrayList<>(first);
        withRepeat.add(first.get(9)); // a repeat of request 10, in the same batch as its first copy
        Command afterGap = SESSION.get(13); // request 14: request 13 never came
        withRepeat.add(afterGap);
        SequencerState s = new SequencerState(Market.GENESIS, new NativeSecp256k1Verifier());
        List<String> replies = applyAll(s, cut(withRepeat, List.of(withRepeat.size())));

        assertThat(replies).hasSize(14);
        var firstCopy = ReplyCodec.decode(replies.get(9).getBytes(), 0, replies.get(9).length());
        var repeat = ReplyCodec.decode(replies.get(12).getBytes(), 0, replies.get(12).length());
        assertThat(repeat.get("duplicate").asBoolean()).isTrue();
        assertThat(repeat.get("seq").asLong()).isEqualTo(firstCopy.get("seq").asLong());
        assertThat(repeat.get("clientSeq").asLong()).isEqualTo(10);
        var gap = ReplyCodec.decode(replies.get(13).getBytes(), 0, replies.get(13).length());
        assertThat(gap.get("type").asText()).isEqualTo("outOfOrder");
        assertThat(gap.get("expected").asLong()).isEqualTo(13);
        // applied once each: twelve commands, and the history holds twelve
        assertThat(s.seq()).isEqualTo(12);
        assertThat(s.history().count()).isEqualTo(12);

        SequencerState straight = new SequencerState(Market.GENESIS, new NativeSecp256k1Verifier());
        for (Command c : first) straight.apply(c, Market.START * 1000);
        assertThat(s.stateRoot()).isEqualTo(straight.stateRoot());
    }
}
