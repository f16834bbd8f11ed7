package dev.clearline.sequencer.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clearline.engine.exchange.CancelRequest;
import dev.clearline.engine.exchange.SignatureStage;
import dev.clearline.engine.exchange.SignedOrder;
import dev.clearline.engine.exchange.Verification;
import dev.clearline.engine.exchange.VerifiedCancel;
import dev.clearline.engine.exchange.VerifiedOrder;
import dev.clearline.engine.order.Address;
import dev.clearline.engine.order.Eip712;
import dev.clearline.engine.order.Hash32;
import dev.clearline.engine.order.SignatureVerifier;
import dev.clearline.sequencer.cluster.ClusterClient;
import dev.clearline.sequencer.command.Command;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * The trader API's path into the cluster. Signatures are checked on a pool of all cores first (a
 * request that fails never reaches the log); verified requests are numbered on one cluster thread,
 * which owns the cluster connection, offers them in order, and completes each request when its
 * reply arrives, that is, after the cluster committed it. If the connection drops, or another
 * member of the cluster takes over as leader, the thread resends every unanswered request under
 * its original number, in order; the service answers a repeat with its first outcome, so nothing
 * is applied twice.
 */
public final class Gateway implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Gateway.class);

    private final SignatureStage stage;
    private final Eip712 domain;
    private final String aeronDir;
    private final String ingress;
    private final ExecutorService verifiers;
    private final long clientId = new SecureRandom().nextLong() & Long.MAX_VALUE;
    private final ConcurrentLinkedQueue<Outgoing> queue = new ConcurrentLinkedQueue<>();
    private final List<Consumer<ObjectNode>> listeners = new CopyOnWriteArrayList<>();
    private final Thread clusterThread;
    private volatile boolean running = true;
    private final AtomicInteger pending = new AtomicInteger();

    private record Outgoing(BiFunction<Long, Long, Command> build, CompletableFuture<ObjectNode> done) {}

    private record InFlight(Command command, CompletableFuture<ObjectNode> done) {}

    public Gateway(String aeronDir, String ingressEndpoints, Eip712 domain, SignatureVerifier verifier, int verifyThreads)
            throws InterruptedException {
        this.stage = new SignatureStage(domain, verifier);
        this.domain = domain;
        this.aeronDir = aeronDir;
        this.ingress = ingressEndpoints;
        AtomicInteger n = new AtomicInteger();
        this.verifiers = Executors.newFixedThreadPool(verifyThreads, r -> {
            Thread t = new Thread(r, "verify-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        ClusterClient first = ClusterClient.connect(aeronDir, ingressEndpoints, this::onReply, this::onNewLeader, 30_000);
        this.clusterThread = new Thread(() -> run(first), "gateway-cluster");
        clusterThread.setDaemon(true);
        clusterThread.start();
        log.info("event=gateway_started clientId={} verifyThreads={}", clientId, verifyThreads);
    }

    public Eip712 domain() {
        return domain;
    }

    /** Requests accepted by the gateway and not yet answered by the cluster. */
    public int pending() {
        return pending.get();
    }

    /** Sees every state-changing reply (all gateways' requests): market data and account updates come from these. */
    public void listen(Consumer<ObjectNode> listener) {
        listeners.add(listener);
    }

    public void unlisten(Consumer<ObjectNode> listener) {
        listeners.remove(listener);
    }

    public CompletableFuture<ObjectNode> place(SignedOrder s) {
        return verified(() -> stage.verify(s), v -> (id, seq) -> new Command.Place(id, seq, (VerifiedOrder) v));
    }

    public CompletableFuture<ObjectNode> cancel(CancelRequest c) {
        return verified(() -> stage.verify(c), v -> (id, seq) -> new Command.Cancel(id, seq, (VerifiedCancel) v));
    }

    public CompletableFuture<ObjectNode> amend(CancelRequest replaced, SignedOrder replacement) {
        return CompletableFuture.supplyAsync(() -> List.of(stage.verify(replaced), stage.verify(replacement)), verifiers)
                .thenCompose(vs -> {
                    for (Verification v : vs) if (v instanceof Verification.Refused r) return refused(r);
                    return enqueue((id, seq) -> new Command.Amend(id, seq, (VerifiedCancel) vs.get(0), (VerifiedOrder) vs.get(1)));
                });
    }

    public CompletableFuture<ObjectNode> batchCancel(List<CancelRequest> cancels) {
        return CompletableFuture.supplyAsync(() -> cancels.stream().map(stage::verify).toList(), verifiers)
                .thenCompose(vs -> {
                    List<VerifiedCancel> ok = new ArrayList<>();
                    for (Verification v : vs) {
                        if (v instanceof Verification.Refused r) return refused(r);
                        ok.add((VerifiedCancel) v);
                    }
                    return enqueue((id, seq) -> new Command.BatchCancel(id, seq, ok));
                });
    }

    /** A signed Allocate, Release or Withdraw: its signature and nonce are the STF's to check, in the log. */
    public CompletableFuture<ObjectNode> request(dev.clearline.engine.transition.Transition signed) {
        return enqueue((id, seq) -> new Command.Signed(id, seq, signed));
    }

    public CompletableFuture<ObjectNode> query(Command.QueryKind kind, int market, Address trader, Hash32 orderHash) {
        return enqueue((id, seq) -> new Command.Query(id, seq, kind, market, trader, orderHash));
    }

    /** Sends a command built elsewhere (L1 ops, oracle prices, time ticks from the node's own feeders). */
    public CompletableFuture<ObjectNode> submit(BiFunction<Long, Long, Command> build) {
        return enqueue(build);
    }

    private CompletableFuture<ObjectNode> verified(java.util.function.Supplier<Verification> check,
                                                   java.util.function.Function<Verification, BiFunction<Long, Long, Command>> build) {
        return CompletableFuture.supplyAsync(check, verifiers).thenCompose(v ->
                v instanceof Verification.Refused r ? refused(r) : enqueue(build.apply(v)));
    }

    private static CompletableFuture<ObjectNode> refused(Verification.Refused r) {
        return CompletableFuture.failedFuture(new ApiError(401, r.reason().name(), r.reason().help()));
    }

    private CompletableFuture<ObjectNode> enqueue(BiFunction<Long, Long, Command> build) {
        if (!running) return CompletableFuture.failedFuture(new ApiError(503, "SHUTTING_DOWN", "the node is stopping; retry on another node or later"));
        CompletableFuture<ObjectNode> done = new CompletableFuture<>();
        pending.incrementAndGet();
        queue.add(new Outgoing(build, done));
        LockSupport.unpark(clusterThread);
        return done;
    }

    // ---- the cluster thread ------------------------------------------------------------------

    private final TreeMap<Long, InFlight> inFlight = new TreeMap<>();
    private long nextSeq;
    private long sentUpTo;

    private void run(ClusterClient first) {
        ClusterClient client = first;
        IdleStrategy idle = new BackoffIdleStrategy(10, 20, 1_000, 100_000);
        while (running) {
            try {
                if (client.isClosed()) {
                    client.close();
                    log.warn("event=cluster_connection_lost unanswered={} action=reconnect_and_resend", inFlight.size());
                    client = ClusterClient.connect(aeronDir, ingress, this::onReply, this::onNewLeader, Long.MAX_VALUE);
                    sentUpTo = inFlight.isEmpty() ? nextSeq : inFlight.firstKey() - 1;
                }
                int work = 0;
                Outgoing o;
                while ((o = queue.poll()) != null) {
                    long seq = ++nextSeq;
                    inFlight.put(seq, new InFlight(o.build.apply(clientId, seq), o.done));
                    work++;
                }
                for (Map.Entry<Long, InFlight> e : inFlight.tailMap(sentUpTo, false).entrySet()) {
                    if (!client.offer(e.getValue().command())) break;
                    sentUpTo = e.getKey();
                    work++;
                }
                work += client.poll();
                idle.idle(work);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                log.warn("event=gateway_cluster_error error=\"{}\"", e.toString());
                LockSupport.parkNanos(100_000_000L);
            }
        }
        client.close();
    }

    /**
     * Another member leads now (cluster thread, inside poll): what the old leader had not committed
     * is lost, so every unanswered request goes again, in order, before anything new. The service
     * answers the ones that did commit with their first outcome.
     */
    private void onNewLeader(int leaderMemberId) {
        long rewindTo = inFlight.isEmpty() ? nextSeq : inFlight.firstKey() - 1;
        if (rewindTo < sentUpTo) {
            log.info("event=resend_after_new_leader leader={} unanswered={}", leaderMemberId, inFlight.size());
            sentUpTo = rewindTo;
        }
    }

    private void onReply(ObjectNode reply) {
        if (reply.path("clientId").asLong() == clientId) {
            InFlight f = inFlight.remove(reply.path("clientSeq").asLong());
            if (f != null) {
                pending.decrementAndGet();
                f.done().complete(reply);
            }
        }
        if (!"query".equals(reply.path("type").asText()) && !reply.path("duplicate").asBoolean()) {
            for (Consumer<ObjectNode> l : listeners) {
                try {
                    l.accept(reply);
                } catch (RuntimeException e) {
                    log.warn("event=listener_failed error=\"{}\"", e.toString());
                }
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        LockSupport.unpark(clusterThread);
        clusterThread.join(5_000);
        verifiers.shutdownNow();
        for (InFlight f : inFlight.values()) f.done().completeExceptionally(new ApiError(503, "SHUTTING_DOWN", "the node stopped before the cluster answered; query the order to see whether it was applied"));
        Outgoing o;
        while ((o = queue.poll()) != null) o.done().completeExceptionally(new ApiError(503, "SHUTTING_DOWN", "the node stopped; nothing was applied"));
    }
}
