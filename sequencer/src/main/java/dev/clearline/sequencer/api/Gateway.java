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
import dev.clearline.sequencer.cluster.ClusterIngress;
import dev.clearline.sequencer.cluster.SequencerNode;
import dev.clearline.sequencer.command.Command;
import dev.clearline.sequencer.command.CommandCodec;
import dev.clearline.sequencer.command.ReplyCodec;
import dev.clearline.sequencer.command.ReplyHeader;
import dev.clearline.sequencer.command.StreamWish;
import org.agrona.concurrent.IdleStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * is applied twice. State-changing requests are numbered 1, 2, ... and the service applies them
 * only in that order: one that arrives after a gap (an earlier one lost with a leader) is answered
 * {@code outOfOrder} with the number expected, and the thread resends from there. Queries are
 * numbered -1, -2, ... apart from them, since they change nothing and are never in the log's
 * history.
 */
public final class Gateway implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Gateway.class);

    private final SignatureStage stage;
    private final Eip712 domain;
    private final String aeronDir;
    private final ClusterIngress ingress;
    private final ExecutorService verifiers;
    private final long clientId = new SecureRandom().nextLong() & Long.MAX_VALUE;
    private final ConcurrentLinkedQueue<Outgoing> queue = new ConcurrentLinkedQueue<>();
    private final List<Consumer<ObjectNode>> listeners = new CopyOnWriteArrayList<>();
    private final Thread clusterThread;
    private volatile boolean running = true;
    private final AtomicInteger pending = new AtomicInteger();
    private final java.util.concurrent.atomic.AtomicLong messagesSent = new java.util.concurrent.atomic.AtomicLong();
    /** The highest sequence number in any reply this gateway took: a local read answers from a state at least this new. */
    private final java.util.concurrent.atomic.AtomicLong highestSeq = new java.util.concurrent.atomic.AtomicLong();
    /** Where reads are answered without the log (this process's member), or null: every read goes through the log. */
    private volatile LocalRead localRead;
    private final java.util.concurrent.atomic.AtomicLong readsLocal = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong readsThroughLog = new java.util.concurrent.atomic.AtomicLong();

    /**
     * A member in this process that answers a query from its own state, once that state is at the given sequence number
     * or later, without the log ({@code SequencerNode.read}); a future failed for any reason sends the read through the log.
     */
    @FunctionalInterface
    public interface LocalRead {
        CompletableFuture<byte[]> read(Command.Query query, long atLeastSeq);
    }

    /** A request waiting for its number; {@code query} says which numbering it takes (built once, with its number). */
    private record Outgoing(BiFunction<Long, Long, Command> build, boolean query, CompletableFuture<ReplyBytes> done) {}

    /** An unanswered request; {@code resentAt} is when its reply was last taken for lost and it was sent again (cluster thread only). */
    private static final class InFlight {
        final Command command;
        final CompletableFuture<ReplyBytes> done;
        long resentAt = Long.MIN_VALUE;
        /** The command's bytes, encoded once: a resend or a batch reuses them. */
        final byte[] encoded;

        InFlight(Command command, CompletableFuture<ReplyBytes> done) {
            this.command = command;
            this.done = done;
            this.encoded = CommandCodec.encode(command);
        }

        Command command() {
            return command;
        }

        CompletableFuture<ReplyBytes> done() {
            return done;
        }
    }

    public Gateway(String aeronDir, ClusterIngress ingress, Eip712 domain, SignatureVerifier verifier, int verifyThreads)
            throws InterruptedException {
        this.stage = new SignatureStage(domain, verifier);
        this.domain = domain;
        this.aeronDir = aeronDir;
        this.ingress = ingress;
        AtomicInteger n = new AtomicInteger();
        this.verifiers = Executors.newFixedThreadPool(verifyThreads, r -> {
            Thread t = new Thread(r, "verify-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        ClusterClient first = ClusterClient.connectRaw(aeronDir, ingress, this::onReply, this::onNewLeader, 30_000);
        this.clusterThread = new Thread(() -> run(first), "gateway-cluster");
        clusterThread.setDaemon(true);
        clusterThread.start();
        log.info("event=gateway_started clientId={} verifyThreads={}", clientId, verifyThreads);
    }

    public Eip712 domain() {
        return domain;
    }

    /**
     * From now on, {@link #readReply} asks {@code member} (this process's cluster member) first: a read then costs no log
     * entry, no replication and no archive space, and each member's API reads from its own state.
     */
    public void readLocally(LocalRead member) {
        this.localRead = member;
    }

    /** Reads answered by this process's member without the log, and reads sent through the log (none local, or it could not answer). */
    public long readsLocal() {
        return readsLocal.get();
    }

    public long readsThroughLog() {
        return readsThroughLog.get();
    }

    /** Messages carrying state-changing requests offered to the cluster so far (a batch counts once; queries and lost-reply resends not counted). */
    public long messagesSent() {
        return messagesSent.get();
    }

    /** Requests accepted by the gateway and not yet answered by the cluster. */
    public int pending() {
        return pending.get();
    }

    /** Sees every state-changing reply (all gateways' requests): market data and account updates come from these. */
    public void listen(Consumer<ObjectNode> listener) {
        listeners.add(listener);
        LockSupport.unpark(clusterThread); // it may be asleep with nothing asked: the stream wish goes out now
    }

    public void unlisten(Consumer<ObjectNode> listener) {
        listeners.remove(listener);
    }

    public CompletableFuture<ObjectNode> place(SignedOrder s) {
        return json(placeReply(s));
    }

    public CompletableFuture<ObjectNode> cancel(CancelRequest c) {
        return json(cancelReply(c));
    }

    public CompletableFuture<ObjectNode> amend(CancelRequest replaced, SignedOrder replacement) {
        return json(amendReply(replaced, replacement));
    }

    public CompletableFuture<ObjectNode> batchCancel(List<CancelRequest> cancels) {
        return json(batchCancelReply(cancels));
    }

    /** A signed Allocate, Release or Withdraw: its signature checked here first ({@link #requestReply(dev.clearline.engine.transition.Transition, SignerGate)}), its nonce in the log. */
    public CompletableFuture<ObjectNode> request(dev.clearline.engine.transition.Transition signed) {
        return json(requestReply(signed));
    }

    public CompletableFuture<ObjectNode> query(Command.QueryKind kind, int market, Address trader, Hash32 orderHash) {
        return json(queryReply(kind, market, trader, orderHash));
    }

    /** One page of the command history, from byte {@code from} of its encoding ({@code HistoryPages} reads them all). */
    public CompletableFuture<ObjectNode> history(long from) {
        return json(historyReply(from));
    }

    public CompletableFuture<ReplyBytes> historyReply(long from) {
        return queryReply(Command.QueryKind.HISTORY, 0, null, null, from);
    }

    /** Sends a command built elsewhere (L1 ops, oracle prices, time ticks from the node's own feeders). */
    public CompletableFuture<ObjectNode> submit(BiFunction<Long, Long, Command> build) {
        return json(enqueue(build, build.apply(clientId, 0L) instanceof Command.Query));
    }

    // the same requests answered with the reply as it came (the WebSocket forwards its bytes undecoded)

    public CompletableFuture<ReplyBytes> placeReply(SignedOrder s) {
        return placeReply(s, SignerGate.OPEN);
    }

    public CompletableFuture<ReplyBytes> cancelReply(CancelRequest c) {
        return cancelReply(c, SignerGate.OPEN);
    }

    public CompletableFuture<ReplyBytes> amendReply(CancelRequest replaced, SignedOrder replacement) {
        return amendReply(replaced, replacement, SignerGate.OPEN);
    }

    public CompletableFuture<ReplyBytes> batchCancelReply(List<CancelRequest> cancels) {
        return batchCancelReply(cancels, SignerGate.OPEN);
    }

    // the same, each signer passed through {@code gate} once its signature holds (the API's per-key rate)

    public CompletableFuture<ReplyBytes> placeReply(SignedOrder s, SignerGate gate) {
        return verified(() -> List.of(stage.verify(s)), gate, vs -> (id, seq) -> new Command.Place(id, seq, (VerifiedOrder) vs.get(0)));
    }

    /** A stop: the order checked as any order is, then armed in the log with its trigger ({@code Command.PlaceStop}). */
    public CompletableFuture<ReplyBytes> placeStopReply(SignedOrder s, dev.clearline.sequencer.command.StopTrigger trigger, SignerGate gate) {
        return verified(() -> List.of(stage.verify(s)), gate, vs -> (id, seq) -> new Command.PlaceStop(id, seq, (VerifiedOrder) vs.get(0), trigger));
    }

    public CompletableFuture<ReplyBytes> cancelReply(CancelRequest c, SignerGate gate) {
        return verified(() -> List.of(stage.verify(c)), gate, vs -> (id, seq) -> new Command.Cancel(id, seq, (VerifiedCancel) vs.get(0)));
    }

    public CompletableFuture<ReplyBytes> amendReply(CancelRequest replaced, SignedOrder replacement, SignerGate gate) {
        return verified(() -> List.of(stage.verify(replaced), stage.verify(replacement)), gate,
                vs -> (id, seq) -> new Command.Amend(id, seq, (VerifiedCancel) vs.get(0), (VerifiedOrder) vs.get(1)));
    }

    public CompletableFuture<ReplyBytes> batchCancelReply(List<CancelRequest> cancels, SignerGate gate) {
        return verified(() -> cancels.stream().map(stage::verify).toList(), gate, vs -> {
            List<VerifiedCancel> ok = vs.stream().map(VerifiedCancel.class::cast).toList();
            return (id, seq) -> new Command.BatchCancel(id, seq, ok);
        });
    }

    public CompletableFuture<ReplyBytes> requestReply(dev.clearline.engine.transition.Transition signed) {
        return requestReply(signed, SignerGate.OPEN);
    }

    public CompletableFuture<ObjectNode> cancelAllAfter(CancelAllAfterRequest r) {
        return json(cancelAllAfterReply(r, SignerGate.OPEN));
    }

    /**
     * A trader's dead man's switch: its signature checked on a verifier thread (a forged one never reaches the log:
     * {@code BAD_SIGNATURE}), its owner then passes {@code gate}; the deadline and nonce are the log's to judge.
     */
    public CompletableFuture<ReplyBytes> cancelAllAfterReply(CancelAllAfterRequest r, SignerGate gate) {
        return CompletableFuture.supplyAsync(() -> stage.cancelAllAfterSignedBy(r.owner(), r.deadline(), r.nonce(), r.signature()), verifiers)
                .thenCompose(ok -> {
                    if (!ok) return refused(new Verification.Refused(dev.clearline.engine.stf.Reject.BAD_SIGNATURE));
                    ApiError limited = gate.refusal(r.owner());
                    if (limited != null) return CompletableFuture.<ReplyBytes>failedFuture(limited);
                    return enqueue((id, seq) -> new Command.CancelAllAfter(id, seq, r.owner(), r.deadline(), r.nonce(), r.signature()));
                });
    }

    /**
     * A signed withdrawal or margin move: its signature is checked on a verifier thread as an order's
     * is (a forged one never reaches the log, and is answered {@code BAD_SIGNATURE}), its owner then
     * passes {@code gate}; its nonce and balance are the STF's to check, in the log.
     */
    public CompletableFuture<ReplyBytes> requestReply(dev.clearline.engine.transition.Transition signed, SignerGate gate) {
        return CompletableFuture.supplyAsync(() -> stage.signedOwner(signed), verifiers).thenCompose(owner -> {
            if (owner.isEmpty()) return refused(new Verification.Refused(dev.clearline.engine.stf.Reject.BAD_SIGNATURE));
            ApiError limited = gate.refusal(owner.get());
            if (limited != null) return CompletableFuture.<ReplyBytes>failedFuture(limited);
            return enqueue((id, seq) -> new Command.Signed(id, seq, signed));
        });
    }

    public CompletableFuture<ReplyBytes> queryReply(Command.QueryKind kind, int market, Address trader, Hash32 orderHash) {
        return queryReply(kind, market, trader, orderHash, 0);
    }

    /** A query with its {@code index}: a batch's number, the byte a history page starts at, the first open order of an account's page. */
    public CompletableFuture<ReplyBytes> queryReply(Command.QueryKind kind, int market, Address trader, Hash32 orderHash, long index) {
        return enqueue((id, seq) -> new Command.Query(id, seq, kind, market, trader, orderHash, index), true);
    }

    /**
     * A trader's read (an order, an account, a book's depth, the state's summary): answered by this process's member from
     * its own state when {@link #readLocally} named one, from a state at least as new as every reply this gateway has
     * taken (so a trader reads its own acknowledged requests through the API that acknowledged them); through the log
     * when there is none, or it cannot answer within {@code LocalReads.WAIT_NANOS} (a member behind the others). The
     * reply is the one a query in the log would have got at that point of the log. A subscription's snapshot still goes
     * through the log ({@link #queryReply}): it must stand at its place among the streamed replies.
     */
    public CompletableFuture<ReplyBytes> readReply(Command.QueryKind kind, int market, Address trader, Hash32 orderHash, long index) {
        return readReply(kind, market, trader, orderHash, index, 0);
    }

    /**
     * As {@link #readReply(Command.QueryKind, int, Address, Hash32, long)}, from a state at {@code atLeastSeq} or later
     * too: a seq the client holds from elsewhere (another member's API acknowledged its request). Through the log the
     * answer is at least that new anyway, for any seq the cluster has given out.
     */
    public CompletableFuture<ReplyBytes> readReply(Command.QueryKind kind, int market, Address trader, Hash32 orderHash, long index, long atLeastSeq) {
        LocalRead member = localRead;
        if (member == null) {
            readsThroughLog.incrementAndGet();
            return queryReply(kind, market, trader, orderHash, index);
        }
        CompletableFuture<byte[]> asked;
        try {
            asked = member.read(new Command.Query(clientId, 0, kind, market, trader, orderHash, index), Math.max(highestSeq.get(), atLeastSeq));
        } catch (RuntimeException e) {
            asked = CompletableFuture.failedFuture(e);
        }
        // a member that never serves again (stopped between asking and answering) must not hold the read for good; the
        // answer is taken up on a verifier thread: the member completes it on the state machine's thread, which must not
        // also decode it and write the HTTP or WebSocket answer (what the stages after this one do)
        return asked.orTimeout(LOCAL_READ_LIMIT_MS, java.util.concurrent.TimeUnit.MILLISECONDS).thenApplyAsync(b -> {
            ReplyHeader h = ReplyHeader.read(b, 0, b.length);
            if (h == null) throw new IllegalStateException("a local read's reply is not laid out as the codec writes replies");
            readsLocal.incrementAndGet();
            return new ReplyBytes(b, h, null);
        }, verifiers).exceptionallyCompose(e -> {
            readsThroughLog.incrementAndGet();
            log.debug("event=local_read_missed kind={} reason=\"{}\"", kind, e.getMessage());
            return queryReply(kind, market, trader, orderHash, index);
        });
    }

    /** How long a local read may take in all before the log is asked instead (twice the member's own wait). */
    static final long LOCAL_READ_LIMIT_MS = 2_000;

    private static CompletableFuture<ObjectNode> json(CompletableFuture<ReplyBytes> reply) {
        return reply.thenApply(ReplyBytes::json);
    }

    /**
     * Checks the signatures on a verifier thread; the first refused one refuses the request. Then each
     * distinct signer passes {@code gate}, and only then is the command queued for the log.
     */
    private CompletableFuture<ReplyBytes> verified(java.util.function.Supplier<List<Verification>> check, SignerGate gate,
                                                   java.util.function.Function<List<Verification>, BiFunction<Long, Long, Command>> build) {
        return CompletableFuture.supplyAsync(check, verifiers).thenCompose(vs -> {
            for (int i = 0; i < vs.size(); i++) {
                if (!(vs.get(i) instanceof Verification.Refused r)) continue;
                if (vs.size() == 1) return refused(r);
                // a batch is refused whole for one entry: name it, or the client must re-check every signature to find it
                return CompletableFuture.failedFuture(new ApiError(401, r.reason().name(), "entry " + i + " of " + vs.size()
                        + " (counting from 0) is refused, so none was sequenced: " + r.reason().help()));
            }
            // one signer for a place or a cancel (the hot path builds no set); a batch names each once
            Set<Address> signers = vs.size() == 1 ? Set.of(signerOf(vs.get(0))) : new LinkedHashSet<>();
            if (vs.size() > 1) for (Verification v : vs) signers.add(signerOf(v));
            for (Address signer : signers) {
                ApiError limited = gate.refusal(signer);
                if (limited != null) return CompletableFuture.<ReplyBytes>failedFuture(limited);
            }
            return enqueue(build.apply(vs));
        });
    }

    private static Address signerOf(Verification v) {
        return switch (v) {
            case VerifiedOrder o -> o.order().trader();
            case VerifiedCancel c -> c.owner();
            case Verification.Refused r -> throw new IllegalStateException("a refused verification has no signer");
        };
    }

    private static CompletableFuture<ReplyBytes> refused(Verification.Refused r) {
        return CompletableFuture.failedFuture(new ApiError(401, r.reason().name(), r.reason().help()));
    }

    private CompletableFuture<ReplyBytes> enqueue(BiFunction<Long, Long, Command> build) {
        return enqueue(build, false);
    }

    private CompletableFuture<ReplyBytes> enqueue(BiFunction<Long, Long, Command> build, boolean query) {
        if (!running) return CompletableFuture.failedFuture(new ApiError(503, "SHUTTING_DOWN", "the node is stopping; retry on another node or later"));
        CompletableFuture<ReplyBytes> done = new CompletableFuture<>();
        pending.incrementAndGet();
        queue.add(new Outgoing(build, query, done));
        LockSupport.unpark(clusterThread);
        return done;
    }

    // ---- the cluster thread ------------------------------------------------------------------

    /** How long the oldest request may go unanswered, with nothing answered meanwhile, before everything unanswered is sent again. */
    private static final long STALL_NANOS = 3_000_000_000L;
    /**
     * How long requests may go unanswered before the connection itself is suspect and replaced by a
     * new one: longer than an election on a loaded machine plus the resend after {@link #STALL_NANOS}.
     */
    private static final long RECONNECT_NANOS = 4_500_000_000L;
    /** How often a gateway the cluster refuses for its secret says so. */
    private static final long SECRET_REFUSED_EVERY_NANOS = 60_000_000_000L;
    /** When this gateway last said the cluster refused its secret (0: never); the cluster thread's own. */
    private long secretRefusedSaid;
    /**
     * How long the cluster thread sleeps when nothing is asked of it ({@link #nothingAsked}). A new
     * request or listener wakes it at once; only the keep-alive (every second) and a new leader's
     * event, which matter to no waiting request, wait up to this long. Polling every millisecond
     * instead cost an idle gateway about 30 CPU-ms per second, a gateway on every member of a
     * cluster sharing its cores with the others.
     */
    private static final long QUIET_PARK_NANOS = 20_000_000L;
    /** A repeated out-of-order answer naming the same expected number rewinds again only after this long (the resend is on its way). */
    private static final long GAP_REWIND_NANOS = 500_000_000L;

    /** State-changing requests by number (1, 2, ...): the service applies them only in this order. */
    private final TreeMap<Long, InFlight> inFlight = new TreeMap<>();
    /** Queries by number (-1, -2, ...): read-only, answered in any order, resent freely. */
    private final java.util.LinkedHashMap<Long, InFlight> queriesInFlight = new java.util.LinkedHashMap<>();
    private final java.util.ArrayDeque<Long> unsentQueries = new java.util.ArrayDeque<>();
    private long nextSeq;
    private long nextQuery;
    private long sentUpTo;
    private long lastProgress = System.nanoTime();
    private long lastRewind;
    private long lastReconnect = System.nanoTime();
    private long lastGapExpected = -1;
    /** Unanswered requests whose replies were lost on the way back (a later reply of ours came first): sent again, alone. */
    private final java.util.ArrayDeque<Long> lostReplies = new java.util.ArrayDeque<>();
    /** Whether the current session was last told to send everyone's replies ({@link StreamWish}); null: tell it again. */
    private Boolean toldStream = false;

    /**
     * Whether this gateway has nothing to do until asked: no request or query waiting, unsent or
     * unanswered, and no listener here wanting the cluster's replies streamed (told so already).
     */
    private boolean nothingAsked() {
        return queue.isEmpty() && inFlight.isEmpty() && queriesInFlight.isEmpty() && unsentQueries.isEmpty() && lostReplies.isEmpty()
                && listeners.isEmpty() && Boolean.FALSE.equals(toldStream);
    }

    private void run(ClusterClient first) {
        ClusterClient client = first;
        // a new request unparks this thread at once (enqueue); replies and other gateways' fills wait at most the idle's 1 ms ceiling
        IdleStrategy idle = SequencerNode.idle().get();
        while (running) {
            try {
                long started = System.nanoTime();
                boolean stuck = (!inFlight.isEmpty() || !queriesInFlight.isEmpty()) && started - lastProgress > RECONNECT_NANOS
                        && started - lastReconnect > RECONNECT_NANOS;
                if (client.isClosed() || stuck) {
                    // closed: the cluster closed our session. stuck: nothing answered for seconds although a new
                    // leader would have answered the resend by now, e.g. its new-leader event never reached us or
                    // came after the old leader's ingress closed: a new session finds the leader by itself
                    log.warn("event=cluster_connection_lost reason={} unanswered={} action=reconnect_and_resend",
                            client.isClosed() ? "session_closed" : "no_answer", inFlight.size() + queriesInFlight.size());
                    client.close();
                    client = ClusterClient.connectRaw(aeronDir, ingress, this::onReply, this::onNewLeader, RECONNECT_NANOS / 1_000_000);
                    toldStream = false; // a new session starts with its own replies only
                    lastReconnect = System.nanoTime();
                    log.info("event=cluster_reconnected leader={} took_ms={}", client.leaderMemberId(), (lastReconnect - started) / 1_000_000);
                    rewind();
                }
                int work = 0;
                Outgoing o;
                while ((o = queue.poll()) != null) {
                    if (inFlight.isEmpty() && queriesInFlight.isEmpty()) lastProgress = System.nanoTime();
                    if (o.query) {
                        long q = -(++nextQuery);
                        queriesInFlight.put(q, new InFlight(o.build.apply(clientId, q), o.done));
                        unsentQueries.add(q);
                    } else {
                        long seq = ++nextSeq;
                        inFlight.put(seq, new InFlight(o.build.apply(clientId, seq), o.done));
                    }
                    work++;
                }
                boolean wantStream = !listeners.isEmpty();
                if ((toldStream == null || toldStream != wantStream) && client.offer(new StreamWish(wantStream).encode())) {
                    toldStream = wantStream;
                    work++;
                }
                Long lost;
                while ((lost = lostReplies.peek()) != null) {
                    InFlight f = inFlight.get(lost);
                    if (f != null && !client.offer(f.encoded)) break;
                    lostReplies.poll();
                    work++;
                }
                Long q;
                while ((q = unsentQueries.peek()) != null) {
                    InFlight f = queriesInFlight.get(q);
                    if (f != null && !client.offer(f.encoded)) break;
                    unsentQueries.poll();
                    work++;
                }
                work += sendNew(client);
                work += client.poll();
                long now = System.nanoTime();
                if ((!inFlight.isEmpty() || !queriesInFlight.isEmpty()) && now - lastProgress > STALL_NANOS && now - lastRewind > STALL_NANOS) {
                    // a request the leader dropped with nothing sent after it (no out-of-order answer can say so)
                    log.info("event=resend_after_stall unanswered={}", inFlight.size() + queriesInFlight.size());
                    rewind();
                }
                if (work == 0 && nothingAsked()) {
                    // nothing to send, nothing to wait for, nobody streaming: sleep until a request, a listener or the next look
                    idle.reset();
                    LockSupport.parkNanos(QUIET_PARK_NANOS);
                } else {
                    idle.idle(work);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (ClusterClient.SecretRefused e) {
                // the member that leads holds another secret than this one: one of the two was started with the wrong file.
                // Asked again each second (the leader may change), said once a minute, not ten times a second
                long now = System.nanoTime();
                if (secretRefusedSaid == 0 || now - secretRefusedSaid > SECRET_REFUSED_EVERY_NANOS) {
                    secretRefusedSaid = now;
                    log.error("event=cluster_refused_secret error=\"{}\" unanswered={} hint=\"every member must be started with the same"
                            + " --cluster-secret-file; the leader's log and clearline_cluster_sessions_refused_total name the member that refuses\"",
                            e.getMessage(), inFlight.size() + queriesInFlight.size());
                }
                LockSupport.parkNanos(1_000_000_000L);
            } catch (RuntimeException e) {
                log.warn("event=gateway_cluster_error error=\"{}\"", e.toString());
                LockSupport.parkNanos(100_000_000L);
            }
        }
        client.close();
    }

    /** The most requests one message may carry: {@link CommandCodec#MAX_BATCH_COMMANDS}, or fewer to compare (1: no batches). */
    private volatile int batchLimit = CommandCodec.MAX_BATCH_COMMANDS;

    /**
     * Caps how many requests one ingress message carries, from 1 (each alone, as before batches) to
     * {@link CommandCodec#MAX_BATCH_COMMANDS}; the benchmark compares the two under the same load.
     */
    public void batchLimit(int n) {
        if (n < 1 || n > CommandCodec.MAX_BATCH_COMMANDS) {
            throw new IllegalArgumentException("a batch limit is 1 to " + CommandCodec.MAX_BATCH_COMMANDS + ", got " + n);
        }
        batchLimit = n;
    }

    /** Encoded requests of one batch being gathered (cluster thread only). */
    private final List<byte[]> batch = new ArrayList<>(CommandCodec.MAX_BATCH_COMMANDS);

    /**
     * Offers the state-changing requests not sent yet, in order. Several that are already waiting go
     * as one batch message (up to {@link CommandCodec#MAX_BATCH_COMMANDS} and
     * {@link CommandCodec#MAX_BATCH_BYTES}): the cluster's work per message is then paid once for
     * all of them. Nothing waits for a batch to fill: under light load each request goes alone, as
     * soon as it is verified. Returns how many requests went out; stops at back pressure.
     */
    private int sendNew(ClusterClient client) {
        int sent = 0;
        int limit = batchLimit;
        while (true) {
            // nothing new since the last send (most turns of the loop): no sub-map, entry set and iterator made to find out
            if (inFlight.isEmpty() || inFlight.lastKey() <= sentUpTo) return sent;
            batch.clear();
            int bytes = CommandCodec.BATCH_HEADER;
            long last = sentUpTo;
            for (Map.Entry<Long, InFlight> e : inFlight.tailMap(sentUpTo, false).entrySet()) {
                byte[] b = e.getValue().encoded;
                if (batch.size() == limit
                        || (!batch.isEmpty() && bytes + CommandCodec.BATCH_ENTRY_HEADER + b.length > CommandCodec.MAX_BATCH_BYTES)) break;
                batch.add(b);
                bytes += CommandCodec.BATCH_ENTRY_HEADER + b.length;
                last = e.getKey();
            }
            if (batch.isEmpty()) return sent;
            byte[] message = batch.size() == 1 ? batch.getFirst() : CommandCodec.encodeBatch(batch);
            if (!client.offer(message)) return sent;
            messagesSent.incrementAndGet();
            sentUpTo = last;
            sent += batch.size();
        }
    }

    /** Sends every unanswered request again: state-changing ones in their order, from the oldest. */
    private void rewind() {
        sentUpTo = inFlight.isEmpty() ? nextSeq : Math.min(sentUpTo, inFlight.firstKey() - 1);
        lostReplies.clear();
        unsentQueries.clear();
        unsentQueries.addAll(queriesInFlight.keySet());
        lastRewind = System.nanoTime();
    }

    /**
     * Another member leads now (cluster thread, inside poll): what the old leader had not committed
     * is lost, and a new leader drops what reaches it before it opened this session for the new
     * term, so every unanswered request goes again, in order, before anything new. The service
     * answers the ones that did commit with their first outcome.
     */
    private void onNewLeader(int leaderMemberId) {
        log.info("event=resend_after_new_leader leader={} unanswered={}", leaderMemberId, inFlight.size() + queriesInFlight.size());
        toldStream = null; // the new leader may have started from a snapshot, which does not hold who streams
        rewind();
    }

    /**
     * The service refused a request because an earlier one of ours never reached the log (it was
     * lost around a leader change): send again from the one it expects. Every request after the
     * gap gets the same answer; one rewind per gap is enough unless the resend is lost too.
     */
    private void onOutOfOrder(long expected) {
        long now = System.nanoTime();
        if (expected == lastGapExpected && now - lastRewind < GAP_REWIND_NANOS) return;
        lastGapExpected = expected;
        log.info("event=resend_after_gap expected={} unanswered={}", expected, inFlight.size());
        sentUpTo = Math.min(sentUpTo, expected - 1);
        lastRewind = now;
    }

    /** A reply's bytes from the cluster (cluster thread, inside poll): routed by the header read off them, decoded only when needed. */
    private void onReply(org.agrona.DirectBuffer buffer, int offset, int length) {
        byte[] b = new byte[length];
        buffer.getBytes(offset, b);
        ReplyHeader h = ReplyHeader.read(b, 0, length);
        ReplyBytes reply;
        if (h != null) {
            if (h.clientId() != clientId && listeners.isEmpty()) return; // another gateway's, and nobody here streams
            reply = new ReplyBytes(b, h, null);
        } else {
            // not laid out as the codec writes replies: decode it and route by the decoded fields
            ObjectNode json;
            try {
                json = ReplyCodec.decode(b, 0, length);
            } catch (java.io.IOException e) {
                log.warn("event=bad_reply error=\"{}\"", e.getMessage());
                return;
            }
            h = new ReplyHeader(json.path("seq").asLong(), json.path("clientId").asLong(-1), json.path("clientSeq").asLong(),
                    json.path("duplicate").asBoolean(), json.path("type").asText());
            reply = new ReplyBytes(b, h, json);
        }
        String type = h.type();
        highestSeq.accumulateAndGet(h.seq(), Math::max);
        if (h.clientId() == clientId) {
            lastProgress = System.nanoTime();
            if ("outOfOrder".equals(type)) {
                onOutOfOrder(reply.json().path("expected").asLong());
                return;
            }
            long n = h.clientSeq();
            InFlight f = n < 0 ? queriesInFlight.remove(n) : inFlight.remove(n);
            if (f != null) {
                pending.decrementAndGet();
                f.done().complete(reply);
            }
            for (long k : lostBefore(n, inFlight, queriesInFlight)) resendLost(k);
        }
        if (!listeners.isEmpty() && !"query".equals(type) && !"outOfOrder".equals(type) && !h.duplicate()) {
            ObjectNode json = reply.json();
            for (Consumer<ObjectNode> l : listeners) {
                try {
                    l.accept(json);
                } catch (RuntimeException e) {
                    log.warn("event=listener_failed error=\"{}\"", e.toString());
                }
            }
        }
    }

    /**
     * The unanswered requests whose replies were lost, given that the reply to {@code answered}
     * just arrived: the service answers one gateway's state-changing requests in their order
     * (1, 2, ...) and its queries in the order they reached the log (-1, -2, ...), on one ordered
     * egress stream, so an older request of the same kind still unanswered was applied (or read)
     * and its reply dropped (the service drops replies to a gateway that does not keep up).
     */
    static List<Long> lostBefore(long answered, java.util.NavigableMap<Long, ?> stateChanging, java.util.SequencedMap<Long, ?> queries) {
        if (answered > 0) return stateChanging.isEmpty() || stateChanging.firstKey() >= answered ? List.of()
                : new ArrayList<>(stateChanging.headMap(answered, false).keySet());
        // queries are kept in the order they were numbered (-1, -2, ...): the older ones come first
        List<Long> lost = List.of();
        for (long k : queries.sequencedKeySet()) {
            if (k <= answered) break;
            if (lost.isEmpty()) lost = new ArrayList<>();
            lost.add(k);
        }
        return lost;
    }

    /** Sends a request whose reply was lost again, alone (the service answers it with its first outcome), at most every 500 ms. */
    private void resendLost(long n) {
        InFlight f = n < 0 ? queriesInFlight.get(n) : inFlight.get(n);
        long now = System.nanoTime();
        if (f == null || now - f.resentAt < GAP_REWIND_NANOS) return;
        f.resentAt = now;
        log.info("event=resend_lost_reply request={}", n);
        if (n < 0) unsentQueries.add(n);
        else lostReplies.add(n);
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        LockSupport.unpark(clusterThread);
        clusterThread.join(5_000);
        verifiers.shutdownNow();
        for (InFlight f : queriesInFlight.values()) f.done().completeExceptionally(new ApiError(503, "SHUTTING_DOWN", "the node stopped before the cluster answered; ask again"));
        for (InFlight f : inFlight.values()) f.done().completeExceptionally(new ApiError(503, "SHUTTING_DOWN", "the node stopped before the cluster answered; query the order to see whether it was applied"));
        Outgoing o;
        while ((o = queue.poll()) != null) o.done().completeExceptionally(new ApiError(503, "SHUTTING_DOWN", "the node stopped; nothing was applied"));
    }
}
