package dev.clearline.sequencer.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.clearline.engine.order.NativeSecp256k1Verifier;
import dev.clearline.sequencer.Market;
import dev.clearline.sequencer.command.Command;
import dev.clearline.sequencer.command.ReplyCodec;
import dev.clearline.sequencer.command.ReplyHeader;
import dev.clearline.sequencer.metrics.MetricsText;
import dev.clearline.sequencer.state.Reply;
import dev.clearline.sequencer.state.SequencerState;
import dev.clearline.testkit.property.Gens;
import dev.clearline.testkit.property.Property;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The API counts the venue's verdicts mostly off a reply's bytes ({@link ApiCounts#verdicts}): it must come to what the
 * decoded replies say, outcome by outcome, over trading sessions with refusals of every kind the flow makes, and count
 * nothing twice for a resend's reply.
 */
class ApiVerdictsProperties {
    private static final Map<String, String> OP_OF_TYPE = Map.of("place", "place", "cancel", "cancel", "batchCancel", "batchCancel", "request", "withdraw");

    @Test
    void theCountsOffTheBytesAreTheDecodedVerdicts() {
        Property.forAll(Gens.seeds()).tries(12).check(seed -> {
            Random r = new Random(seed);
            Market m = new Market(3);
            List<Command> cs = new ArrayList<>(m.opening(7));
            cs.addAll(m.flow(7, cs.size() + 1, 80 + r.nextInt(80), r));
            // batch cancels of a few orders, some resting, some filled or cancelled: replies with several verdicts each
            List<Command.Place> placed = cs.stream().filter(c -> c instanceof Command.Place).map(c -> (Command.Place) c).toList();
            for (int b = 0; b < 3; b++) {
                List<dev.clearline.engine.exchange.VerifiedCancel> cancels = new ArrayList<>();
                for (int k = 1 + r.nextInt(6); k > 0; k--) {
                    Command.Place p = placed.get(r.nextInt(placed.size()));
                    cancels.add(m.cancel(m.owner(p.order().order().trader()), p.order().hash()));
                }
                cs.add(new Command.BatchCancel(7, cs.size() + 1, cancels));
            }
            // and bids far below the market, resting, cancelled in one batch: a reply of several verdicts, all accepted
            dev.clearline.engine.order.Signer bidder = m.traders.get(r.nextInt(m.traders.size()));
            List<dev.clearline.engine.exchange.VerifiedCancel> resting = new ArrayList<>();
            for (int k = 2 + r.nextInt(4); k > 0; k--) {
                var bid = m.order(bidder, new dev.clearline.engine.order.Order(bidder.address(), Market.MARKET, dev.clearline.engine.order.Side.BUY,
                        (50 + k) * Market.TICK, Market.LOT, 0, dev.clearline.engine.order.TimeInForce.GTC, 0, 0, 1_000_000 + k, 1_000_000));
                cs.add(new Command.Place(7, cs.size() + 1, bid));
                resting.add(m.cancel(bidder, bid.hash()));
            }
            cs.add(new Command.BatchCancel(7, cs.size() + 1, resting));
            SequencerState s = new SequencerState(Market.GENESIS, new NativeSecp256k1Verifier());
            ApiCounts counts = new ApiCounts(() -> 0);
            Map<String, Long> expected = new TreeMap<>();
            for (int i = 0; i < cs.size(); i++) {
                Reply reply = s.apply(cs.get(i), Market.START * 1000 + i);
                byte[] bytes = ReplyCodec.encode(reply);
                JsonNode decoded = ReplyCodec.decode(bytes, 0, bytes.length);
                String op = OP_OF_TYPE.getOrDefault(decoded.path("type").asText(), "state");
                counts.verdicts(op, new ReplyBytes(bytes, ReplyHeader.read(bytes, 0, bytes.length), null));
                if (!op.equals("state")) {
                    for (JsonNode o : decoded.path("outcomes")) {
                        String verdict = o.path("accepted").asBoolean() ? "accepted"
                                : o.path("reject").asText().equals("BOOK_REJECTED") ? o.path("bookReason").asText() : o.path("reject").asText();
                        expected.merge("clearline_api_verdicts_total{op=\"" + op + "\",verdict=\"" + verdict + "\"}", 1L, Long::sum);
                    }
                }
                // the same reply again as a resend's: counted once already
                byte[] again = ReplyCodec.encode(reply.asDuplicate());
                counts.verdicts(op, new ReplyBytes(again, ReplyHeader.read(again, 0, again.length), null));
            }
            assertThat(expected.keySet()).as("the flow refuses something").anyMatch(k -> !k.contains("accepted"));
            assertThat(expected.get("clearline_api_verdicts_total{op=\"batchCancel\",verdict=\"accepted\"}")).as("batch cancels were judged")
                    .isGreaterThanOrEqualTo(2L);
            assertThat(verdicts(counts)).isEqualTo(expected);
        });
    }

    private static Map<String, Long> verdicts(ApiCounts counts) {
        MetricsText text = new MetricsText();
        counts.writeMetrics(text, 0, false);
        Map<String, Long> out = new TreeMap<>(dev.clearline.sequencer.metrics.Exposition.samples(text.toString()));
        out.keySet().removeIf(series -> !series.startsWith("clearline_api_verdicts_total{"));
        return out;
    }
}
