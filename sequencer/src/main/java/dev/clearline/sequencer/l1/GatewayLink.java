package dev.clearline.sequencer.l1;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clearline.engine.batch.BatchHeader;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.transition.Transition;
import dev.clearline.sequencer.api.Gateway;
import dev.clearline.sequencer.command.Command;

import java.io.IOException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** {@link SequencerLink} through a {@link Gateway}: every call is a command in the cluster's log. */
public final class GatewayLink implements SequencerLink {
    private static final long TIMEOUT_SECONDS = 30;
    private final Gateway gateway;

    public GatewayLink(Gateway gateway) {
        this.gateway = gateway;
    }

    @Override
    public Optional<SealedBatch> batch(long index) throws IOException {
        ObjectNode r = await(gateway.submit((id, s) -> new Command.Query(id, s, Command.QueryKind.BATCH, 0, null, null, index)));
        JsonNode b = r.get("batch");
        if (b == null || b.isNull()) return Optional.empty();
        BatchHeader h = new BatchHeader(b.get("index").asLong(), Hash32.fromHex(b.get("preStateRoot").asText()),
                Hash32.fromHex(b.get("postStateRoot").asText()), b.get("transitions").asInt(), Hash32.fromHex(b.get("transitionsRoot").asText()),
                b.get("priorityOpsConsumed").asLong());
        return Optional.of(new SealedBatch(h, HexFormat.of().parseHex(b.get("calldata").asText())));
    }

    @Override
    public long priorityOpsConsumed() throws IOException {
        return await(gateway.query(Command.QueryKind.STATE, 0, null, null)).path("priorityOpsConsumed").asLong();
    }

    @Override
    public Optional<String> submit(Transition.PriorityOp op) throws IOException {
        return verdict(await(gateway.submit((id, s) -> new Command.L1Op(id, s, op))));
    }

    @Override
    public Optional<String> submit(Transition.OraclePrice price) throws IOException {
        return verdict(await(gateway.submit((id, s) -> new Command.Oracle(id, s, price))));
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
