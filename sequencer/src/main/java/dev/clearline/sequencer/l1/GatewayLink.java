package dev.clearline.sequencer.l1;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clearline.engine.batch.BatchHeader;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.transition.Transition;
import dev.clearline.sequencer.api.Gateway;
import dev.clearline.sequencer.api.MarkFreshness;
import dev.clearline.sequencer.command.Command;
import dev.clearline.sequencer.command.ReplyCodec;
import dev.clearline.sequencer.state.SequencerState;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;
import java.util.function.LongSupplier;

/**
 * {@link SequencerLink} as commands into the sequencer's log: through a {@link Gateway} (a node's
 * cluster), or straight into a {@link SequencerState} (tests, tools that replay a log).
 */
public final class GatewayLink implements SequencerLink {
    private static final long TIMEOUT_SECONDS = 30;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(GatewayLink.class);

    /** Sends one command built from (clientId, clientSeq) and returns the committed reply. */
    @FunctionalInterface
    public interface Exchange {
        ObjectNode call(BiFunction<Long, Long, Command> build) throws IOException;
    }

    private final Exchange log;

    public GatewayLink(Gateway gateway) {
        this(build -> await(gateway.submit(build)));
    }

    public GatewayLink(Exchange log) {
        this.log = log;
    }

    /** A link applying commands to {@code state} directly, at the log time {@code millis} gives. */
    public static GatewayLink direct(SequencerState state, LongSupplier millis) {
        long[] seq = {0, 0};
        return new GatewayLink(build -> {
            try {
                // numbered as the gateway numbers: state-changing requests 1, 2, ...; queries -1, -2, ... apart
                long n = build.apply(1L, 0L) instanceof Command.Query ? -(++seq[1]) : ++seq[0];
                byte[] bytes = ReplyCodec.encode(state.apply(build.apply(1L, n), millis.getAsLong()));
                return ReplyCodec.decode(bytes, 0, bytes.length);
            } catch (IOException e) {
                throw new IOException("a reply did not decode: " + e.getMessage(), e);
            }
        });
    }

    @Override
    public Optional<SealedBatch> batch(long index) throws IOException {
        ObjectNode r = log.call((id, s) -> new Command.Query(id, s, Command.QueryKind.BATCH, 0, null, null, index));
        JsonNode b = r.get("batch");
        if (b == null || b.isNull()) return Optional.empty();
        BatchHeader h = new BatchHeader(b.get("index").asLong(), Hash32.fromHex(b.get("preStateRoot").asText()),
                Hash32.fromHex(b.get("postStateRoot").asText()), b.get("transitions").asInt(), Hash32.fromHex(b.get("transitionsRoot").asText()),
                b.get("priorityOpsConsumed").asLong());
        return Optional.of(new SealedBatch(h, HexFormat.of().parseHex(b.get("calldata").asText())));
    }

    @Override
    public long priorityOpsConsumed() throws IOException {
        return log.call((id, s) -> new Command.Query(id, s, Command.QueryKind.STATE, 0, null, null)).path("priorityOpsConsumed").asLong();
    }

    @Override
    public List<MarketInfo> markets() throws IOException {
        List<MarketInfo> out = new ArrayList<>();
        for (JsonNode m : log.call((id, s) -> new Command.Query(id, s, Command.QueryKind.STATE, 0, null, null)).path("marketInfo")) {
            out.add(new MarketInfo((int) m.get("market").asLong(), m.get("tickSize").asLong(), m.get("lotSize").asLong(), m.get("markPrice").asLong(),
                    m.get("fundingIndex").asLong(), m.get("lastOracleTs").asLong(), m.get("oracle").asText(), m.path("bestBid").asLong(0),
                    m.path("bestAsk").asLong(0)));
        }
        return out;
    }

    /**
     * Hands {@code marks} every market's last oracle time from the node's state, with a log line when the rule starts or stops
     * refusing a market's orders; a failed read keeps the times it had and says why (the next round reads again).
     */
    public void observeMarks(MarkFreshness marks) {
        List<MarketInfo> all;
        try {
            all = markets();
        } catch (IOException | RuntimeException e) {
            LOG.warn("event=mark_ages_not_read error=\"{}\"", e.getMessage());
            return;
        }
        for (MarketInfo m : all) marks.observe(m.market(), m.lastOracleTs());
        marks.changes().forEach((id, refused) -> {
            String market = Integer.toUnsignedString(id);
            if (!refused) LOG.info("event=mark_fresh_again market={} note=\"orders are taken again\"", market);
            else LOG.warn("event=mark_stale market={} age_s={} note=\"no oracle price within the venue's mark age: only cancels and reduce-only"
                    + " orders are taken there until one arrives\"", market, marks.ageSeconds(id));
        });
    }

    @Override
    public Depth depth(int market, long notional) throws IOException {
        if (notional < 0) throw new IllegalArgumentException("a notional of " + notional);
        JsonNode d = log.call((id, s) -> new Command.Query(id, s, Command.QueryKind.DEPTH, market, null, null, notional)).path("depth");
        if (d.has("error")) throw new IOException("the sequencer has no book for market " + market + ": " + d.path("message").asText());
        return new Depth(levels(d.path("bids")), levels(d.path("asks")));
    }

    private static List<Level> levels(JsonNode side) {
        List<Level> out = new ArrayList<>();
        for (JsonNode l : side) out.add(new Level(l.path(0).asLong(), l.path(1).asLong()));
        return out;
    }

    @Override
    public L1Progress l1Progress() throws IOException {
        JsonNode l1 = log.call((id, s) -> new Command.Query(id, s, Command.QueryKind.STATE, 0, null, null)).path("l1");
        return new L1Progress(l1.path("batchesPosted").asLong(), l1.path("batchesFinal").asLong(), l1.path("lastPostedAt").asLong());
    }

    @Override
    public Optional<String> batchPosted(long index, long postedAt, long finalAt) throws IOException {
        return refusal(log.call((id, s) -> new Command.BatchPosted(id, s, index, postedAt, finalAt)));
    }

    @Override
    public Optional<String> batchesFinal(long count) throws IOException {
        return refusal(log.call((id, s) -> new Command.BatchesFinal(id, s, count)));
    }

    @Override
    public void posting(String why) throws IOException {
        log.call((id, s) -> why == null ? new Command.PostingResumed(id, s) : new Command.PostingHalted(id, s, why));
    }

    private static Optional<String> refusal(ObjectNode reply) {
        JsonNode o = reply.path("outcomes").path(0);
        return o.path("accepted").asBoolean(false) ? Optional.empty() : Optional.of(o.path("help").asText("not applied"));
    }

    @Override
    public Optional<String> submit(Transition.PriorityOp op) throws IOException {
        return verdict(log.call((id, s) -> new Command.L1Op(id, s, op)));
    }

    @Override
    public Optional<String> submit(Transition.OraclePrice price) throws IOException {
        return verdict(log.call((id, s) -> new Command.Oracle(id, s, price)));
    }

    private static Optional<String> verdict(ObjectNode reply) {
        JsonNode o = reply.path("outcomes").path(0);
        return o.path("accepted").asBoolean(false) ? Optional.empty() : Optional.of(o.path("reject").asText("NOT_APPLIED"));
    }

    private static ObjectNode await(CompletableFuture<ObjectNode> f) throws IOException {
        try {
            return f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for the sequencer", e);
        } catch (ExecutionException e) {
            throw new IOException("the sequencer refused: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IOException("the sequencer did not answer within " + TIMEOUT_SECONDS + " s", e);
        }
    }
}
